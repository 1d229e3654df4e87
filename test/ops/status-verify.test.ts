import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { seedDeploys } from "../providers/render/emulator-day2";
import { startEmulator, type RenderEmulator } from "../providers/render/emulator";
import { createService, OpsRun } from "./harness";

// `webstack status` and `verify` against the Render emulator and a local server whose services
// answer healthy, slow, 500 or never. All waiting is virtual (FakeClock): a slow or hanging
// request spends time on its own stopwatch once the server holds it, so no test sleeps.

let render: RenderEmulator;
let apps: Server;
let base = "";
let closedPort = 0;
let t: OpsRun;

/** Requests the server holds (slow, never), by path, for the fetch wrapper below. */
const arrivals = new Map<string, (release: () => void) => void>();
const realFetch = globalThis.fetch;

beforeAll(async () => {
  render = await startEmulator();
  apps = createServer((req, res) => {
    const mode = /^\/(?:svc-)?([a-z0-9]+)/.exec(req.url ?? "")?.[1];
    if (mode === "slow" || mode === "never") {
      // Held: "slow" answers once its time is spent; "never" does not answer at all.
      arrivals.get(req.url ?? "")?.(() => res.writeHead(200).end("ok"));
    } else if (mode === "boom") {
      res.writeHead(500).end("boom: database unreachable");
    } else res.writeHead(200).end("ok");
  });
  // Once the server holds a slow or hanging request, its time passes on the request's own stopwatch.
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    const mode = /^\/svc-(slow|never)\//.exec(url.pathname)?.[1];
    if (!mode || !url.href.startsWith(base)) return realFetch(input, init);
    const held = new Promise<() => void>((resolve) => arrivals.set(url.pathname, resolve));
    const answer = realFetch(input, init);
    const release = await held;
    t.clock.spend(init?.signal, mode === "slow" ? 2_500 : 3_600_000);
    if (mode === "slow") release();
    return answer;
  });
  await new Promise<void>((r) => apps.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(apps.address() as AddressInfo).port}`;
  // A port nothing listens on: the unreachable URL.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
});

afterAll(async () => {
  vi.restoreAllMocks();
  await render?.stop();
  apps?.closeAllConnections();
  await new Promise((r) => apps?.close(r));
});

beforeEach(() => {
  render.reset({});
  t = new OpsRun();
  t.env = { RENDER_API_KEY: render.apiKey, RENDER_API_URL: render.url };
});

/** A stack whose main service answers as `main`, with branch services answering as the others. */
async function stack(main: string, branches: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  const mainId = await createService(render.url, render.apiKey, "ott-dev-api");
  const ids: Record<string, string> = {};
  const urls: Record<string, string> = {};
  for (const [name, mode] of Object.entries(branches)) {
    ids[name] = await createService(render.url, render.apiKey, `ott-dev-api-${name}`);
    urls[name] = mode === "unreachable" ? `http://127.0.0.1:${closedPort}` : `${base}/svc-${mode}`;
  }
  const file = t.outputs({
    environment: "development",
    appName: "ott",
    backendServiceId: mainId,
    backendUrl: `${base}/svc-${main}`,
    backendHealthCheckPath: "/healthz",
    branchServiceIds: ids,
    branchUrls: urls,
    frontendUrl: `${base}/web`,
    cronScriptName: "ott-dev-cron",
    cronSchedules: ["*/5 * * * *", "*/10 * * * *"],
    ...extra,
  });
  return { mainId, ids, file };
}

describe("webstack status", () => {
  it("prints one row per service and the frontend, marks slow answers up and 500, never and unreachable down, and exits 1", async () => {
    const { mainId, file } = await stack("healthy", { alice: "slow", bob: "boom", carol: "never", dave: "unreachable" });
    seedDeploys(render, mainId, [{ status: "live", commit: "abc1234def", minutesAgo: 90 }], t.clock.now());
    await fetch(`${render.url}/services/${mainId}/custom-domains`, {
      method: "POST",
      headers: { authorization: `Bearer ${render.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "api.ott.example.com" }),
    });
    expect(await t.run("status", "dev", "--outputs", file)).toBe(1);
    const text = t.stdout;
    expect(text).toContain("dev (development): 3 down");
    const row = (name: string) => text.split("\n").find((l) => new RegExp(`^\\S+\\s+${name}\\s`).test(l)) ?? "";
    expect(row("ott-dev-api")).toMatch(/^up\s+ott-dev-api\s+http:\S+\/svc-healthy\/healthz\s+HTTP 200\s+0 ms\s+live abc1234 1h30m ago/);
    expect(row("ott-dev-api-alice")).toMatch(/^up\s.*HTTP 200\s+2500 ms/);
    expect(row("ott-dev-api-bob")).toMatch(/^DOWN\s.*HTTP 500: boom: database unreachable/);
    expect(row("ott-dev-api-carol")).toMatch(/^DOWN\s.*no answer within 10 s/);
    expect(row("ott-dev-api-dave")).toMatch(/^DOWN\s.*connection refused/);
    expect(row("frontend")).toMatch(/^up\s+frontend\s+http:\S+\/web\s+HTTP 200/);
    expect(text).toContain("Custom domains waiting for DNS verification: api.ott.example.com");
    expect(text).toContain("Cron Worker ott-dev-cron: */5 * * * *, */10 * * * *");
  });

  it("answers --json for machines and exits 0 when all is up; a short --timeout makes a slow service down", async () => {
    const { file } = await stack("healthy", { alice: "slow" });
    expect(await t.run("status", "dev", "--outputs", file, "--json")).toBe(0);
    const report = JSON.parse(t.stdout);
    expect(report).toMatchObject({ stack: "dev", environment: "development", ok: true, pendingDomains: [], cron: { script: "ott-dev-cron" } });
    expect(report.rows.map((r: any) => [r.kind, r.name, r.up, r.health.status])).toEqual([
      ["backend", "ott-dev-api", true, 200],
      ["backend", "ott-dev-api-alice", true, 200],
      ["frontend", "frontend", true, 200],
    ]);
    expect(report.rows[0].deploy).toMatchObject({ status: "created" });
    expect(await t.run("status", "dev", "--outputs", file, "--json", "--timeout", "1s")).toBe(1);
    expect(JSON.parse(t.stdout).rows[1]).toMatchObject({ name: "ott-dev-api-alice", up: false, health: { answer: "no answer within 1 s" } });
  });

  it("names RENDER_API_KEY when it is missing, and a service Render no longer has is down", async () => {
    const { file } = await stack("healthy");
    t.env = {};
    expect(await t.run("status", "dev", "--outputs", file)).toBe(2);
    expect(t.stderr).toMatch(/^RENDER_API_KEY is not set: reading Render's deploys needs a Render API key/);
    t.env = { RENDER_API_KEY: render.apiKey, RENDER_API_URL: render.url };
    const gone = t.outputs({ environment: "development", backendServiceId: "srv-gone", backendUrl: `${base}/svc-healthy` }, "gone.json");
    expect(await t.run("status", "dev", "--outputs", gone)).toBe(1);
    expect(t.stdout).toMatch(/DOWN\s+srv-gone\s.*HTTP 200.*Render has no such service/);
  });
});

describe("webstack verify", () => {
  it("follows the deploy to live, one progress line per change, then checks health and the frontend", async () => {
    const { mainId, file } = await stack("slow");
    expect(await t.run("verify", "dev", "--outputs", file)).toBe(0);
    expect(t.out).toEqual(["ok    ott-dev-api", "ok    frontend"]);
    const [mainDeploy] = render.deploysOf(mainId);
    expect(t.err.filter((l) => l.startsWith("ott-dev-api:"))).toEqual([
      `ott-dev-api: deploy ${mainDeploy.id} build_in_progress after 0s`,
      `ott-dev-api: deploy ${mainDeploy.id} update_in_progress after 3s`,
      `ott-dev-api: deploy ${mainDeploy.id} live after 7s`,
      "ott-dev-api: live and healthy (HTTP 200 in 2500 ms)",
    ]);
    expect(mainDeploy.status).toBe("live");
    // Polls back off like Render's provider (3 s, ×1.2), in virtual time only.
    expect(t.clock.slept).toEqual([3000, 3600]);
  });

  it("checks every branch service too, and names each one that fails", async () => {
    const { ids, file } = await stack("healthy", { alice: "healthy", bob: "boom" });
    expect(await t.run("verify", "dev", "--outputs", file, "--timeout", "1m")).toBe(1);
    expect(t.out.slice(0, 2)).toEqual(["ok    ott-dev-api", "ok    ott-dev-api-alice"]);
    expect(t.out[2]).toMatch(/^FAIL {2}ott-dev-api-bob: Render deploy dep-\S+ is 'live', but \S+ fails; last health answer: HTTP 500: boom/);
    expect(t.out[3]).toBe("ok    frontend");
    for (const id of Object.values(ids)) expect(render.deploysOf(id)[0].status).toBe("live");
  });

  it("follows a deploy queued with a 202 while it waits", async () => {
    render.reset({ deployAnswer: 202 });
    const { mainId, file } = await stack("healthy");
    const first = render.deploysOf(mainId)[0].id;
    t.clock.onSleep = async (_ms, n) => {
      if (n === 1) {
        const res = await fetch(`${render.url}/services/${mainId}/deploys`, {
          method: "POST",
          headers: { authorization: `Bearer ${render.apiKey}`, "content-type": "application/json" },
          body: "{}",
        });
        expect(res.status).toBe(202);
      }
    };
    expect(await t.run("verify", "dev", "--outputs", file)).toBe(0);
    const queued = render.deploysOf(mainId)[0].id;
    expect(queued).not.toBe(first);
    expect(t.err.filter((l) => l.startsWith("ott-dev-api: deploy"))).toEqual([
      `ott-dev-api: deploy ${first} build_in_progress after 0s`,
      `ott-dev-api: deploy ${queued} build_in_progress after 3s`,
      `ott-dev-api: deploy ${queued} update_in_progress after 7s`,
      `ott-dev-api: deploy ${queued} live after 11s`,
    ]);
  });

  it("fails naming the service, Render's deploy status and the last health answer", async () => {
    render.reset({ deployOutcome: "build_failed" });
    const { mainId, file } = await stack("boom");
    expect(await t.run("verify", "dev", "--outputs", file)).toBe(1);
    const dep = render.deploysOf(mainId)[0].id;
    expect(t.out[0]).toBe(`FAIL  ott-dev-api: Render deploy ${dep} is 'build_failed': the build failed; last health answer: HTTP 500: boom: database unreachable`);
    expect(t.stderr).toContain("verify dev: 1 of 2 failed");
  });

  it("retries a failing health check with backoff, then fails; a service that never answers runs into --timeout", async () => {
    const { file } = await stack("boom");
    expect(await t.run("verify", "dev", "--outputs", file)).toBe(1);
    expect(t.out[0]).toMatch(/^FAIL {2}ott-dev-api: Render deploy dep-\S+ is 'live', but http:\S+\/svc-boom\/healthz fails; last health answer: HTTP 500: boom/);
    expect(t.err.filter((l) => l.includes("checking again"))).toHaveLength(5);
    expect(t.clock.slept.slice(-5)).toEqual([2000, 4000, 8000, 16000, 30000]);

    render.reset({});
    t = Object.assign(new OpsRun(), { env: t.env });
    const never = await stack("never");
    expect(await t.run("verify", "dev", "--outputs", never.file, "--timeout", "5s")).toBe(1);
    expect(t.out[0]).toMatch(/^FAIL {2}ott-dev-api: Render deploy dep-\S+ is 'update_in_progress' after 5s; last health answer: no answer within 10 s$/);
  });
});

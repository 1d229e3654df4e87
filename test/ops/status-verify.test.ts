import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { seedDeploys } from "../providers/render/emulator-day2";
import { startEmulator, type RenderEmulator } from "../providers/render/emulator";
import { startVercelEmulator, type VercelEmulator } from "../providers/vercel/emulator";
import { createService, OpsRun } from "./harness";

// `webstack status` and `verify` against the Render emulator and a local server whose services
// answer healthy, slow, 500 or never. All waiting is virtual (FakeClock): a slow or hanging
// request spends time on its own stopwatch once the server holds it, so no test sleeps.

let render: RenderEmulator;
let vercel: VercelEmulator;
let apps: Server;
/** Virtual time each Render API request takes (a slow Render), spent on the request's own stopwatch. */
let renderDelayMs = 0;
let base = "";
let closedPort = 0;
let t: OpsRun;

/** Requests the server holds (slow, never), by path, for the fetch wrapper below. */
const arrivals = new Map<string, (release: () => void) => void>();
const realFetch = globalThis.fetch;

beforeAll(async () => {
  [render, vercel] = await Promise.all([startEmulator(), startVercelEmulator()]);
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
    if (renderDelayMs && url.href.startsWith(render.url)) t.clock.spend(init?.signal, renderDelayMs);
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
  await Promise.all([render?.stop(), vercel?.stop()]);
  apps?.closeAllConnections();
  await new Promise((r) => apps?.close(r));
});

beforeEach(() => {
  render.reset({});
  vercel.reset({});
  renderDelayMs = 0;
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
    // Each probe ends a little before the command's deadline, so the report still comes out.
    expect(JSON.parse(t.stdout).rows[1]).toMatchObject({ name: "ott-dev-api-alice", up: false, health: { answer: "no answer within 0.9 s" } });
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
    const start = t.clock.t;
    expect(await t.run("verify", "dev", "--outputs", never.file, "--timeout", "5s")).toBe(1);
    // The last probe gets what is left of the 5 s: the whole command ends on time.
    expect(t.out[0]).toMatch(/^FAIL {2}ott-dev-api: Render deploy dep-\S+ is 'update_in_progress' after 5s; last health answer: no answer within 2 s$/);
    expect(t.clock.t - start).toBeLessThanOrEqual(5_000);
  });
});

describe("protected previews (Vercel Authentication)", () => {
  const BYPASS = "bypass0123456789abcdefghijklmnop";

  it("status: a 401 from Vercel Authentication without the secret is 'protected', not down; with the secret the site is checked", async () => {
    vercel.seed({ id: "prj_web", name: "ott-web", bypass: BYPASS }, []);
    const { file } = await stack("healthy", {}, { frontendUrl: vercel.siteUrl("prj_web") });
    expect(await t.run("status", "dev", "--outputs", file)).toBe(0);
    expect(t.stdout).toMatch(/^dev \(development\): all up/);
    expect(t.stdout).toMatch(/\nprotected\s+frontend\s.*protected by Vercel Authentication \(no bypass secret\).*VERCEL_AUTOMATION_BYPASS_SECRET/);
    // Vercel may also answer with a redirect to its login page: still protected, never "up".
    vercel.options.protectionAnswer = "redirect";
    expect(await t.run("status", "dev", "--outputs", file, "--json")).toBe(0);
    expect(JSON.parse(t.stdout).rows[1]).toMatchObject({ name: "frontend", up: false, protected: true });

    const withSecret = t.outputs({ ...JSON.parse(readOutputs(file)), frontendProtectionBypass: BYPASS }, "secret.json");
    expect(await t.run("status", "dev", "--outputs", withSecret, "--json")).toBe(0);
    expect(JSON.parse(t.stdout).rows[1]).toMatchObject({ name: "frontend", up: true, health: { status: 200 } });
    t.env.VERCEL_AUTOMATION_BYPASS_SECRET = "wrong-secret";
    expect(await t.run("status", "dev", "--outputs", file)).toBe(1);
    expect(t.stdout).toMatch(/\nDOWN\s+frontend\s.*refused the bypass secret/);
  });

  it("verify passes a protected frontend with VERCEL_AUTOMATION_BYPASS_SECRET, and without it says it was not checked instead of failing", async () => {
    vercel.seed({ id: "prj_web", name: "ott-web", bypass: BYPASS }, []);
    const { file } = await stack("healthy", {}, { frontendUrl: vercel.siteUrl("prj_web") });
    expect(await t.run("verify", "dev", "--outputs", file)).toBe(0);
    expect(t.out[1]).toMatch(/^ok {4}frontend \(protected by Vercel Authentication, not checked: .*frontendProtectionBypass/);
    t.env.VERCEL_AUTOMATION_BYPASS_SECRET = BYPASS;
    vercel.projects.get("prj_web").siteStatus = 500;
    expect(await t.run("verify", "dev", "--outputs", file, "--report", "report.json")).toBe(1);
    expect(t.out[1]).toBe(`FAIL  frontend: ${vercel.siteUrl("prj_web")} fails; last answer: HTTP 500: site error`);
    expect(JSON.parse(readOutputs("report.json", t.dir))).toMatchObject({ stack: "dev", ok: false, failing: ["frontend"] });
  });
});

describe("every command honours its deadline, and a broken API is never 'all up'", () => {
  it("an unreachable Render API ends status and verify within --timeout, naming the Render API (was: 187 s, then 'all up'); status still reports the other parts", async () => {
    const { file, mainId } = await stack("healthy");
    t.env.RENDER_API_URL = `http://127.0.0.1:${closedPort}`;
    for (const verb of ["status", "verify"]) {
      const start = t.clock.t;
      expect(await t.run(verb, "dev", "--outputs", file, "--timeout", "2s")).toBe(1);
      expect(t.err.at(-1)).toBe(`${verb} dev: no answer from the Render API (http://127.0.0.1:${closedPort}) within --timeout 2s (last error: ECONNREFUSED); check https://status.render.com, or run again with a longer --timeout`);
      expect(t.stdout).not.toMatch(/all up/);
      expect(t.clock.t - start).toBeLessThanOrEqual(2_000);
    }
    // status: the service Render could not describe is UNKNOWN (its health still shown), the frontend still checked.
    await t.run("status", "dev", "--outputs", file, "--timeout", "2s");
    expect(t.stdout).toMatch(/^dev \(development\): 1 unknown\n/);
    expect(t.stdout).toMatch(new RegExp(`UNKNOWN\\s+${mainId}\\s.*HTTP 200.*Render API not read \\(see below\\)`));
    expect(t.stdout).toMatch(/up\s+frontend\s/);
    expect(t.err).toHaveLength(1);
  });

  it("a Render API answering after 20 s ends status and verify at --timeout 2s", async () => {
    const { file } = await stack("healthy");
    renderDelayMs = 20_000;
    for (const verb of ["status", "verify"]) {
      const start = t.clock.t;
      expect(await t.run(verb, "dev", "--outputs", file, "--timeout", "2s")).toBe(1);
      expect(t.err.at(-1)).toMatch(new RegExp(`^${verb} dev: no answer from the Render API \\(http://127\\.0\\.0\\.1:\\d+/v1\\) within --timeout 2s`));
      expect(t.clock.t - start).toBeLessThanOrEqual(2_000);
    }
  });

  it("a revoked RENDER_API_KEY is exit 2 naming it, from status and verify alike (was: 'all up', and exit 1)", async () => {
    const { file } = await stack("healthy");
    t.env.RENDER_API_KEY = "rnd_revoked";
    for (const verb of ["status", "verify"]) {
      expect(await t.run(verb, "dev", "--outputs", file)).toBe(2);
      expect(t.err.at(-1)).toMatch(new RegExp(`^${verb} dev: the Render API refused RENDER_API_KEY \\(401\\): it is revoked, expired or cannot reach this resource; set RENDER_API_KEY to a Render API key`));
      // status reports what it could read; verify, a deploy gate, stops.
      if (verb === "status") expect(t.stdout).toMatch(/^dev \(development\): 1 unknown\n[^]*up\s+frontend/);
      else expect(t.stdout).toBe("");
    }
  });

  it("a stack owning production: an unreachable or refusing Vercel API is named too", async () => {
    vercel.seed({ id: "prj_web", name: "ott-web" }, [{ sha: "f1f1f1f1" }]);
    const { file } = await stack("healthy", {}, { frontendProjectId: "prj_web", frontendOwnsProduction: true });
    Object.assign(t.env, { VERCEL_TOKEN: "wrong", VERCEL_API_URL: vercel.url });
    expect(await t.run("status", "dev", "--outputs", file)).toBe(2);
    expect(t.stderr).toMatch(/^status dev: the Vercel API refused VERCEL_TOKEN \(403\)/);
    Object.assign(t.env, { VERCEL_API_TOKEN: vercel.token, VERCEL_API_URL: `http://127.0.0.1:${closedPort}` });
    expect(await t.run("verify", "dev", "--outputs", file, "--timeout", "10s")).toBe(1);
    expect(t.err.at(-1)).toMatch(/^verify dev: the Vercel API at http:\/\/127\.0\.0\.1:\d+ could not be reached \(ECONNREFUSED\); check the network and https:\/\/www\.vercel-status\.com$/);
  });
});

describe("production domains left on an older deployment", () => {
  it("status and verify report it and point to webstack promote; verify's report names no part to roll back", async () => {
    vercel.reset({ projectTargets: true });
    t.clock.t = Date.now();
    const ids = vercel.seed({ id: "prj_web", name: "ott-web" }, [{ sha: "f2f2f2f2", minutesAgo: 1 }, { sha: "f1f1f1f1", minutesAgo: 20 }]);
    const { file } = await stack("healthy", {}, { frontendProjectId: "prj_web", frontendOwnsProduction: true });
    Object.assign(t.env, { VERCEL_API_TOKEN: vercel.token, VERCEL_API_URL: vercel.url });
    // A build READY a minute ago, still being aliased with auto-assignment on: not reported.
    vercel.projects.get("prj_web").productionId = ids[1];
    expect(await t.run("status", "dev", "--outputs", file)).toBe(0);
    vercel.projects.get("prj_web").productionId = ids[0];
    // A rollback pins production to f1; the next build from main (f3) stays staged.
    const res = await fetch(`${vercel.url}/v9/projects/prj_web/rollback/${ids[1]}`, { method: "POST", headers: { authorization: `Bearer ${vercel.token}` }, body: "{}" });
    expect(res.status).toBe(201);
    const f3 = vercel.build("prj_web", "f3f3f3f3");
    expect(await t.run("status", "dev", "--outputs", file)).toBe(1);
    expect(t.stdout).toMatch(/^dev \(development\): up, but production is pinned to an older deployment/);
    const line = `frontend: production domains serve ${ids[1]} (f1f1f1f), older than the newest production build ${f3} (f3f3f3f): auto-assignment of production domains is off (a rollback turns it off); run \`webstack promote dev\``;
    expect(t.stdout).toContain(line);
    expect(await t.run("verify", "dev", "--outputs", file, "--report", "report.json")).toBe(1);
    expect(t.out.at(-1)).toContain(`FAIL  ${line}`);
    expect(JSON.parse(readOutputs("report.json", t.dir))).toMatchObject({ ok: false, failing: [], productionPinned: expect.stringContaining("webstack promote") });
  });
});

function readOutputs(name: string, dir = t.dir): string {
  return readFileSync(join(dir, name), "utf8");
}

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextCronRun } from "../../components/cron-schedule";
import { estimateStack, formatUsd, sumLines } from "../../cost/estimate";
import { stackFacts } from "../../cost/facts";
import { serveDashboard, type Served } from "../../ops/dashboard";
import { prepareStack } from "../../synth/prepare";
import { readStackFile } from "../../synth/stack-file";
import { seedDeploys } from "../providers/render/emulator-day2";
import { startEmulator, type RenderEmulator } from "../providers/render/emulator";
import { startVercelEmulator, type VercelEmulator } from "../providers/vercel/emulator";
import { ROOT } from "../harness";
import { createService, OpsRun } from "./harness";

// `webstack dashboard` over four emulated stacks (Render and Vercel emulators, a local server for
// the health URLs), looked at in Debian's headless Chromium as a person would: prod healthy,
// staging with a failed deploy, dev behind Vercel's deployment protection, pr-7 without outputs.

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = resolve(__dirname, "../../.artifacts/dashboard");
const TEAM = "team_0tt7acme2Kp9xWz4Lr8Nq3Vb";
const OWNER = "tea-cs1ott7acme2prod4x0";

let render: RenderEmulator;
let vercel: VercelEmulator;
let apps: Server;
let browser: Browser;
let served: Served;
let t: OpsRun;
let base = "";

async function renderPost<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`${render.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${render.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: scripts/test-servers.sh (npm test's pretest) installs it`);
  const launching = chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  [render, vercel] = await Promise.all([startEmulator(), startVercelEmulator()]);
  // Health URLs: 200, and the 401 page Vercel's deployment protection answers with.
  apps = createServer((req, res) => {
    if (req.url?.startsWith("/protected")) {
      res.writeHead(401, { "content-type": "text/html", "set-cookie": "_vercel_sso_nonce=n0nce; Path=/; HttpOnly" }).end("<title>Authentication Required</title>");
    }
    else res.writeHead(200).end("ok");
  });
  await new Promise<void>((r) => apps.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(apps.address() as AddressInfo).port}`;

  t = new OpsRun();
  t.env = { RENDER_API_KEY: render.apiKey, RENDER_API_URL: render.url, VERCEL_API_TOKEN: vercel.token, VERCEL_API_URL: vercel.url };
  const now = t.clock.now();
  const [prodApi, stagingApi, devApi, alice, bob] = await Promise.all(
    ["ott-prod-api", "ott-staging-api", "ott-dev-api", "ott-dev-api-alice", "ott-dev-api-bob"].map((n) => createService(render.url, render.apiKey, n)),
  );
  seedDeploys(render, prodApi!, [{ status: "live", commit: "a1a1a1a1", minutesAgo: 90 }], now);
  seedDeploys(render, stagingApi!, [{ status: "build_failed", commit: "b2b2b2b2", minutesAgo: 5 }, { status: "live", commit: "b1b1b1b1", minutesAgo: 300 }], now);
  seedDeploys(render, devApi!, [{ status: "live", commit: "d1d1d1d1", minutesAgo: 30 }], now);
  seedDeploys(render, alice!, [{ status: "live", commit: "e1e1e1e1", minutesAgo: 20 }], now);
  seedDeploys(render, bob!, [{ status: "live", commit: "f1f1f1f1", minutesAgo: 2 * 24 * 60 }], now);
  const [prodDb, stagingDb] = await Promise.all(
    [["ott-prod-db", "basic_1gb"], ["ott-staging-db", "basic_256mb"]].map(([name, plan]) => renderPost<{ id: string }>("/postgres", { name, ownerId: OWNER, plan, version: "16" })),
  );
  const [prodKv, stagingKv] = await Promise.all(
    [["ott-prod-cache", "starter"], ["ott-staging-cache", "free"]].map(([name, plan]) => renderPost<{ id: string }>("/key-value", { name, ownerId: OWNER, plan })),
  );
  vercel.seed({ id: "prj_web", name: "ott-web", teamId: TEAM }, [{ sha: "c0ffee1234" }, { sha: "c0ffee0000" }], now);

  const cron = (stack: string, schedules: string[]) => ({ cronScriptName: `ott-${stack}-cron`, cronSchedules: schedules, cronAccountId: "3f1c9a7be2d04c6f8a5b1e9d7c2f4a60" });
  mkdirSync(join(t.dir, "outputs"));
  t.outputs(
    {
      environment: "production",
      appName: "ott",
      backendServiceId: prodApi,
      backendUrl: `${base}/prod`,
      backendHealthCheckPath: "/healthz",
      frontendUrl: `${base}/web-prod`,
      frontendProjectId: "prj_web",
      frontendTeamId: TEAM,
      frontendOwnsProduction: true,
      databaseMode: "isolated",
      renderPostgresId: prodDb!.id,
      // The id staging, dev and the PR template name in webstack:app.renderProject.id.
      renderProjectId: "prj-cs1ott7acme2proj0x0",
      cacheId: prodKv!.id,
      bucketName: "ott-prod-files",
      ...cron("prod", ["*/5 * * * *"]),
    },
    "outputs/prod.json",
  );
  t.outputs(
    {
      environment: "staging",
      appName: "ott",
      backendServiceId: stagingApi,
      backendUrl: `${base}/staging`,
      backendHealthCheckPath: "/healthz",
      frontendUrl: `${base}/web-staging`,
      frontendProjectId: "prj_web",
      frontendTeamId: TEAM,
      frontendOwnsProduction: false,
      databaseMode: "isolated",
      renderPostgresId: stagingDb!.id,
      databaseConsumers: { dev: { host: "h", port: 5432, database: "d", user: "ott_dev" }, preview: { host: "h", port: 5432, database: "d", user: "ott_preview" } },
      cacheId: stagingKv!.id,
      bucketName: "ott-staging-files",
      ...cron("staging", ["*/5 * * * *"]),
    },
    "outputs/staging.json",
  );
  t.outputs(
    {
      environment: "development",
      appName: "ott",
      backendServiceId: devApi,
      backendUrl: `${base}/dev`,
      backendHealthCheckPath: "/healthz",
      branchServiceIds: { alice: alice!, bob: bob! },
      branchUrls: { alice: `${base}/alice`, bob: `${base}/bob` },
      frontendUrl: `${base}/protected`,
      frontendProjectId: "prj_web",
      frontendTeamId: TEAM,
      frontendOwnsProduction: false,
      databaseMode: "shared",
      databaseFrom: "acme/webstack/staging",
      cacheId: stagingKv!.id,
      bucketName: "ott-dev-files",
      backendPendingDomains: [],
      ...cron("dev", ["*/5 * * * *", "*/10 * * * *"]),
    },
    "outputs/dev.json",
  );
  // pr-7: no outputs file at all.
  browser = await launching;
  served = await serveDashboard(t.ops(), { stacks: ["prod", "staging", "dev", "pr-7"], outputs: "outputs", port: 0, intervalMs: 3_600_000 });
});

afterAll(async () => {
  await Promise.all([served?.close(), browser?.close(), render?.stop(), vercel?.stop()]);
  apps?.closeAllConnections();
  await new Promise((r) => apps?.close(r));
});

/** The page at a viewport width, with every request it makes; a request leaving the dashboard's server is refused and kept. */
async function open(width: number, height: number): Promise<{ page: Page; requests: string[] }> {
  // The page's own CSP is bypassed: what its HTML asks for is what gets recorded.
  const context = await browser.newContext({ viewport: { width, height }, bypassCSP: true });
  const requests: string[] = [];
  await context.route("**/*", (route) => {
    requests.push(route.request().url());
    return route.request().url().startsWith(served.url) ? route.continue() : route.abort();
  });
  const page = await context.newPage();
  await page.goto(served.url);
  return { page, requests };
}

/** The committed stack file's estimate, as `npm run synth -- <stack> --format cost` gives it. */
function estimateOf(stack: string) {
  const prepared = prepareStack(readStackFile(ROOT, stack));
  if (!prepared.ok) throw new Error(prepared.errors.join("; "));
  return estimateStack(stackFacts(stack, prepared.config));
}

describe("webstack dashboard in Chromium", () => {
  let page: Page;
  let requests: string[];
  beforeAll(async () => {
    ({ page, requests } = await open(1280, 800));
  });

  it("shows every service's row with its state, health, deploy and age; a failed deploy, the protected frontend", async () => {
    const row = async (stack: string, service: string) =>
      (await page.locator(`[data-stack="${stack}"] tr[data-service="${service}"]`).innerText()).replace(/\s+/g, " ").trim();
    expect(await row("prod", "ott-prod-api")).toMatch(/^✓ up ott-prod-api HTTP 200 0 ms ✓ live a1a1a1a 1h30m ago 127\.0\.0\.1:\d+\/prod\/healthz$/);
    // Ages count from the page's time: a retried API call (a backoff on the fake clock) may add seconds.
    expect(await row("staging", "ott-staging-api")).toMatch(/^✓ up ott-staging-api HTTP 200 0 ms ✕ build failed b2b2b2b 5m\d\ds ago/);
    expect(await row("dev", "ott-dev-api-bob")).toMatch(/^✓ up ott-dev-api-bob HTTP 200 0 ms ✓ live f1f1f1f 2d00h ago/);
    expect(await row("dev", "frontend")).toMatch(/^! protected frontend HTTP 401: behind Vercel.s deployment protection export the stack.s frontendProtectionBypass .*VERCEL_AUTOMATION_BYPASS_SECRET to check it 0 ms 127\.0\.0\.1:\d+\/protected$/);
    const services = await page.locator("tr[data-service]").evaluateAll((rows: any[]) => rows.map((r) => `${r.closest("[data-stack]").dataset.stack} ${r.dataset.service} ${r.dataset.state}`));
    expect(services).toEqual([
      "prod ott-prod-api up",
      "prod frontend up",
      "staging ott-staging-api up",
      "staging frontend up",
      "dev ott-dev-api up",
      "dev ott-dev-api-alice up",
      "dev ott-dev-api-bob up",
      "dev frontend protected",
    ]);
    const overview = await page.locator("nav .overview").innerText();
    expect(overview.replace(/\s+/g, " ")).toBe("prod ✓ all up staging ! up; 1 deploy failed dev ! up; frontend behind protection, not checked pr-7 ✕ not readable");
    expect(await page.locator('[data-stack="pr-7"] [data-part="error"]').innerText()).toBe("⚠ no outputs: outputs/pr-7.json does not exist");
    expect(await page.locator('[data-stack="prod"] [data-part="frontend"]').innerText()).toContain("production domains serve the newest build");
  });

  it("shows the data stores, cron with its next runs, and the stores' owners", async () => {
    const text = (sel: string) => page.locator(sel).innerText();
    expect(await text('[data-stack="prod"] [data-part="database"]')).toBe("own: plan basic_1gb, PostgreSQL 16, state creating");
    expect(await text('[data-stack="staging"] [data-part="database"]')).toMatch(/^own: plan basic_256mb, PostgreSQL 16, .*; used by dev, preview$/);
    expect(await text('[data-stack="dev"] [data-part="database"]')).toBe("shared, staging's");
    expect(await text('[data-stack="dev"] [data-part="cache"]')).toMatch(/^staging's red-/);
    expect(await text('[data-stack="dev"] [data-part="bucket"]')).toBe("own ott-dev-files");
    // The clock stands at 2026-03-01 12:00 UTC.
    expect((await text('[data-stack="dev"] [data-part="cron"]')).replace(/\s+/g, " ")).toContain("*/5 * * * * 2026-03-01 12:05 UTC */10 * * * * 2026-03-01 12:10 UTC");
  });

  it("shows the cost total of the stacks and account fees, the free-hours gauge with its day, and the cron triggers", async () => {
    const [prod, staging, dev] = ["prod", "staging", "dev"].map(estimateOf);
    const fees = [...new Map([prod!, staging!, dev!].flatMap((e) => e.shared).map((l) => [l.shared, l])).values()];
    const total = sumLines([...[prod!, staging!, dev!].map((e) => e.total), ...fees]);
    expect(await page.locator('[data-part="total"]').innerText()).toBe(formatUsd(total.cents, total.approx));
    expect(await page.locator('[data-stack="staging"] [data-part="stack-total"]').innerText()).toBe(formatUsd(staging!.total.cents, staging!.total.approx));
    const gauges = (await page.locator(".gauges").innerText()).replace(/\s+/g, " ");
    // dev's main service kept awake (730 h) and two sleeping branch services (60 h each): over 750 h.
    expect(gauges).toContain(`Render workspace ${OWNER}: free instance-hours ✕ 850 of 750 h a month: runs out about day 27`);
    expect(gauges).toContain("cron triggers (Workers free) ✓ 4 of 5 cron triggers");
  });

  it("draws how the stacks connect: nodes and edges, with the same as text", async () => {
    const nodes = await page.locator("svg.graph [data-node]").evaluateAll((g: any[]) => g.map((n) => n.dataset.node));
    expect(nodes).toEqual(
      expect.arrayContaining(["stack:prod", "stack:staging", "stack:dev", "stack:pr-7", "database:prod", "database:staging", "bucket:ott-dev-files", "render-project:prod", "vercel-project:prj_web"]),
    );
    expect(await page.locator('svg.graph [data-node="stack:pr-7"] title').textContent()).toBe("stack: pr-7 (not readable)");
    const edges = await page.locator("svg.graph path[data-edge]").evaluateAll((p: any[]) => p.map((e) => `${e.dataset.edge} ${e.getAttribute("class")}`));
    expect(edges).toEqual(expect.arrayContaining(["stack:dev->database:staging edge uses", "stack:prod->database:prod edge owns", "stack:staging->render-project:prod edge uses", "stack:dev->vercel-project:prj_web edge uses"]));
    expect(edges.filter((e) => e.includes("->cache:"))).toHaveLength(3);
    const list = await page.locator("ul.edges li").allTextContents();
    expect(list).toEqual(expect.arrayContaining(["dev uses staging's database", "dev uses staging's cache", "prod owns Vercel project", "staging uses prod's Vercel project"]));
    // Every edge is drawn between two boxes on the page.
    const drawn = await page.locator("svg.graph path[data-edge]").evaluateAll((p: any[]) => p.map((e) => e.getTotalLength() as number));
    expect(drawn.every((l) => l > 10)).toBe(true);
  });

  it("loads nothing from anywhere but its own server, and reads well at 1280×800 and at phone width", async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, "dashboard.html"), await page.content());
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-1280.png"), fullPage: true });
    const fits = () => page.evaluate(() => { const w = globalThis as any; return w.document.documentElement.scrollWidth <= w.innerWidth; });
    expect(await fits()).toBe(true);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-390.png"), fullPage: true });
    // Neither width scrolls sideways; on a phone each service is a card whose cells name their column.
    expect(await fits()).toBe(true);
    expect(await page.locator('tr[data-service="ott-prod-api"] td[data-label="State"]').evaluate((td) => (globalThis as any).getComputedStyle(td, "::before").content)).toBe('"State: "');
    expect(requests).toEqual([served.url]);
    expect(readFileSync(join(ARTIFACTS, "dashboard-390.png")).subarray(1, 4).toString()).toBe("PNG");
  });

  it("shows what changed after a refresh (--serve)", async () => {
    const stagingApi = render.listServices().find((s) => s.name === "ott-staging-api")!.id;
    const before = render.deploysOf(stagingApi).map((d) => ({ status: d.status, commit: d.commit?.id, minutesAgo: (t.clock.now() - Date.parse(d.createdAt)) / 60_000 }));
    try {
      seedDeploys(render, stagingApi, [{ status: "live", commit: "b3b3b3b3", minutesAgo: 1 }, ...before], t.clock.now());
      await served.refresh();
      await page.reload();
      expect((await page.locator('[data-stack="staging"] tr[data-service="ott-staging-api"]').innerText()).replace(/\s+/g, " ")).toMatch(/✓ live b3b3b3b 1m\d\ds ago/);
      expect(await page.locator("nav .overview").innerText()).toContain("staging ✓ all up");
    } finally {
      seedDeploys(render, stagingApi, before, t.clock.now());
    }
  });
});

describe("webstack dashboard on the command line", () => {
  it("writes the page, prints the same data with --json, and exits 1 only when no stack could be read", async () => {
    expect(await t.run("dashboard", "prod", "pr-7", "--outputs", "outputs", "--out", "page")).toBe(0);
    const html = readFileSync(join(t.dir, "page", "index.html"), "utf8");
    expect(html).toContain('data-stack="prod"');
    expect(html).not.toMatch(/<script|<link|@import|url\((?!#)|src=/);
    expect(t.stderr).toBe("pr-7: no outputs: outputs/pr-7.json does not exist");
    expect(await t.run("dashboard", "prod", "--outputs", "outputs", "--json")).toBe(0);
    const data = JSON.parse(t.stdout);
    expect(data.stacks[0].status.rows[0]).toMatchObject({ kind: "backend", name: "ott-prod-api", up: true, deploy: { status: "live", commit: "a1a1a1a" } });
    expect(await t.run("dashboard", "pr-7", "--outputs", "outputs")).toBe(1);
    expect(t.stderr).toContain("dashboard: no stack could be read");
    // No stack named: every stack the outputs folder holds.
    expect(await t.run("dashboard", "--outputs", "outputs", "--json")).toBe(0);
    expect(JSON.parse(t.stdout).stacks.map((s: any) => s.stack)).toEqual(["dev", "prod", "staging"]);
    expect(await t.run("dashboard", "prdo")).toBe(2);
    expect(t.stderr).toBe("unknown stack 'prdo'; known stacks: prod, staging, dev, pr-<n>");
    expect(await t.run("dashboard", "--serve", "web")).toBe(2);
    expect(t.stderr).toBe("--serve needs a port number, e.g. --serve 8080 (got 'web')");
  });

  it("shows a missing credential on the stacks it affects, in one line, and renders the rest", async () => {
    const env = t.env;
    t.env = { RENDER_API_KEY: render.apiKey, RENDER_API_URL: render.url };
    try {
      expect(await t.run("dashboard", "prod", "dev", "--outputs", "outputs", "--json")).toBe(0);
    } finally {
      t.env = env;
    }
    const data = JSON.parse(t.stdout);
    expect(data.stacks.map((s: any) => [s.stack, s.problems])).toEqual([
      ["prod", ["set VERCEL_API_TOKEN to check which deployment the production domains serve"]],
      ["dev", []],
    ]);
    expect(data.stacks[1].status.rows).toHaveLength(4);

    t.env = { VERCEL_API_TOKEN: vercel.token, VERCEL_API_URL: vercel.url };
    try {
      expect(await t.run("dashboard", "prod", "--outputs", "outputs", "--out", "no-render")).toBe(0);
    } finally {
      t.env = env;
    }
    const page = readFileSync(join(t.dir, "no-render", "index.html"), "utf8");
    expect(page.match(/<li class="problem">.*?<\/li>/g)).toEqual([
      `<li class="problem"><span aria-hidden="true">⚠</span> Render: RENDER_API_KEY is not set: reading Render&#39;s services, Postgres and Key Value needs a Render API key (Account Settings → API Keys). Set it, e.g. export RENDER_API_KEY=…</li>`,
    ]);
    // The rest of the stack still shows: its cron and its cost.
    expect(page).toMatch(/<table class="cron" data-part="cron">.*\*\/5 \* \* \* \*/);
    expect(page).toContain('<strong data-part="stack-total">≈$');
  });
});

describe("the next run of a cron schedule", () => {
  it("reads weekdays as Cloudflare does (1 = Sunday), in UTC, and gives no time it cannot know", () => {
    const sunday = new Date("2026-03-01T12:00:00Z");
    expect(nextCronRun("0 9 * * 2", sunday)?.toISOString()).toBe("2026-03-02T09:00:00.000Z"); // 2 = Monday on Cloudflare
    expect(nextCronRun("30 6 * * MON-FRI", sunday)?.toISOString()).toBe("2026-03-02T06:30:00.000Z");
    expect(nextCronRun("0 0 L-2 * *", sunday)).toBeUndefined();
    expect(nextCronRun("@daily", sunday)).toBeUndefined();
  });
});

import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { workerUrl } from "../../ops/cloudflare-api";
import { bundleWorker, COMPATIBILITY_DATE } from "../../worker/bundle";
import { FakeClock } from "../ops/fake-clock";
import { OpsRun } from "../ops/harness";

// The bundled Worker in workerd: its run-now route, and the alerts it posts to a local Discord
// receiver, with failure streaks kept in a Miniflare KV namespace.

const SECRET = "cron-secret-abcdefghijklmnop";
const HOOK_PATH = "/api/webhooks/1234567890/hook-token-secret";
let server: Server;
let mf: Miniflare;
let base = "";
const backend: { url: string; headers: IncomingMessage["headers"]; body: string }[] = [];
const posts: { body: any; at: number }[] = [];
/** Status the backend answers per path; the receiver's answers are queued. */
const answers = new Map<string, number>();
const hookAnswers: { status: number; body?: string; headers?: Record<string, string> }[] = [];

const JOBS = {
  "*/5 * * * *": [{ name: "expire-tickets", method: "POST", path: "/internal/cron/expire-tickets" }],
  "0 3 * * *": [{ name: "report", method: "POST", path: "/internal/cron/report" }],
  "*/10 * * * *": [{ name: "keep-alive", method: "GET", path: "/healthz" }],
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (req.url === "/client/v4/accounts/3f1c9a7be2d04c6f8a5b1e9d7c2f4a60/workers/subdomain") {
        const ok = req.headers.authorization === "Bearer cf-token";
        res.writeHead(ok ? 200 : 403, { "content-type": "application/json" });
        res.end(JSON.stringify(ok ? { success: true, errors: [], result: { subdomain: "acme" } } : { success: false, errors: [{ message: "Authentication error" }] }));
        return;
      }
      if (req.url === HOOK_PATH) {
        posts.push({ body: JSON.parse(body), at: Date.now() });
        const a = hookAnswers.shift() ?? { status: 204 };
        res.writeHead(a.status, a.headers ?? {}).end(a.body ?? "");
        return;
      }
      backend.push({ url: req.url ?? "", headers: req.headers, body });
      res.writeHead(answers.get(req.url ?? "") ?? 204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  mf = new Miniflare({
    modules: [{ type: "ESModule", path: "index.js", contents: bundleWorker() }],
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: {
      JOBS,
      TARGET_URL: `http://127.0.0.1:${port}`,
      CRON_SECRET: SECRET,
      RETRY_POLICY: { timeoutMs: 250, budgetMs: 1_000, baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 },
      NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${port}${HOOK_PATH}`,
      STACK_LABEL: "ott test",
    },
    kvNamespaces: ["STATE"],
    // The Worker's JSON log lines are asserted in worker.test.ts; here they would only be noise.
    structuredWorkerdLogs: true,
    handleStructuredLogs: () => undefined,
  });
  base = String(await mf.ready).replace(/\/$/, "");
});

afterAll(async () => {
  await mf?.dispose();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

beforeEach(() => {
  backend.length = 0;
  posts.length = 0;
  answers.clear();
  hookAnswers.length = 0;
});

const run = (job: string, init: { token?: string; method?: string; body?: unknown } = {}) =>
  mf.dispatchFetch(`${base}/run/${job}`, {
    method: init.method ?? "POST",
    headers: init.token === undefined ? {} : { authorization: init.token },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });

/** Typed by hand, like fire(): Miniflare's KV type needs @cloudflare/workers-types. */
const state = async () => (await mf.getKVNamespace("STATE")) as unknown as { get(key: string): Promise<string | null> };

async function fire(cron: string) {
  const worker = (await mf.getWorker()) as unknown as {
    scheduled(event: { cron: string; scheduledTime: Date }): Promise<{ outcome: string }>;
  };
  return worker.scheduled({ cron, scheduledTime: new Date("2026-03-01T12:00:00Z") });
}

describe("the run-now route in workerd", () => {
  it("rejects a missing or wrong bearer token without calling the backend or naming jobs", async () => {
    for (const token of [undefined, "", `Bearer ${SECRET}x`, `Bearer ${SECRET.slice(0, -1)}`, `Basic ${SECRET}`, SECRET, `Bearer ${SECRET} extra`]) {
      const res = await run("expire-tickets", { token });
      expect(res.status, String(token)).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      expect(await res.text()).not.toContain("expire-tickets");
    }
    // An unknown job is a 401 too while unauthenticated.
    expect((await run("nope", { token: "Bearer wrong" })).status).toBe(401);
    expect(backend).toEqual([]);
  });

  it("runs the job with the same headers as a schedule, keyed by the caller's time", async () => {
    const scheduledTime = "2026-03-01T12:34:56.789Z";
    const res = await run("expire-tickets", { token: `Bearer ${SECRET}`, body: { scheduledTime } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ job: "expire-tickets", ok: true, attempts: 1, status: 204, idempotencyKey: `expire-tickets:${scheduledTime}` });
    // The caller retrying its request gets the same key at the backend.
    expect((await run("expire-tickets", { token: `Bearer ${SECRET}`, body: { scheduledTime } })).status).toBe(200);
    expect(backend.map((b) => b.headers["idempotency-key"])).toEqual([`expire-tickets:${scheduledTime}`, `expire-tickets:${scheduledTime}`]);
    expect(backend[0]!.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(JSON.parse(backend[0]!.body)).toEqual({ job: "expire-tickets", cron: "*/5 * * * *", scheduledTime });
    expect(posts).toEqual([]);
  });

  it("answers 404 with the known jobs, 405 for GET, 400 for a bad time, 404 elsewhere", async () => {
    const unknown = await run("expire-ticket", { token: `Bearer ${SECRET}` });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "unknown job 'expire-ticket'", jobs: ["expire-tickets", "report", "keep-alive"] });
    expect((await run("report", { token: `Bearer ${SECRET}`, method: "GET" })).status).toBe(405);
    expect((await run("report", { token: `Bearer ${SECRET}`, body: { scheduledTime: "yesterday" } })).status).toBe(400);
    expect((await mf.dispatchFetch(`${base}/`, { headers: { authorization: `Bearer ${SECRET}` } })).status).toBe(404);
    expect(backend).toEqual([]);
  });
});

describe("alerts from workerd", () => {
  it("alerts once when a job finally fails, stays quiet while it keeps failing, and says when it recovered", async () => {
    answers.set("/internal/cron/report", 503);
    const res = await run("report", { token: `Bearer ${SECRET}` });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ ok: false, attempts: 3, status: 503, error: "HTTP 503" });
    expect(backend).toHaveLength(3); // retried like a schedule
    expect(posts).toHaveLength(1);
    const text = posts[0]!.body.content as string;
    expect(text).toContain("ott test: cron job report failed (manual)");
    expect(text).toContain("HTTP 503 after 3 attempts");
    expect(posts[0]!.body.allowed_mentions).toEqual({ parse: [] });
    for (const secret of [SECRET, "hook-token-secret"]) expect(JSON.stringify(posts[0])).not.toContain(secret);

    expect((await fire("0 3 * * *")).outcome).toBe("exception");
    expect(posts).toHaveLength(1);

    answers.delete("/internal/cron/report");
    expect((await fire("0 3 * * *")).outcome).toBe("ok");
    expect(posts).toHaveLength(2);
    expect(posts[1]!.body.content).toContain("ott test: cron job report recovered");
    const kv = await state();
    expect(await kv.get("alert:report")).toBeNull();
  });

  it("alerts on the third keep-alive failure in a row, once, waiting out Discord's 429", async () => {
    answers.set("/healthz", 500);
    expect((await fire("*/10 * * * *")).outcome).toBe("exception");
    expect((await fire("*/10 * * * *")).outcome).toBe("exception");
    expect(posts).toEqual([]);
    const kv = await state();
    expect(JSON.parse((await kv.get("alert:keep-alive"))!)).toMatchObject({ failures: 2, alerted: false });

    // Discord asks for a short wait first; the Worker waits it out and posts again.
    hookAnswers.push({ status: 429, body: JSON.stringify({ message: "You are being rate limited.", retry_after: 0.05, global: false }), headers: { "content-type": "application/json", "retry-after": "1" } });
    expect((await fire("*/10 * * * *")).outcome).toBe("exception");
    await vi.waitFor(() => expect(posts).toHaveLength(2));
    expect(posts[0]!.body).toEqual(posts[1]!.body);
    // It waited the body's retry_after (0.05 s), not the coarser Retry-After header (1 s).
    const gap = posts[1]!.at - posts[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(40);
    expect(gap).toBeLessThan(900);
    expect(posts[1]!.body.content).toContain("backend health check failed 3 times in a row");

    expect((await fire("*/10 * * * *")).outcome).toBe("exception");
    expect(posts).toHaveLength(2);

    answers.delete("/healthz");
    expect((await fire("*/10 * * * *")).outcome).toBe("ok");
    expect(posts).toHaveLength(3);
    expect(posts[2]!.body.content).toContain("backend health check passes again");
    expect(await kv.get("alert:keep-alive")).toBeNull();
  });
});

describe("webstack cron run, through the Worker in workerd", () => {
  let t: OpsRun;
  const outputs = (secret = SECRET) =>
    t.outputs({ environment: "staging", cronScriptName: "ott-staging-cron", cronAccountId: "3f1c9a7be2d04c6f8a5b1e9d7c2f4a60", cronJobs: ["expire-tickets", "report", "keep-alive"], cronSecret: secret });
  beforeEach(() => {
    t = new OpsRun();
  });

  it("runs a job now with the stack's cron secret; the backend sees the CLI's time in the Idempotency-Key", async () => {
    expect(await t.run("cron", "run", "staging", "expire-tickets", "--outputs", outputs(), "--url", base)).toBe(0);
    expect(t.stdout).toBe("expire-tickets: ok (1 attempt, HTTP 204; Idempotency-Key expire-tickets:2026-03-01T12:00:00.000Z)");
    expect(backend.map((b) => [b.url, b.headers["idempotency-key"]])).toEqual([["/internal/cron/expire-tickets", "expire-tickets:2026-03-01T12:00:00.000Z"]]);
  });

  it("lists the known jobs for an unknown one, reports a failed job, and a secret the Worker refuses", async () => {
    expect(await t.run("cron", "run", "staging", "expire", "--outputs", outputs(), "--url", base)).toBe(2);
    expect(t.stderr).toBe("unknown job 'expire' for staging; its jobs: expire-tickets, report, keep-alive");
    answers.set("/internal/cron/report", 503);
    expect(await t.run("cron", "run", "staging", "report", "--outputs", outputs(), "--url", base)).toBe(1);
    expect(t.stdout).toBe("report: failed: HTTP 503 (3 attempts, HTTP 503)");
    expect(await t.run("cron", "run", "staging", "report", "--outputs", outputs("stale-secret"), "--url", base)).toBe(1);
    expect(t.stderr).toContain("the Worker refused the cron secret (401)");
    expect(backend).toHaveLength(3);
  });

  it("finds the workers.dev address with CLOUDFLARE_API_TOKEN, and names the variable when it is missing", async () => {
    expect(await t.run("cron", "run", "staging", "report", "--outputs", outputs())).toBe(2);
    expect(t.stderr).toMatch(/^CLOUDFLARE_API_TOKEN is not set: finding the cron Worker's workers.dev address \(or pass --url\)/);
    const { port } = server.address() as AddressInfo;
    const env = { CLOUDFLARE_API_TOKEN: "cf-token", CLOUDFLARE_API_URL: `http://127.0.0.1:${port}/client/v4` };
    expect(await workerUrl(env, new FakeClock(), "3f1c9a7be2d04c6f8a5b1e9d7c2f4a60", "ott-staging-cron")).toBe("https://ott-staging-cron.acme.workers.dev");
    await expect(workerUrl({ ...env, CLOUDFLARE_API_TOKEN: "wrong" }, new FakeClock(), "3f1c9a7be2d04c6f8a5b1e9d7c2f4a60", "x")).rejects.toThrow(/HTTP 403: Authentication error\); pass --url/);
  });
});

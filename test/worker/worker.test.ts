import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, symlinkSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { bundleWorker, COMPATIBILITY_DATE } from "../../worker/bundle";

// The bundled Worker runs in real workerd (Miniflare) and calls a Node server on loopback.

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

const ROOT = resolve(__dirname, "../..");
const SECRET = "test-secret-0123456789";
const seen: Seen[] = [];
const hits = new Map<string, number>();
let server: Server;
let mf: Miniflare;
let logs: { level: string; line: Record<string, any> }[] = [];

/** What the fake backend answers, per path and per call number (1-based). */
function reply(path: string, n: number, res: ServerResponse): void {
  switch (path) {
    case "/flaky": // 503 once, then fine
      res.writeHead(n === 1 ? 503 : 200).end(n === 1 ? "warming up" : "ok");
      return;
    case "/unauthorized":
      res.writeHead(401).end("no");
      return;
    case "/always-503":
      res.writeHead(503).end("down");
      return;
    case "/hang": // accepts the request and never answers
      return;
    default:
      res.writeHead(204).end();
  }
}

const JOBS = {
  "*/5 * * * *": [{ name: "expire-tickets", method: "POST", path: "/internal/cron/expire-tickets" }],
  "0 3 * * *": [
    { name: "nightly-report", method: "POST", path: "/internal/cron/report" },
    { name: "keep-alive", method: "GET", path: "/healthz" },
  ],
  "1 * * * *": [{ name: "flaky", method: "POST", path: "/flaky" }],
  "2 * * * *": [{ name: "denied", method: "POST", path: "/unauthorized" }],
  "3 * * * *": [{ name: "hangs", method: "POST", path: "/hang" }],
  "4 * * * *": [
    { name: "broken", method: "POST", path: "/always-503" },
    { name: "healthy", method: "POST", path: "/fine" },
  ],
};
// Small budgets so the failure paths take well under a second each.
const RETRY_POLICY = { timeoutMs: 250, budgetMs: 1_500, baseDelayMs: 20, maxDelayMs: 100, maxAttempts: 4 };

const attempts = (job: string) => logs.filter((l) => l.line.event === "cron.attempt" && l.line.job === job).map((l) => l.line);

/** workerd's log lines arrive through a pipe, possibly just after scheduled() resolves. */
async function attemptsOf(job: string, count: number) {
  await vi.waitFor(() => expect(attempts(job).length).toBeGreaterThanOrEqual(count), { timeout: 2_000, interval: 10 });
  return attempts(job);
}
const at = new Date("2026-03-01T12:05:00Z");

async function fire(cron: string) {
  // Typed by hand: Miniflare's Fetcher type needs @cloudflare/workers-types, which we do not install.
  const worker = (await mf.getWorker()) as unknown as {
    scheduled(event: { cron: string; scheduledTime: Date }): Promise<{ outcome: string; noRetry: boolean }>;
  };
  return worker.scheduled({ cron, scheduledTime: at });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const n = (hits.get(path) ?? 0) + 1;
      hits.set(path, n);
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      reply(path, n, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  mf = new Miniflare({
    modules: [{ type: "ESModule", path: "index.js", contents: bundleWorker() }],
    compatibilityDate: COMPATIBILITY_DATE, // the date the component pins
    bindings: { JOBS, TARGET_URL: `http://127.0.0.1:${port}/`, CRON_SECRET: SECRET, RETRY_POLICY },
    structuredWorkerdLogs: true,
    handleStructuredLogs: ({ level, message }: { level: string; message: string }) => {
      for (const text of message.split("\n")) {
        try {
          logs.push({ level, line: JSON.parse(text) });
        } catch {
          // workerd's own lines (uncaught exception reports) are not ours
        }
      }
    },
  });
  await mf.ready;
});

afterAll(async () => {
  await mf?.dispose();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

beforeEach(() => {
  seen.length = 0;
  hits.clear();
  logs = [];
});

describe("CronTrigger Worker in workerd", () => {
  it("calls the job with the bearer secret, an idempotency key and a JSON body", async () => {
    const result = await fire("*/5 * * * *");
    expect(result.outcome).toBe("ok");
    expect(seen).toHaveLength(1);
    const req = seen[0]!;
    expect(req.method).toBe("POST");
    expect(req.url).toBe("/internal/cron/expire-tickets"); // no double slash from TARGET_URL's trailing '/'
    expect(req.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(req.headers["idempotency-key"]).toBe("expire-tickets:2026-03-01T12:05:00.000Z");
    expect(req.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(req.body)).toEqual({ job: "expire-tickets", cron: "*/5 * * * *", scheduledTime: "2026-03-01T12:05:00.000Z" });
    expect(await attemptsOf("expire-tickets", 1)).toEqual([
      expect.objectContaining({ level: "info", attempt: 1, status: 204, outcome: "ok", path: "/internal/cron/expire-tickets" }),
    ]);
  });

  it("runs only the jobs of the expression that fired", async () => {
    expect((await fire("0 3 * * *")).outcome).toBe("ok");
    expect(seen.map((r) => `${r.method} ${r.url}`).sort()).toEqual(["GET /healthz", "POST /internal/cron/report"]);
    const get = seen.find((r) => r.method === "GET")!;
    expect(get.body).toBe(""); // a GET carries no body
    expect(get.headers["idempotency-key"]).toBe("keep-alive:2026-03-01T12:05:00.000Z");

    seen.length = 0;
    expect((await fire("*/5 * * * *")).outcome).toBe("ok");
    expect(seen.map((r) => r.url)).toEqual(["/internal/cron/expire-tickets"]);
  });

  it("fails the invocation for an expression without jobs", async () => {
    expect((await fire("59 23 * * *")).outcome).toBe("exception");
    expect(seen).toHaveLength(0);
    await vi.waitFor(() =>
      expect(logs.map((l) => l.line)).toContainEqual(expect.objectContaining({ event: "cron.config", level: "error" })),
    );
  });

  it("retries a 503 and succeeds, keeping the same idempotency key", async () => {
    expect((await fire("1 * * * *")).outcome).toBe("ok");
    expect(seen).toHaveLength(2);
    expect(new Set(seen.map((r) => r.headers["idempotency-key"]))).toEqual(new Set(["flaky:2026-03-01T12:05:00.000Z"]));
    expect((await attemptsOf("flaky", 2)).map((l) => [l.attempt, l.status, l.outcome])).toEqual([
      [1, 503, "retry"],
      [2, 200, "ok"],
    ]);
    expect(attempts("flaky")[0]!.retryInMs).toBeGreaterThan(0);
  });

  it("does not retry a 401, and the invocation fails", async () => {
    expect((await fire("2 * * * *")).outcome).toBe("exception");
    expect(seen).toHaveLength(1);
    expect(await attemptsOf("denied", 1)).toEqual([
      expect.objectContaining({ level: "error", attempt: 1, status: 401, outcome: "failed", reason: "not retryable" }),
    ]);
  });

  it("times out a hanging backend, retries within the budget, then fails", async () => {
    expect((await fire("3 * * * *")).outcome).toBe("exception");
    await attemptsOf("hangs", seen.length);
    const lines = attempts("hangs");
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(RETRY_POLICY.maxAttempts);
    expect(seen.length).toBe(lines.length); // each attempt reached the server and was abandoned
    for (const l of lines) expect(l.error).toMatch(/^timeout after \d+ ms$/);
    expect(lines.at(-1)).toMatchObject({ outcome: "failed" });
    expect(lines.at(-1)!.reason).toMatch(/attempts exhausted|budget exhausted/);
  });

  it("runs every job of a schedule before failing for the one that failed", async () => {
    expect((await fire("4 * * * *")).outcome).toBe("exception");
    expect(hits.get("/fine")).toBe(1);
    expect(hits.get("/always-503")).toBe(RETRY_POLICY.maxAttempts);
    expect((await attemptsOf("broken", RETRY_POLICY.maxAttempts)).at(-1)).toMatchObject({ outcome: "failed", reason: "attempts exhausted", status: 503 });
  });
});

describe("bundleWorker", () => {
  it("is deterministic: two builds are byte-identical and carry no absolute paths", async () => {
    const first = bundleWorker();
    // A fresh module instance rebuilds instead of reusing the cached string.
    vi.resetModules();
    const again = (await import("../../worker/bundle.js")).bundleWorker();
    expect(again).toBe(first);
    expect(first).not.toContain(process.cwd());
    expect(first).not.toMatch(/sourceMappingURL/);
    expect(first).toMatch(/export\s*\{[^}]*as default/);
  });

  it("is the same from another checkout and working directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "webstack-bundle-"));
    cpSync(join(ROOT, "worker"), join(dir, "worker"), { recursive: true });
    cpSync(join(ROOT, "bundling"), join(dir, "bundling"), { recursive: true });
    cpSync(join(ROOT, "launcher.cjs"), join(dir, "launcher.cjs"));
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
    const elsewhere = execFileSync(
      process.execPath,
      ["--require", "./launcher.cjs", "-e", 'process.stdout.write(require("./worker/bundle.ts").bundleWorker())'],
      { cwd: dir, encoding: "utf8" },
    );
    expect(elsewhere).toBe(bundleWorker());
    expect(elsewhere).not.toContain(dir);
  });
});

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasUnknown, UNKNOWN } from "../../../providers/kit/provider";
import { createRestClient, isApiError, rateLimitDelayMs, type RestApi } from "../../../providers/kit/rest";

const h = (o: Record<string, string>) => new Headers(o);

describe("rateLimitDelayMs: each API's reset header read with its own meaning", () => {
  const now = 2_000_000_000_000;
  it("seconds until the reset (Supabase)", () => {
    expect(rateLimitDelayMs(h({ "X-RateLimit-Reset": "60" }), { resetHeader: "x-ratelimit-reset", reset: "seconds" }, now)).toBe(60_000);
  });
  it("an epoch timestamp in seconds (Netlify), never negative", () => {
    expect(rateLimitDelayMs(h({ "X-RateLimit-Reset": "2000000007" }), { resetHeader: "x-ratelimit-reset", reset: "epoch" }, now)).toBe(7_000);
    expect(rateLimitDelayMs(h({ "X-RateLimit-Reset": "1999999990" }), { resetHeader: "x-ratelimit-reset", reset: "epoch" }, now)).toBe(0);
  });
  it("auto: a delta below 1e9, an epoch above (Render); Retry-After first; nothing when absent or empty", () => {
    const spec = { resetHeader: "ratelimit-reset", reset: "auto" } as const;
    expect(rateLimitDelayMs(h({ "Ratelimit-Reset": "5" }), spec, now)).toBe(5_000);
    expect(rateLimitDelayMs(h({ "Ratelimit-Reset": "2000000003" }), spec, now)).toBe(3_000);
    expect(rateLimitDelayMs(h({ "Retry-After": "2", "Ratelimit-Reset": "5" }), spec, now)).toBe(2_000);
    expect(rateLimitDelayMs(h({ "Ratelimit-Reset": "" }), spec, now)).toBeUndefined();
    expect(rateLimitDelayMs(h({}), spec, now)).toBeUndefined();
  });
});

describe("hasUnknown", () => {
  it("finds the preview marker at any depth", () => {
    expect(hasUnknown({ a: [1, { b: UNKNOWN }] })).toBe(true);
    expect(hasUnknown({ a: [1, { b: "x" }] })).toBe(false);
  });
});

describe("createRestClient with an API whose errors carry the real status in the body", () => {
  let server: Server;
  let url = "";
  const answers: Array<{ status: number; body: unknown; headers?: Record<string, string> }> = [];
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.apikey ?? ""}`);
      const a = answers.shift() ?? { status: 200, body: { ok: true } };
      res.writeHead(a.status, { "content-type": "application/json", ...(a.headers ?? {}) });
      res.end(JSON.stringify(a.body));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const api: RestApi = {
    label: "Test API",
    errorName: "TestApiError",
    defaultBaseUrl: "http://invalid.invalid",
    envPrefix: "TEST_KIT_API",
    urlEnv: "TEST_KIT_API_URL",
    keyEnv: "TEST_KIT_API_KEY",
    missingKey: "no key: set TEST_KIT_API_KEY",
    userAgent: "kit-test",
    rateLimit: { resetHeader: "x-ratelimit-reset", reset: "seconds" },
    getsPerMinute: 0,
    writesPerMinute: 0,
    throttleScope: "KitTest",
    authHeaders: (k) => ({ apikey: k }),
    errorOf: (status, body: any) => ({ status: status === 400 && body?.statusCode ? Number(body.statusCode) : status, message: body?.message ?? "?" }),
  };

  it("reads the body's status, uses the API's auth header, and retries a 429 after its reset", async () => {
    answers.length = 0;
    seen.length = 0;
    answers.push({ status: 429, body: { message: "slow down" }, headers: { "x-ratelimit-reset": "0" } });
    answers.push({ status: 400, body: { statusCode: "404", message: "Bucket not found" } });
    const c = createRestClient(api, { baseUrl: url, apiKey: "k1", baseDelayMs: 1 });
    const err: any = await c.get("/bucket/x").catch((e: any) => e);
    expect(isApiError(err, 404)).toBe(true);
    expect(err.name).toBe("TestApiError");
    expect(err.message).toBe("Test API GET /bucket/x failed (404): Bucket not found");
    expect(seen).toEqual(["GET /bucket/x k1", "GET /bucket/x k1"]);
  });

  it("refuses without a key, naming how to set one, before any request", async () => {
    seen.length = 0;
    const err: any = await createRestClient(api, { baseUrl: url }).get("/x").catch((e: any) => e);
    expect(err.message).toContain("no key: set TEST_KIT_API_KEY");
    expect(seen).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compact, createRenderClient, isApiError, postOrFind, type RenderClient, serverDelayMs } from "../../../providers/render/client";
import { type RenderEmulator, startEmulator } from "./emulator";

let emu: RenderEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());

const headers = (h: Record<string, string>) => new Headers(h);

describe("serverDelayMs", () => {
  it("reads Ratelimit-Reset as a delta below 1e9 and as an epoch above", () => {
    expect(serverDelayMs(headers({ "Ratelimit-Reset": "42" }))).toBe(42_000);
    expect(serverDelayMs(headers({ "Ratelimit-Reset": "2000000010" }), 2_000_000_000_000)).toBe(10_000);
  });
  it("prefers Retry-After, in seconds or as an HTTP date", () => {
    expect(serverDelayMs(headers({ "Retry-After": "3", "Ratelimit-Reset": "42" }))).toBe(3_000);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(serverDelayMs(headers({ "Retry-After": "Thu, 01 Jan 2026 00:00:05 GMT" }), now)).toBe(5_000);
    expect(serverDelayMs(headers({}))).toBeUndefined();
  });
});

describe("client", () => {
  const fast = { baseDelayMs: 1, maxDelayMs: 4, timeoutMs: 2000, getsPerMinute: 0, writesPerMinute: 0 };

  it("follows cursors across pages", async () => {
    emu.reset();
    const c = createRenderClient({ ...fast, baseUrl: emu.url, apiKey: emu.apiKey, pageSize: 2 });
    for (let i = 0; i < 5; i++) {
      await c.request("POST", "/services", {
        idempotent: false,
        body: { type: "background_worker", name: `w${i}`, ownerId: "tea-a", serviceDetails: { runtime: "node", envSpecificDetails: { buildCommand: "b", startCommand: "s" } } },
      });
    }
    const all = await c.list<{ name: string }>("/services", "service");
    expect(all.map((s) => s.name)).toEqual(["w0", "w1", "w2", "w3", "w4"]);
    expect(emu.requests.filter((r) => r.method === "GET").map((r) => new URL(r.url, "http://x").searchParams.get("cursor"))).toHaveLength(3);
  });

  it("retries 500, 503 and dropped connections on idempotent calls, honouring Retry-After", async () => {
    emu.reset();
    emu.inject("500", "503", "drop", { kind: "429", retryAfterSeconds: 0 });
    const seen: number[] = [];
    const c = createRenderClient({ ...fast, baseUrl: emu.url, apiKey: emu.apiKey, onRequest: (i) => seen.push(i.attempt) });
    await expect(c.list("/services", "service")).resolves.toEqual([]);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it("does not repeat a non-idempotent POST after an ambiguous failure", async () => {
    emu.reset();
    emu.inject("500");
    const c = createRenderClient({ ...fast, baseUrl: emu.url, apiKey: emu.apiKey });
    const err = await c.request("POST", "/services", { idempotent: false, body: {} }).catch((e) => e);
    expect(isApiError(err, 500)).toBe(true);
    expect(emu.requests).toHaveLength(1);
  });

  it("gives up after maxAttempts with a clear error", async () => {
    emu.reset();
    emu.inject("503", "503", "503");
    const c = createRenderClient({ ...fast, baseUrl: emu.url, apiKey: emu.apiKey, maxAttempts: 3 });
    await expect(c.get("/services/srv-x")).rejects.toThrow("Render API GET /services/srv-x failed (503): service unavailable (gave up after 3 attempts)");
  });

  it("refuses to run without a key, without calling Render", async () => {
    emu.reset();
    const saved = process.env.RENDER_API_KEY;
    delete process.env.RENDER_API_KEY;
    try {
      await expect(createRenderClient({ ...fast, baseUrl: emu.url }).get("/services")).rejects.toThrow(/RENDER_API_KEY/);
    } finally {
      if (saved !== undefined) process.env.RENDER_API_KEY = saved;
    }
    expect(emu.requests).toHaveLength(0);
  });

  it("throttles writes client-side to the configured rate", async () => {
    emu.reset();
    const c = createRenderClient({ ...fast, baseUrl: emu.url, apiKey: emu.apiKey, writesPerMinute: 1200, getsPerMinute: 0 });
    // A fresh bucket allows a burst of its size; the next write waits for a token (50 ms at 1200/min).
    const g = globalThis as { __webstackRenderBuckets?: Record<string, { tokens: number; at: number }> };
    g.__webstackRenderBuckets = { "write:1200": { tokens: 0, at: Date.now() } };
    const t0 = Date.now();
    await c.request("DELETE", "/services/srv-none").catch(() => undefined);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(40);
  });
});

describe("postOrFind", () => {
  const apiError = (status: number) => Object.assign(new Error(`failed (${status})`), { name: "RenderApiError", status });
  /** A client whose only used method is `pause`; the log shows the order of pauses, posts and finds. */
  function recording(log: string[]): RenderClient {
    return { pause: async (attempt: number) => void log.push(`pause ${attempt}`) } as unknown as RenderClient;
  }

  it("after an ambiguous failure pauses before it looks, and posts again only when nothing is found", async () => {
    const log: string[] = [];
    let posts = 0;
    const found = await postOrFind(
      recording(log),
      async () => {
        log.push("post");
        if (++posts < 3) throw apiError(posts === 1 ? 0 : 503);
        return "created";
      },
      async () => void log.push("find"),
    );
    expect(found).toBe("created");
    expect(log).toEqual(["post", "pause 1", "find", "post", "pause 2", "find", "post"]);
  });

  for (const status of [400, 409]) {
    it(`reads a ${status} as a name that may be taken: keeps what it finds, else rethrows Render's refusal`, async () => {
      const log: string[] = [];
      const post = async () => {
        log.push("post");
        throw apiError(status);
      };
      expect(await postOrFind(recording(log), post, async () => "earlier")).toBe("earlier");
      await expect(postOrFind(recording(log), post, async () => undefined)).rejects.toThrow(`failed (${status})`);
      // No pause and no second POST: the answer was definite.
      expect(log).toEqual(["post", "post"]);
    });
  }

  it("rethrows other refusals without looking", async () => {
    let finds = 0;
    const err = await postOrFind(recording([]), async () => { throw apiError(402); }, async () => void finds++).catch((e) => e);
    expect(err.status).toBe(402);
    expect(finds).toBe(0);
  });
});

describe("compact", () => {
  it("drops undefined at every depth, which the provider host cannot serialize", () => {
    expect(compact({ a: 1, b: undefined, c: { d: undefined, e: [1, undefined, { f: undefined }] } })).toEqual({ a: 1, c: { e: [1, {}] } });
  });
});

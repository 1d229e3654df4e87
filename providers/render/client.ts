/**
 * A small typed client for Render's REST API v1.
 *
 * It is bundled with the dynamic providers into Pulumi state (provider-source.ts), so it uses
 * only globals (`fetch`, `setTimeout`, `AbortSignal`, `process.env`) and plain functions: the
 * bundle stays self-contained. The API key is read when a request is made and is never part of
 * an error, a log line or the client object.
 */

export const DEFAULT_BASE_URL = "https://api.render.com/v1";

/** The stack-config key the providers' `configure` reads: `pulumi config set --secret render:apiKey …`. */
export const API_KEY_CONFIG = "render:apiKey";

/**
 * The API key from the config Pulumi's dynamic-provider host hands to `configure` (the whole stack
 * config, secrets already decrypted), or undefined when the stack does not set it.
 */
export function apiKeyFromConfig(config: { get(key: string): unknown }): string | undefined {
  const value = config.get(API_KEY_CONFIG);
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

export interface RenderClientOptions {
  /** API key (the providers pass `render:apiKey` from stack config); defaults to `RENDER_API_KEY` read at request time. */
  apiKey?: string;
  /** Defaults to `RENDER_API_URL`, then `https://api.render.com/v1`. */
  baseUrl?: string;
  /** First backoff delay (ms), doubled per attempt with jitter. Default 1000 (`RENDER_API_BACKOFF_MS`). */
  baseDelayMs?: number;
  /** Cap on one backoff delay (ms). Default 60 000. */
  maxDelayMs?: number;
  /** Bound on the total time spent waiting between attempts of one call (ms). Default 15 min (`RENDER_API_MAX_WAIT_MS`). */
  maxTotalWaitMs?: number;
  /** Most attempts per call. Default 10. */
  maxAttempts?: number;
  /** Per-attempt timeout (ms). Default 60 000 (`RENDER_API_TIMEOUT_MS`). */
  timeoutMs?: number;
  /** Client-side limits per minute; Render documents 400 GET and 30 writes per minute per user. */
  getsPerMinute?: number;
  writesPerMinute?: number;
  /** Items per page when listing (Render allows 1–100). Default 100. */
  pageSize?: number;
  /** Called once per HTTP attempt (tests and benchmarks count calls with it). */
  onRequest?: (info: { method: string; path: string; attempt: number }) => void;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /**
   * Whether repeating the call is harmless. A non-idempotent call (creating a service) is
   * retried only on 429, where Render did not execute it; other failures go to the caller,
   * which must look the object up before trying again.
   */
  idempotent?: boolean;
}

export interface RenderApiError extends Error {
  name: "RenderApiError";
  method: string;
  path: string;
  /** HTTP status, or 0 when no answer arrived (network error, timeout). */
  status: number;
  /** Render's `message`, or the network error's text. */
  renderMessage: string;
  retryable: boolean;
  attempts: number;
}

export interface RenderClient {
  request<T = unknown>(method: string, path: string, opts?: RequestOptions): Promise<{ status: number; body: T }>;
  get<T = unknown>(path: string, query?: RequestOptions["query"]): Promise<T>;
  /** Follows cursor pagination and unwraps `[{<key>: item, cursor}]` pages. */
  list<T = unknown>(path: string, key: string, query?: RequestOptions["query"]): Promise<T[]>;
}

/** Whether an error is a Render API error with the given status (0: no answer at all). */
export function isApiError(err: unknown, status?: number): err is RenderApiError {
  return (
    !!err && typeof err === "object" && (err as { name?: string }).name === "RenderApiError" &&
    (status === undefined || (err as RenderApiError).status === status)
  );
}

function envNumber(name: string): number | undefined {
  const v = process.env[name];
  const n = v === undefined || v === "" ? NaN : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Seconds to wait as the server asked: `Retry-After` (seconds or an HTTP date), else
 * `Ratelimit-Reset`, which Render documents as an epoch but sends as a delta (values below 1e9).
 */
export function serverDelayMs(headers: { get(name: string): string | null }, now: number = Date.now()): number | undefined {
  const retryAfter = headers.get("retry-after");
  if (retryAfter) {
    const secs = Number(retryAfter);
    if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  const reset = Number(headers.get("ratelimit-reset") ?? "");
  if (headers.get("ratelimit-reset") !== null && Number.isFinite(reset)) {
    return Math.max(0, reset < 1e9 ? reset * 1000 : reset * 1000 - now);
  }
  return undefined;
}

/** A token bucket per request class, shared by every client in the process. */
async function throttle(kind: "get" | "write", perMinute: number): Promise<void> {
  if (!(perMinute > 0) || !Number.isFinite(perMinute)) return;
  const g = globalThis as { __webstackRenderBuckets?: Record<string, { tokens: number; at: number }> };
  const buckets = (g.__webstackRenderBuckets ??= {});
  const key = `${kind}:${perMinute}`;
  const b = (buckets[key] ??= { tokens: perMinute, at: Date.now() });
  for (;;) {
    const now = Date.now();
    b.tokens = Math.min(perMinute, b.tokens + ((now - b.at) * perMinute) / 60_000);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return;
    }
    await new Promise((r) => setTimeout(r, Math.ceil(((1 - b.tokens) * 60_000) / perMinute)));
  }
}

function apiError(
  method: string,
  path: string,
  status: number,
  message: string,
  retryable: boolean,
  attempts: number,
): RenderApiError {
  const where = status ? `${status}` : "no response";
  const err = new Error(`Render API ${method} ${path} failed (${where}): ${message}`) as RenderApiError;
  err.name = "RenderApiError";
  err.method = method;
  err.path = path;
  err.status = status;
  err.renderMessage = message;
  err.retryable = retryable;
  err.attempts = attempts;
  return err;
}

/** Pulumi's marker for an input not known yet (during preview); `check` must let it pass. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * What every Render provider starts from: a client factory and the `configure` that feeds it the
 * stack's `render:apiKey`. The key is held in a closure filled in the provider host, after the
 * provider was bundled into state, so it never reaches state.
 */
export function configurableClient(options: RenderClientOptions = {}): {
  client: () => RenderClient;
  configure: (req: { config: { get(key: string): unknown } }) => Promise<void>;
} {
  const auth: { apiKey?: string } = {};
  return {
    client: () => createRenderClient({ ...options, apiKey: options.apiKey ?? auth.apiKey }),
    configure: async (req) => {
      auth.apiKey = apiKeyFromConfig(req.config);
    },
  };
}

/** GET that reads a 404 as "gone" (deleted outside Pulumi, or its parent is). */
export async function getOrGone<T = any>(client: RenderClient, path: string): Promise<T | undefined> {
  try {
    return await client.get<T>(path);
  } catch (err) {
    if (isApiError(err, 404)) return undefined;
    throw err;
  }
}

/** DELETE where a 404 counts as done: deleted already, or retried after a lost answer. */
export async function deleteOrGone(client: RenderClient, path: string, query?: RequestOptions["query"]): Promise<void> {
  try {
    await client.request("DELETE", path, query ? { query } : {});
  } catch (err) {
    if (!isApiError(err, 404)) throw err;
  }
}

/**
 * Runs a non-idempotent POST at most once per lost answer: after a failure that may hide a
 * success (no answer, 5xx, 409), it looks the object up and keeps what it finds.
 */
export async function postOrFind<T>(post: () => Promise<T>, find: () => Promise<T | undefined>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await post();
    } catch (err) {
      const ambiguous = !isApiError(err) || err.status === 0 || err.status >= 500 || err.status === 409;
      if (!ambiguous) throw err;
      const found = await find();
      if (found !== undefined) return found;
      if (attempt >= attempts || (isApiError(err) && err.status === 409)) throw err;
    }
  }
}

export function createRenderClient(options: RenderClientOptions = {}): RenderClient {
  const baseUrl = (options.baseUrl ?? process.env.RENDER_API_URL ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  const baseDelayMs = options.baseDelayMs ?? envNumber("RENDER_API_BACKOFF_MS") ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const maxTotalWaitMs = options.maxTotalWaitMs ?? envNumber("RENDER_API_MAX_WAIT_MS") ?? 15 * 60_000;
  const maxAttempts = options.maxAttempts ?? 10;
  const timeoutMs = options.timeoutMs ?? envNumber("RENDER_API_TIMEOUT_MS") ?? 60_000;
  const getsPerMinute = options.getsPerMinute ?? 400;
  const writesPerMinute = options.writesPerMinute ?? 30;
  // Kept in a closure variable, not a property, so logging the client never shows it.
  const explicitKey = options.apiKey;

  async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<{ status: number; body: T }> {
    const key = explicitKey ?? process.env.RENDER_API_KEY;
    if (!key) throw apiError(method, path, 0, `no API key: run \`pulumi config set --secret ${API_KEY_CONFIG} <key>\` or set RENDER_API_KEY for \`pulumi up\``, false, 0);
    const qs = Object.entries(opts.query ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join("&");
    const url = `${baseUrl}${path}${qs ? `?${qs}` : ""}`;
    const idempotent = opts.idempotent ?? method !== "POST";
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      await throttle(method === "GET" ? "get" : "write", method === "GET" ? getsPerMinute : writesPerMinute);
      options.onRequest?.({ method, path, attempt });
      let status = 0;
      let message: string;
      let retryable: boolean;
      let askedDelay: number | undefined;
      try {
        const res = await fetch(url, {
          method,
          headers: {
            Authorization: `Bearer ${key}`,
            Accept: "application/json",
            "User-Agent": "webstack-render-provider",
            ...(opts.body === undefined ? {} : { "Content-Type": "application/json" }),
          },
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await res.text();
        let parsed: unknown = undefined;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        if (res.ok) return { status: res.status, body: parsed as T };
        status = res.status;
        const m = (parsed as { message?: unknown } | undefined)?.message;
        message = typeof m === "string" && m ? m : text.slice(0, 200) || res.statusText || "no message";
        retryable = status === 429 || (idempotent && status >= 500);
        askedDelay = status === 429 || status === 503 ? serverDelayMs(res.headers) : undefined;
      } catch (err) {
        // No answer: the request may or may not have been executed.
        const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
        message =
          e.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err));
        retryable = idempotent;
      }
      if (message.includes(key)) message = message.split(key).join("[redacted]");
      if (!retryable) throw apiError(method, path, status, message, false, attempt);
      if (attempt >= maxAttempts) {
        throw apiError(method, path, status, `${message} (gave up after ${attempt} attempts)`, true, attempt);
      }
      const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      const jittered = backoff / 2 + (Math.random() * backoff) / 2;
      const delay = askedDelay !== undefined ? askedDelay + Math.random() * Math.min(baseDelayMs, 1000) : jittered;
      if (waited + delay > maxTotalWaitMs) {
        throw apiError(
          method,
          path,
          status,
          `${message} (gave up: next retry in ${Math.round(delay / 1000)} s would exceed the ${Math.round(maxTotalWaitMs / 1000)} s wait budget)`,
          true,
          attempt,
        );
      }
      waited += delay;
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  return {
    request,
    async get<T>(path: string, query?: RequestOptions["query"]) {
      return (await request<T>("GET", path, { query })).body;
    },
    async list<T>(path: string, key: string, query: RequestOptions["query"] = {}) {
      const items: T[] = [];
      const limit = options.pageSize ?? 100;
      let cursor: string | undefined;
      for (;;) {
        const page = (await request<Array<Record<string, unknown>>>("GET", path, { query: { ...query, limit, cursor } })).body ?? [];
        for (const entry of page) items.push(entry[key] as T);
        const last = page[page.length - 1];
        // Fewer than `limit` items means the last page, which saves the empty-page round trip.
        if (page.length < limit || !last || typeof last.cursor !== "string") return items;
        cursor = last.cursor;
      }
    },
  };
}

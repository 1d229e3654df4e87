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
  /** Most attempts per call. Default 10 (`RENDER_API_MAX_ATTEMPTS`). */
  maxAttempts?: number;
  /** Per-attempt timeout (ms). Default 60 000 (`RENDER_API_TIMEOUT_MS`). */
  timeoutMs?: number;
  /**
   * Client-side limits per minute; Render documents 400 GET and 30 writes per minute per user.
   * Also `RENDER_API_GETS_PER_MINUTE` / `RENDER_API_WRITES_PER_MINUTE` (0 turns the limit off).
   */
  getsPerMinute?: number;
  writesPerMinute?: number;
  /** Items per page when listing (Render allows 1–100). Default 100. */
  pageSize?: number;
  /** Called once per HTTP attempt (tests and benchmarks count calls with it). */
  onRequest?: (info: { method: string; path: string; attempt: number }) => void;
  /**
   * The caller's deadline (the ops commands' `--timeout`): it aborts the attempt in flight and any
   * backoff wait, and the call fails at once with status 0 and `deadline: true`.
   */
  signal?: AbortSignal;
  /** Time source for attempt timeouts and backoff waits (the ops commands inject theirs; tests a fake). */
  clock?: {
    sleep(ms: number, signal?: AbortSignal): Promise<void>;
    timeout(ms: number, parent?: AbortSignal): AbortSignal;
  };
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
  /** The caller's deadline (`signal`) passed before Render answered. */
  deadline?: boolean;
}

export interface RenderClient {
  request<T = unknown>(method: string, path: string, opts?: RequestOptions): Promise<{ status: number; body: T }>;
  get<T = unknown>(path: string, query?: RequestOptions["query"]): Promise<T>;
  /** Follows cursor pagination and unwraps `[{<key>: item, cursor}]` pages. */
  list<T = unknown>(path: string, key: string, query?: RequestOptions["query"]): Promise<T[]>;
  /** Waits the client's jittered backoff for the given attempt (1, 2, …). */
  pause(attempt: number): Promise<void>;
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
 * Runs a non-idempotent POST without ever leaving a duplicate behind:
 * - no answer, or a 5xx: the object may exist anyway, and may show in lists only a moment later,
 *   so it pauses (the client's backoff) and looks it up; found, it is kept; not found, it POSTs again;
 * - 400 or 409: a name already taken answers with either (which one is unconfirmed), so it looks the
 *   object up once; not found, the error was a real refusal and Render's message goes to the caller.
 */
export async function postOrFind<T>(client: RenderClient, post: () => Promise<T>, find: () => Promise<T | undefined>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await post();
    } catch (err) {
      const status = isApiError(err) ? err.status : 0;
      const taken = status === 400 || status === 409;
      const ambiguous = !isApiError(err) || status === 0 || status >= 500;
      if (!taken && !ambiguous) throw err;
      if (ambiguous) await client.pause(attempt);
      const found = await find();
      if (found !== undefined) return found;
      if (taken || attempt >= attempts) throw err;
    }
  }
}

type ProviderOps = {
  create?: (...a: any[]) => Promise<any>;
  read?: (...a: any[]) => Promise<any>;
  update?: (...a: any[]) => Promise<any>;
  delete?: (...a: any[]) => Promise<any>;
};

/**
 * The provider with every failure of create, read, update and delete naming the resource, as one
 * line: `Render service 'ott-prod-api': Render API PATCH /services/srv-… failed (400): …`. An error
 * keeps its `id` and `properties` (a partial create), so the engine still records them.
 */
export function namingErrors<P extends ProviderOps>(provider: P, what: (props: Record<string, any>, id?: string) => string): P {
  const wrap =
    (op: keyof ProviderOps, propsAt: number, idAt?: number) =>
    async (...args: any[]) => {
      try {
        return await provider[op]!(...args);
      } catch (err) {
        const name = what(args[propsAt] ?? {}, idAt === undefined ? undefined : args[idAt]);
        const e = err instanceof Error ? err : new Error(String(err));
        const line = e.message.replace(/\s*\n\s*/g, " ");
        e.message = line.startsWith(name) ? line : `${name}: ${line}`;
        throw e;
      }
    };
  return {
    ...provider,
    ...(provider.create ? { create: wrap("create", 0) } : {}),
    ...(provider.read ? { read: wrap("read", 1, 0) } : {}),
    ...(provider.update ? { update: wrap("update", 2, 0) } : {}),
    ...(provider.delete ? { delete: wrap("delete", 1, 0) } : {}),
  };
}

/**
 * Polls a database or Key Value instance (`GET path`) until its status is `available`; right after
 * create Render reports `creating` or `unknown`, and connection info works only once it is available.
 */
export async function waitUntilAvailable(client: RenderClient, path: string, status: string | undefined, timeoutSeconds: number, pollMs: number): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (status !== "available") {
    if (Date.now() > deadline) throw new Error(`it is still '${status}' after ${timeoutSeconds} s`);
    await new Promise((r) => setTimeout(r, pollMs));
    status = (await client.get<any>(path)).status;
  }
}

/** A copy without `undefined` at any depth: Pulumi's provider host cannot serialize it (`Unexpected struct type.`). */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(compact) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, compact(v)])) as T;
  }
  return value;
}

/**
 * The error for a failure after Render created the object: it carries the object's `id` and what is
 * known of it, so the engine records the resource (ErrorResourceInitFailed) instead of forgetting it,
 * and the next `pulumi up` updates it rather than creating a second one.
 */
export function createdButFailed(what: string, id: string, properties: object, err: unknown): Error {
  const reason = err instanceof Error ? err.message : String(err);
  const e = new Error(`${what} ${id} exists, but ${reason}`) as Error & { id: string; properties: object; reasons: string[] };
  e.id = id;
  e.properties = compact(properties);
  e.reasons = [reason];
  return e;
}

/**
 * Whether only the provider's own code differs between the recorded state and the program. The
 * engine runs `read` and `delete` with the code recorded at the last create or update, so a fix
 * reaches an existing resource only through an update; that update makes no Render call.
 */
export function providerChanged(olds: { __provider?: unknown }, news: { __provider?: unknown }): boolean {
  return typeof olds.__provider === "string" && typeof news.__provider === "string" && olds.__provider !== news.__provider;
}

export function createRenderClient(options: RenderClientOptions = {}): RenderClient {
  const baseUrl = (options.baseUrl ?? process.env.RENDER_API_URL ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  const baseDelayMs = options.baseDelayMs ?? envNumber("RENDER_API_BACKOFF_MS") ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const maxTotalWaitMs = options.maxTotalWaitMs ?? envNumber("RENDER_API_MAX_WAIT_MS") ?? 15 * 60_000;
  const maxAttempts = options.maxAttempts ?? envNumber("RENDER_API_MAX_ATTEMPTS") ?? 10;
  const timeoutMs = options.timeoutMs ?? envNumber("RENDER_API_TIMEOUT_MS") ?? 60_000;
  const getsPerMinute = options.getsPerMinute ?? envNumber("RENDER_API_GETS_PER_MINUTE") ?? 400;
  const writesPerMinute = options.writesPerMinute ?? envNumber("RENDER_API_WRITES_PER_MINUTE") ?? 30;
  // Kept in a closure variable, not a property, so logging the client never shows it.
  const explicitKey = options.apiKey;
  const outer = options.signal;
  const attemptSignal = (): AbortSignal =>
    options.clock
      ? options.clock.timeout(timeoutMs, outer)
      : outer
        ? AbortSignal.any([AbortSignal.timeout(timeoutMs), outer])
        : AbortSignal.timeout(timeoutMs);
  const wait = (ms: number): Promise<void> =>
    options.clock ? options.clock.sleep(ms, outer) : new Promise((r) => setTimeout(r, ms));
  const pastDeadline = (method: string, path: string, message: string, attempts: number): RenderApiError => {
    const err = apiError(method, path, 0, `${message ? `${message}; ` : ""}the deadline passed`, false, attempts);
    err.deadline = true;
    return err;
  };

  function backoffMs(attempt: number): number {
    const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    return backoff / 2 + (Math.random() * backoff) / 2;
  }

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
          signal: attemptSignal(),
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
        if (outer?.aborted) throw pastDeadline(method, path, "", attempt);
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
      const jittered = backoffMs(attempt);
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
      try {
        await wait(delay);
      } catch {
        throw pastDeadline(method, path, message, attempt);
      }
      if (outer?.aborted) throw pastDeadline(method, path, message, attempt);
    }
  }

  return {
    request,
    pause: (attempt) => wait(backoffMs(attempt)),
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

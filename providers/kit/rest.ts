/**
 * The REST client every dynamic provider (Render, Supabase, Netlify) is built on: bounded retries
 * with jittered backoff, the server's rate-limit headers honoured, a client-side throttle, a
 * per-attempt timeout, and errors that name the API, the call and the status without the key.
 *
 * It is bundled with the providers into Pulumi state (see bundle.ts), so it uses only globals
 * (`fetch`, `setTimeout`, `AbortSignal`, `process.env`) and plain functions. The key is read when a
 * request is made and is never part of an error, a log line or the client object.
 */
import { timeoutSignal } from "./timeout";

type Headers = { get(name: string): string | null };

/** How one API tells a client when to try again. */
export interface RateLimitHeaders {
  /** Header holding the reset, e.g. `ratelimit-reset` (Render) or `x-ratelimit-reset` (Supabase, Netlify). */
  resetHeader: string;
  /**
   * What its value means: `seconds` until the reset (Supabase), an `epoch` timestamp in seconds
   * (Netlify), or `auto`: a delta below 1e9 and an epoch above (Render documents an epoch, sends a delta).
   */
  reset: "seconds" | "epoch" | "auto";
}

/**
 * Milliseconds to wait as the server asked: `Retry-After` (seconds or an HTTP date) first, else the
 * API's reset header read with that API's semantics. Undefined when the answer says nothing.
 */
export function rateLimitDelayMs(headers: Headers, spec: RateLimitHeaders, now: number = Date.now()): number | undefined {
  const retryAfter = headers.get("retry-after");
  if (retryAfter) {
    const secs = Number(retryAfter);
    if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  const raw = headers.get(spec.resetHeader);
  const reset = Number(raw ?? "");
  if (raw === null || raw.trim() === "" || !Number.isFinite(reset)) return undefined;
  const epoch = spec.reset === "epoch" || (spec.reset === "auto" && reset >= 1e9);
  return Math.max(0, epoch ? reset * 1000 - now : reset * 1000);
}

/** One API's fixed facts; everything tunable is in `RestClientOptions`. */
export interface RestApi {
  /** Names the API in errors: `Render API`, `Supabase Management API`. */
  label: string;
  /** The error's `name` (`RenderApiError`); `isApiError` accepts any name ending in `ApiError`. */
  errorName: string;
  defaultBaseUrl: string;
  /**
   * Prefix of the environment variables that tune a client: `<P>_BACKOFF_MS`, `<P>_MAX_WAIT_MS`,
   * `<P>_MAX_ATTEMPTS`, `<P>_TIMEOUT_MS`, `<P>_GETS_PER_MINUTE`, `<P>_WRITES_PER_MINUTE`.
   */
  envPrefix: string;
  /** Variable holding the base URL, read when the client is made (`RENDER_API_URL`). */
  urlEnv: string;
  /** Variable holding the key, read at request time (`RENDER_API_KEY`). */
  keyEnv: string;
  /** The error text when no key is set. */
  missingKey: string;
  userAgent: string;
  rateLimit: RateLimitHeaders;
  /** Client-side limits per minute when neither options nor environment set them (0: none). */
  getsPerMinute: number;
  writesPerMinute: number;
  /** The process-wide throttle buckets live in `globalThis[__webstack<scope>Buckets]`. */
  throttleScope: string;
  /** Auth headers for a key; default `Authorization: Bearer <key>`. */
  authHeaders?: (key: string) => Record<string, string>;
  /**
   * The real status and message of a failed answer. Default: the HTTP status and the body's
   * `message`. Supabase Storage answers 400 with the real status in `body.statusCode`.
   */
  errorOf?: (status: number, body: unknown, text: string) => { status: number; message: string };
}

export interface RestClientOptions {
  /** The key; defaults to the API's key variable read at request time. */
  apiKey?: string;
  /** Defaults to the API's URL variable, then its default base URL. */
  baseUrl?: string;
  /** First backoff delay (ms), doubled per attempt with jitter. Default 1000. */
  baseDelayMs?: number;
  /** Cap on one backoff delay (ms). Default 60 000. */
  maxDelayMs?: number;
  /** Bound on the total time spent waiting between attempts of one call (ms). Default 15 min. */
  maxTotalWaitMs?: number;
  /** Most attempts per call. Default 10. */
  maxAttempts?: number;
  /** Per-attempt timeout (ms). Default 60 000. */
  timeoutMs?: number;
  /** Client-side limits per minute (0 turns a limit off). */
  getsPerMinute?: number;
  writesPerMinute?: number;
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
   * Whether repeating the call is harmless. A non-idempotent call (a create) is retried only on
   * 429, where the API did not execute it; other failures go to the caller, which must look the
   * object up before trying again (`postOrFind`).
   */
  idempotent?: boolean;
}

export interface ApiError extends Error {
  method: string;
  path: string;
  /** HTTP status (or the body's status where the API puts the truth there), 0 when no answer arrived. */
  status: number;
  /** The API's `message`, or the network error's text. */
  apiMessage: string;
  retryable: boolean;
  attempts: number;
  /** The caller's deadline (`signal`) passed before the API answered. */
  deadline?: boolean;
}

export interface RestClient {
  request<T = unknown>(method: string, path: string, opts?: RequestOptions): Promise<{ status: number; body: T }>;
  get<T = unknown>(path: string, query?: RequestOptions["query"]): Promise<T>;
  /** Waits the client's jittered backoff for the given attempt (1, 2, …). */
  pause(attempt: number): Promise<void>;
}

/** Whether an error is an API error (of any API built on this kit) with the given status (0: no answer at all). */
export function isApiError(err: unknown, status?: number): err is ApiError {
  return (
    !!err && typeof err === "object" && /ApiError$/.test(String((err as { name?: string }).name)) &&
    (status === undefined || (err as ApiError).status === status)
  );
}

function envNumber(name: string): number | undefined {
  const v = process.env[name];
  const n = v === undefined || v === "" ? NaN : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** A token bucket per request class, shared by every client of one API in the process. */
async function throttle(scope: string, kind: "get" | "write", perMinute: number): Promise<void> {
  if (!(perMinute > 0) || !Number.isFinite(perMinute)) return;
  const g = globalThis as Record<string, any>;
  const buckets: Record<string, { tokens: number; at: number }> = (g[`__webstack${scope}Buckets`] ??= {});
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

function apiError(api: RestApi, method: string, path: string, status: number, message: string, retryable: boolean, attempts: number): ApiError {
  const where = status ? `${status}` : "no response";
  const err = new Error(`${api.label} ${method} ${path} failed (${where}): ${message}`) as ApiError;
  err.name = api.errorName;
  err.method = method;
  err.path = path;
  err.status = status;
  err.apiMessage = message;
  err.retryable = retryable;
  err.attempts = attempts;
  return err;
}

function defaultErrorOf(status: number, body: unknown, text: string): { status: number; message: string } {
  const m = (body as { message?: unknown } | undefined)?.message;
  return { status, message: typeof m === "string" && m ? m : text.slice(0, 200) || "no message" };
}

export function createRestClient(api: RestApi, options: RestClientOptions = {}): RestClient {
  const p = api.envPrefix;
  const baseUrl = (options.baseUrl ?? (process.env[api.urlEnv]?.trim() || api.defaultBaseUrl)).replace(/\/+$/, "");
  const baseDelayMs = options.baseDelayMs ?? envNumber(`${p}_BACKOFF_MS`) ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const maxTotalWaitMs = options.maxTotalWaitMs ?? envNumber(`${p}_MAX_WAIT_MS`) ?? 15 * 60_000;
  const maxAttempts = options.maxAttempts ?? envNumber(`${p}_MAX_ATTEMPTS`) ?? 10;
  const timeoutMs = options.timeoutMs ?? envNumber(`${p}_TIMEOUT_MS`) ?? 60_000;
  const getsPerMinute = options.getsPerMinute ?? envNumber(`${p}_GETS_PER_MINUTE`) ?? api.getsPerMinute;
  const writesPerMinute = options.writesPerMinute ?? envNumber(`${p}_WRITES_PER_MINUTE`) ?? api.writesPerMinute;
  const errorOf = api.errorOf ?? defaultErrorOf;
  // Kept in a closure variable, not a property, so logging the client never shows it.
  const explicitKey = options.apiKey;
  const outer = options.signal;
  const attemptSignal = (): AbortSignal =>
    options.clock
      ? options.clock.timeout(timeoutMs, outer)
      : timeoutSignal(timeoutMs, outer);
  const wait = (ms: number): Promise<void> => (options.clock ? options.clock.sleep(ms, outer) : new Promise((r) => setTimeout(r, ms)));
  const pastDeadline = (method: string, path: string, message: string, attempts: number): ApiError => {
    const err = apiError(api, method, path, 0, `${message ? `${message}; ` : ""}the deadline passed`, false, attempts);
    err.deadline = true;
    return err;
  };

  function backoffMs(attempt: number): number {
    const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    return backoff / 2 + (Math.random() * backoff) / 2;
  }

  async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<{ status: number; body: T }> {
    const key = explicitKey ?? process.env[api.keyEnv]?.trim();
    if (!key) throw apiError(api, method, path, 0, api.missingKey, false, 0);
    const qs = Object.entries(opts.query ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join("&");
    const url = `${baseUrl}${path}${qs ? `?${qs}` : ""}`;
    const idempotent = opts.idempotent ?? method !== "POST";
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      await throttle(api.throttleScope, method === "GET" ? "get" : "write", method === "GET" ? getsPerMinute : writesPerMinute);
      options.onRequest?.({ method, path, attempt });
      let status = 0;
      let message: string;
      let retryable: boolean;
      let askedDelay: number | undefined;
      try {
        const res = await fetch(url, {
          method,
          headers: {
            ...(api.authHeaders ? api.authHeaders(key) : { Authorization: `Bearer ${key}` }),
            Accept: "application/json",
            "User-Agent": api.userAgent,
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
        const real = errorOf(res.status, parsed, text || res.statusText);
        status = real.status;
        message = real.message;
        retryable = status === 429 || (idempotent && status >= 500);
        askedDelay = status === 429 || status === 503 ? rateLimitDelayMs(res.headers, api.rateLimit) : undefined;
      } catch (err) {
        // No answer: the request may or may not have been executed.
        if (outer?.aborted) throw pastDeadline(method, path, "", attempt);
        const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
        message =
          e.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err));
        retryable = idempotent;
      }
      if (message.includes(key)) message = message.split(key).join("[redacted]");
      if (!retryable) throw apiError(api, method, path, status, message, false, attempt);
      if (attempt >= maxAttempts) {
        throw apiError(api, method, path, status, `${message} (gave up after ${attempt} attempts)`, true, attempt);
      }
      const jittered = backoffMs(attempt);
      const delay = askedDelay !== undefined ? askedDelay + Math.random() * Math.min(baseDelayMs, 1000) : jittered;
      if (waited + delay > maxTotalWaitMs) {
        throw apiError(
          api,
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
  };
}

/**
 * Render's REST API v1 on the shared REST-provider kit (providers/kit): the API's facts (base URL,
 * key, `Ratelimit-Reset`, documented limits) and its cursor pagination. Retries, rate limits,
 * find-before-create, partial state and compact results are the kit's.
 */
import { createRestClient, type ApiError, type RestApi, type RestClient, type RestClientOptions, type RequestOptions, rateLimitDelayMs } from "../kit/rest";
import { configurableClient as kitConfigurable, stringFromConfig, waitFor } from "../kit/provider";

export { isApiError, type RequestOptions } from "../kit/rest";
export { compact, createdButFailed, deleteOrGone, getOrGone, namingErrors, postOrFind, providerChanged, UNKNOWN } from "../kit/provider";

export const DEFAULT_BASE_URL = "https://api.render.com/v1";

/** The stack-config key the providers' `configure` reads: `pulumi config set --secret render:apiKey …`. */
export const API_KEY_CONFIG = "render:apiKey";

/**
 * The API key from the config Pulumi's dynamic-provider host hands to `configure` (the whole stack
 * config, secrets already decrypted), or undefined when the stack does not set it.
 */
export function apiKeyFromConfig(config: { get(key: string): unknown }): string | undefined {
  return stringFromConfig(config, API_KEY_CONFIG);
}

/** Render's `Ratelimit-Reset` is documented as an epoch but sent as a delta (values below 1e9). */
const RATE_LIMIT = { resetHeader: "ratelimit-reset", reset: "auto" } as const;

export const RENDER_API: RestApi = {
  label: "Render API",
  errorName: "RenderApiError",
  defaultBaseUrl: DEFAULT_BASE_URL,
  envPrefix: "RENDER_API",
  urlEnv: "RENDER_API_URL",
  keyEnv: "RENDER_API_KEY",
  missingKey: `no API key: run \`pulumi config set --secret ${API_KEY_CONFIG} <key>\` or set RENDER_API_KEY for \`pulumi up\``,
  userAgent: "webstack-render-provider",
  rateLimit: RATE_LIMIT,
  // Render documents 400 GET and 30 writes per minute per user.
  getsPerMinute: 400,
  writesPerMinute: 30,
  throttleScope: "Render",
};

/**
 * Tuning, also from `RENDER_API_URL`, `RENDER_API_KEY`, `RENDER_API_BACKOFF_MS`, `RENDER_API_MAX_WAIT_MS`,
 * `RENDER_API_MAX_ATTEMPTS`, `RENDER_API_TIMEOUT_MS`, `RENDER_API_GETS_PER_MINUTE`, `RENDER_API_WRITES_PER_MINUTE`.
 */
export interface RenderClientOptions extends RestClientOptions {
  /** Items per page when listing (Render allows 1–100). Default 100. */
  pageSize?: number;
}

export type RenderApiError = ApiError;

export interface RenderClient extends RestClient {
  /** Follows cursor pagination and unwraps `[{<key>: item, cursor}]` pages. */
  list<T = unknown>(path: string, key: string, query?: RequestOptions["query"]): Promise<T[]>;
}

/** Seconds to wait as Render asked: `Retry-After` (seconds or an HTTP date), else `Ratelimit-Reset`. */
export function serverDelayMs(headers: { get(name: string): string | null }, now: number = Date.now()): number | undefined {
  return rateLimitDelayMs(headers, RATE_LIMIT, now);
}

/** A client factory and the `configure` that feeds it the stack's `render:apiKey`. */
export function configurableClient(options: RenderClientOptions = {}) {
  return kitConfigurable(createRenderClient, API_KEY_CONFIG, options);
}

/**
 * Polls a database or Key Value instance (`GET path`) until its status is `available`; right after
 * create Render reports `creating` or `unknown`, and connection info works only once it is available.
 */
export async function waitUntilAvailable(client: RenderClient, path: string, status: string | undefined, timeoutSeconds: number, pollMs: number): Promise<void> {
  await waitFor({
    first: status,
    next: async () => (await client.get<any>(path)).status as string | undefined,
    done: (s) => s === "available",
    describe: (s) => `'${s}'`,
    timeoutSeconds,
    pollMs,
  });
}

export function createRenderClient(options: RenderClientOptions = {}): RenderClient {
  const base = createRestClient(RENDER_API, options);
  return {
    ...base,
    async list<T>(path: string, key: string, query: RequestOptions["query"] = {}) {
      const items: T[] = [];
      const limit = options.pageSize ?? 100;
      let cursor: string | undefined;
      for (;;) {
        const page = (await base.request<Array<Record<string, unknown>>>("GET", path, { query: { ...query, limit, cursor } })).body ?? [];
        for (const entry of page) items.push(entry[key] as T);
        const last = page[page.length - 1];
        // Fewer than `limit` items means the last page, which saves the empty-page round trip.
        if (page.length < limit || !last || typeof last.cursor !== "string") return items;
        cursor = last.cursor;
      }
    },
  };
}

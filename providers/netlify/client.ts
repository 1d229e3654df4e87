/**
 * Netlify's REST API v1 on the shared REST-provider kit (providers/kit): the API's facts (base URL,
 * token, `X-RateLimit-Reset` as an epoch timestamp, its two error shapes) and its page-numbered
 * lists. Retries, rate limits, find-before-create, partial state and compact results are the kit's.
 */
import { createRestClient, type RestApi, type RestClient, type RestClientOptions, type RequestOptions } from "../kit/rest";
import { configurableClient as kitConfigurable } from "../kit/provider";

export { isApiError, type RequestOptions } from "../kit/rest";
export { compact, createdButFailed, deleteOrGone, getOrGone, hasUnknown, namingErrors, postOrFind, providerChanged, UNKNOWN } from "../kit/provider";

export const DEFAULT_BASE_URL = "https://api.netlify.com/api/v1";

/** The stack-config key the providers' `configure` reads: `pulumi config set --secret netlify:token …`. */
export const TOKEN_CONFIG = "netlify:token";

/**
 * The message of a failed answer: `{code, message}`, the site-name shape `{errors: {subdomain: ["must be unique"]}}`,
 * the env API's `msg`, or the text of an unrouted path's `text/plain` 404 (reference §1).
 */
export function netlifyErrorOf(status: number, body: unknown, text: string): { status: number; message: string } {
  const b = body as { message?: unknown; msg?: unknown; errors?: Record<string, unknown> } | undefined;
  if (typeof b?.message === "string" && b.message) return { status, message: b.message };
  if (typeof b?.msg === "string" && b.msg) return { status, message: b.msg };
  if (b?.errors && typeof b.errors === "object") {
    const parts = Object.entries(b.errors).map(([field, msgs]) => `${field} ${Array.isArray(msgs) ? msgs.join(", ") : String(msgs)}`);
    if (parts.length) return { status, message: parts.join("; ") };
  }
  return { status, message: text.slice(0, 200) || "no message" };
}

export const NETLIFY_API: RestApi = {
  label: "Netlify API",
  errorName: "NetlifyApiError",
  defaultBaseUrl: DEFAULT_BASE_URL,
  envPrefix: "NETLIFY_API",
  urlEnv: "NETLIFY_API_URL",
  keyEnv: "NETLIFY_AUTH_TOKEN",
  missingKey: `no token: run \`pulumi config set --secret ${TOKEN_CONFIG} <token>\` or set NETLIFY_AUTH_TOKEN for \`pulumi up\``,
  userAgent: "webstack-netlify-provider (https://github.com/acme/webstack)",
  // X-RateLimit-Reset is a Unix epoch in seconds, not a delta (reference §1).
  rateLimit: { resetHeader: "x-ratelimit-reset", reset: "epoch" },
  // 500 requests per minute per token, reads and writes together: stay under it.
  getsPerMinute: 300,
  writesPerMinute: 150,
  throttleScope: "Netlify",
  errorOf: netlifyErrorOf,
};

export type NetlifyClientOptions = RestClientOptions;

export interface NetlifyClient extends RestClient {
  /** Every page of a list endpoint (`page`, `per_page=100`, until a short page: the body is a bare array). */
  list<T = unknown>(path: string, query?: RequestOptions["query"]): Promise<T[]>;
}

export function createNetlifyClient(options: NetlifyClientOptions = {}): NetlifyClient {
  const rest = createRestClient(NETLIFY_API, options);
  return {
    ...rest,
    async list<T>(path: string, query: RequestOptions["query"] = {}) {
      const out: T[] = [];
      for (let page = 1; page <= 1000; page++) {
        const items = await rest.get<T[]>(path, { ...query, page, per_page: 100 });
        if (!Array.isArray(items)) break;
        out.push(...items);
        if (items.length < 100) break;
      }
      return out;
    },
  };
}

/** A client factory and the `configure` that feeds it the stack's `netlify:token`. */
export function configurableClient(options: NetlifyClientOptions = {}) {
  return kitConfigurable(createNetlifyClient, TOKEN_CONFIG, options);
}

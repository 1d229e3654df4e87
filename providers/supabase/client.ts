/**
 * Supabase's Management API and Storage API on the shared REST-provider kit (providers/kit). Facts
 * from /work/shared/reference/supabase-api.md: `X-RateLimit-Reset` is seconds until the reset;
 * Storage answers HTTP 400 with the real status in `body.statusCode`; keys are chosen by `type`.
 */
import { createRestClient, type RestApi, type RestClient, type RestClientOptions } from "../kit/rest";
import { configurableClient as kitConfigurable } from "../kit/provider";

export const DEFAULT_BASE_URL = "https://api.supabase.com";

/** `pulumi config set --secret supabase:accessToken sbp_…` (a scoped PAT reaching only the org is enough). */
export const ACCESS_TOKEN_CONFIG = "supabase:accessToken";

export const MANAGEMENT_API: RestApi = {
  label: "Supabase Management API",
  errorName: "SupabaseApiError",
  defaultBaseUrl: DEFAULT_BASE_URL,
  envPrefix: "SUPABASE_API",
  // The names Supabase's Terraform provider reads.
  urlEnv: "SUPABASE_API_ENDPOINT",
  keyEnv: "SUPABASE_ACCESS_TOKEN",
  missingKey: `no access token: run \`pulumi config set --secret ${ACCESS_TOKEN_CONFIG} <token>\` or set SUPABASE_ACCESS_TOKEN for \`pulumi up\``,
  userAgent: "webstack-supabase-provider",
  rateLimit: { resetHeader: "x-ratelimit-reset", reset: "seconds" },
  // 120 per minute per endpoint and scope; one process rarely nears it, the server's 429 says when.
  getsPerMinute: 0,
  writesPerMinute: 0,
  throttleScope: "Supabase",
};

export type SupabaseClient = RestClient;
export type SupabaseClientOptions = RestClientOptions;

export function createSupabaseClient(options: SupabaseClientOptions = {}): SupabaseClient {
  return createRestClient(MANAGEMENT_API, options);
}

export function configurableClient(options: SupabaseClientOptions = {}) {
  return kitConfigurable(createSupabaseClient, ACCESS_TOKEN_CONFIG, options);
}

/**
 * The project's API URL, `https://<ref>.supabase.co` (no endpoint returns it). `SUPABASE_PROJECT_URL`
 * may hold a template with `{ref}` (tests point it at the emulator).
 */
export function projectUrl(ref: string): string {
  const template = process.env.SUPABASE_PROJECT_URL?.trim() || "https://{ref}.supabase.co";
  return template.split("{ref}").join(ref);
}

/** Storage's errors: HTTP 400 with the real status as a string in `statusCode` (500 stays 500). */
function storageErrorOf(status: number, body: any, text: string): { status: number; message: string } {
  const real = Number(body?.statusCode);
  const message = [body?.code ?? body?.error, body?.message].filter((x) => typeof x === "string" && x).join(": ") || text.slice(0, 200) || "no message";
  return { status: Number.isInteger(real) && real > 0 ? real : status, message };
}

/** The Storage API of one project, authenticated with its secret (or service_role) key. */
export function createStorageClient(ref: string, key: string, options: RestClientOptions = {}): RestClient {
  return createRestClient(
    {
      ...MANAGEMENT_API,
      label: "Supabase Storage API",
      errorName: "SupabaseStorageApiError",
      defaultBaseUrl: `${projectUrl(ref)}/storage/v1`,
      urlEnv: "SUPABASE_STORAGE_URL_UNUSED",
      keyEnv: "SUPABASE_STORAGE_KEY_UNUSED",
      missingKey: "no secret key for the project",
      // New `sb_secret_…` keys go in `apikey` only; JWT keys in both (CLI pkg/fetcher/gateway.go).
      authHeaders: (k): Record<string, string> => (k.startsWith("sb_") ? { apikey: k } : { apikey: k, Authorization: `Bearer ${k}` }),
      errorOf: storageErrorOf,
    },
    { ...options, apiKey: key },
  );
}

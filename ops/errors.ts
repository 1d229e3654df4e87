/** An error the CLI prints as one message, without a stack trace, and exits with `exitCode`. */
export class OpsError extends Error {
  constructor(
    message: string,
    /** 1: the operation failed or was refused; 2: fix the command line or the environment. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = "OpsError";
  }
}

const WHERE: Record<string, string> = {
  RENDER_API_KEY: "a Render API key (Account Settings → API Keys)",
  NETLIFY_AUTH_TOKEN: "a Netlify personal access token (User settings → Applications) with access to the site's team",
  VERCEL_API_TOKEN: "a Vercel access token (Account Settings → Tokens), scoped to the project's team",
  VERCEL_TOKEN: "a Vercel access token (Account Settings → Tokens), scoped to the project's team",
  CLOUDFLARE_API_TOKEN: "a Cloudflare API token that can read Workers settings",
  SUPABASE_ACCESS_TOKEN: "a Supabase access token (sbp_…) that can read the project's organization",
  PGPASSWORD: "the database password, since the connection string has none",
};

/** A missing credential, naming the variable to set and what it is for. */
export function missingCredential(variable: string, purpose: string): OpsError {
  return new OpsError(`${variable} is not set: ${purpose} needs ${WHERE[variable] ?? "it"}. Set it, e.g. export ${variable}=…`, 2);
}

/** The value of a required environment variable, or a missingCredential error. */
export function requireEnv(env: Record<string, string | undefined>, variable: string, purpose: string): string {
  const v = env[variable]?.trim();
  if (!v) throw missingCredential(variable, purpose);
  return v;
}

/** A failed API call of Render or Vercel, as the ops commands see it. */
export interface ApiFailure {
  /** HTTP status, or 0 when no answer came. */
  status: number;
  /** The command's deadline (`--timeout`) passed while the call was waiting. */
  deadline?: boolean;
  message: string;
}

export interface ApiInfo {
  /** `Render API`, `Vercel API`. */
  api: string;
  /** Its base URL, to say what could not be reached. */
  base: string;
  /** The credential it was called with, e.g. RENDER_API_KEY. */
  credential: string;
  /** Where people check the service, e.g. https://status.render.com. */
  statusPage: string;
}

/**
 * The one line (and exit code) for an API call that failed in a way no retry fixes: the deadline
 * passed (1), the API could not be reached (1), the credential was refused (2). Anything else
 * (a 404, a 400) is the caller's to explain, so it returns undefined.
 */
export function apiProblem(info: ApiInfo, err: ApiFailure, what: string, timeoutMs?: number): OpsError | undefined {
  if (err.deadline) {
    const limit = timeoutMs === undefined ? "the command's deadline" : `--timeout ${formatMs(timeoutMs)}`;
    // The last failure before the deadline, when there was one (connection refused, a 503…).
    const last = /failed \([^)]*\): (.+?)(?: \(gave up[^)]*\))?; the deadline passed$/.exec(err.message)?.[1];
    return new OpsError(
      `${what}: no answer from the ${info.api} (${info.base}) within ${limit}${last ? ` (last error: ${last})` : ""}; check ${info.statusPage}, or run again with a longer --timeout`,
      1,
    );
  }
  if (err.status === 401 || err.status === 403) {
    return new OpsError(
      `${what}: the ${info.api} refused ${info.credential} (${err.status}): it is revoked, expired or cannot reach this resource; set ${info.credential} to ${WHERE[info.credential] ?? "a valid credential"}`,
      2,
    );
  }
  if (err.status === 0) {
    return new OpsError(`${what}: the ${info.api} at ${info.base} could not be reached (${err.message.replace(/^.*failed \(no response\): /, "")}); check the network and ${info.statusPage}`, 1);
  }
  return undefined;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

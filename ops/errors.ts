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
  CLOUDFLARE_API_TOKEN: "a Cloudflare API token that can read Workers settings",
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

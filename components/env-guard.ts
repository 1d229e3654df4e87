/**
 * The rules that keep secrets out of browsers. Pure (no Pulumi), so the config validation
 * (`config/env.ts`), `EnvVarSet` and `FrontendSite` all apply the very same checks.
 *
 * Vocabulary:
 * - **public**: the value may be seen by anyone: inlined into a browser bundle, shown in the Vercel
 *   dashboard, pulled by `vercel env pull`. Literals committed to a stack file are public.
 * - **server-only**: the value must never reach a browser. On Vercel it is stored `sensitive`
 *   (write-only; only the deployment's server code reads it at runtime), so it can never go to the
 *   `development` target, which Vercel keeps readable for `vercel env pull`.
 * - **secret**: a value the program knows is secret (a config secret or a generated one). A secret
 *   is always server-only.
 */

/** Name prefixes a frontend build inlines into the code it ships to browsers. */
export const BROWSER_PREFIXES = [
  "NEXT_PUBLIC_",
  "VITE_",
  "PUBLIC_",
  "REACT_APP_",
  "NUXT_PUBLIC_",
  "EXPO_PUBLIC_",
  "GATSBY_",
] as const;

// The value-and-type pairs below are the enum form the multi-language schema understands
// (plugin/): a plain string-literal union would not be representable there.

/** Who reads a variable: the Render service, the Vercel project, or the Cloudflare cron Worker. */
export const Consumer = { backend: "backend", frontend: "frontend", worker: "worker" } as const;
export type Consumer = (typeof Consumer)[keyof typeof Consumer];
export const CONSUMERS: readonly Consumer[] = Object.values(Consumer);

/** A Vercel environment. */
export const VercelTarget = { production: "production", preview: "preview", development: "development" } as const;
export type VercelTarget = (typeof VercelTarget)[keyof typeof VercelTarget];
export const VERCEL_TARGETS: readonly VercelTarget[] = Object.values(VercelTarget);

/**
 * Where one frontend value lives on Vercel: a target, and for `preview` optionally one git branch
 * (Vercel then prefers it over the branch-less preview value for that branch's deployments).
 */
export interface VercelSlot {
  /** The Vercel target. */
  target: VercelTarget;
  /** With `target: "preview"`: the one git branch whose previews get the values. */
  gitBranch?: string;
}

/** The browser prefix a name starts with, if any. */
export function browserPrefix(name: string): string | undefined {
  return BROWSER_PREFIXES.find((p) => name.startsWith(p));
}

/**
 * Well-known credential formats, by the prefix or shape their issuers give them. Publishable keys
 * (Stripe `pk_`, Supabase `sb_publishable_` or an `anon` JWT) are meant for browsers and pass.
 */
const SECRET_FORMATS: readonly { what: string; test: (v: string) => boolean }[] = [
  { what: "a Stripe secret or restricted key (sk_live_/sk_test_/rk_…)", test: (v) => /^(sk|rk)_(live|test)_[A-Za-z0-9]/.test(v) },
  { what: "a Stripe webhook signing secret (whsec_…)", test: (v) => /^whsec_[A-Za-z0-9]/.test(v) },
  { what: "a GitHub token (ghp_/gho_/ghu_/ghs_/ghr_/github_pat_…)", test: (v) => /^(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/.test(v) },
  { what: "a Slack token (xoxb-/xoxp-/xoxa-/xoxr-/xoxs-…)", test: (v) => /^xox[bpars]-[A-Za-z0-9-]{10,}/.test(v) },
  { what: "a Slack incoming-webhook URL", test: (v) => /^https:\/\/hooks\.slack\.com\/services\//.test(v) },
  { what: "an AWS access key id (AKIA…/ASIA…)", test: (v) => /^(AKIA|ASIA)[0-9A-Z]{16}$/.test(v) },
  { what: "a Supabase secret key (sb_secret_…)", test: (v) => /^sb_secret_[A-Za-z0-9_-]/.test(v) },
  { what: "an OpenAI or Anthropic API key (sk-…)", test: (v) => /^sk-(proj-|ant-)?[A-Za-z0-9_-]{20,}$/.test(v) },
  { what: "a private key (-----BEGIN … PRIVATE KEY-----)", test: (v) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v) },
  { what: "a connection string with a password", test: (v) => /^(postgres(ql)?|mysql|rediss?|mongodb(\+srv)?|amqps?):\/\/[^:/@\s]+:[^@\s]+@/.test(v) },
  { what: "a JWT with a privileged role (a Supabase service_role key)", test: (v) => privilegedJwt(v) },
];

/** A JWT whose payload claims a role beyond `anon` (Supabase's service_role key bypasses row-level security). */
function privilegedJwt(v: string): boolean {
  const parts = v.split(".");
  if (parts.length !== 3 || !/^eyJ/.test(parts[0]!)) return false;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as { role?: unknown };
    return typeof payload.role === "string" && payload.role !== "anon" && payload.role !== "authenticated";
  } catch {
    return false;
  }
}

/** Which well-known credential format a literal has, if any (never echoing the value). */
export function secretFormat(value: string): string | undefined {
  const v = value.trim();
  return SECRET_FORMATS.find((f) => f.test(v))?.what;
}

/** What the guard needs to know about one variable. */
export interface GuardFacts {
  name: string;
  /** The value is known to be secret (config secret or generated). */
  secret: boolean;
  /** Marked public: it may reach a browser. */
  public: boolean;
  /** A literal value, checked against well-known credential formats. */
  literal?: string;
}

/**
 * Why a variable may not exist as declared, or undefined when it may. The reason is written to
 * follow `<key>: `, e.g. `webstack:env.frontend.NEXT_PUBLIC_STRIPE_KEY: <reason>`.
 */
export function guardReason(v: GuardFacts): string | undefined {
  const prefix = browserPrefix(v.name);
  const format = v.literal === undefined ? undefined : secretFormat(v.literal);
  if (prefix && format) {
    return (
      `looks like ${format}, and frontend builds inline '${prefix}' variables into the browser bundle; ` +
      `rotate it, store it with 'pulumi config set --secret', and read it as {secret: NAME} under a name without the prefix`
    );
  }
  if (v.secret && v.public) {
    return "a secret cannot be public: secrets are server-only";
  }
  if (prefix && v.secret) {
    return (
      `holds a secret, but frontend builds inline '${prefix}' variables into the browser bundle; ` +
      `rename it without the prefix so only server code reads it`
    );
  }
  if (prefix && !v.public) {
    return (
      `is server-only, but frontend builds inline '${prefix}' variables into the browser bundle; ` +
      `rename it without the prefix, or mark it public if anyone may read it`
    );
  }
  return undefined;
}

/** The Vercel `sensitive` flag a variable gets: everything that is not public. */
export function vercelSensitive(isPublic: boolean): boolean {
  return !isPublic;
}

/** One Vercel variable as a FrontendSite creates it (one resource per variable and slot). */
export interface VercelVariableFacts {
  key: string;
  target: VercelTarget;
  gitBranch?: string;
  sensitive: boolean;
}

/** Resource-name-safe form of a label: `feature/login` → `feature-login`. */
export function resourceNamePart(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, "-");
}

/** Label of a slot for messages and resource names: `production`, `preview`, `preview@alice`. */
export function slotLabel(s: VercelSlot): string {
  return s.gitBranch ? `${s.target}@${s.gitBranch}` : s.target;
}

/**
 * Checks the variables rendered to one Vercel project, independently of where they came from:
 * a sensitive value is a secret, so it may neither carry a browser prefix (the build would inline
 * it) nor go to `development` (Vercel refuses sensitive development variables, and
 * `vercel env pull` would hand it to every laptop). Returns one message per problem.
 */
export function vercelVariableIssues(vars: readonly VercelVariableFacts[]): string[] {
  const issues: string[] = [];
  const seen = new Set<string>();
  for (const v of vars) {
    const where = `${v.key} (${slotLabel(v)})`;
    if (!VERCEL_TARGETS.includes(v.target)) issues.push(`${where}: unknown target '${v.target}'`);
    if (v.gitBranch !== undefined && v.target !== "preview") {
      issues.push(`${where}: gitBranch applies to the preview target only`);
    }
    const prefix = browserPrefix(v.key);
    if (v.sensitive && prefix) {
      issues.push(`${where}: is sensitive (server-only), but frontend builds inline '${prefix}' variables into the browser bundle`);
    }
    if (v.sensitive && v.target === "development") {
      issues.push(`${where}: sensitive variables cannot target development (vercel env pull would expose them)`);
    }
    const id = `${v.key}\u0000${slotLabel(v)}`;
    if (seen.has(id)) issues.push(`${where}: defined twice`);
    seen.add(id);
  }
  return issues;
}

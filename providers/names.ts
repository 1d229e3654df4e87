/**
 * What each provider accepts as a name: one source for the config validation (config/naming.ts),
 * the components and the Render providers' Check. Pure.
 */

export interface NameRule {
  /** What the name is, for messages: "R2 bucket name". */
  what: string;
  min: number;
  max: number;
  pattern: RegExp;
  /** The characters the pattern allows, for messages. */
  allowed: string;
  /** Where the rule comes from. */
  source: string;
  /** A sequence the provider refuses anywhere in the name. */
  forbidden?: string;
}

export const NAME_RULES = {
  /**
   * Render documents no length limit for service, Key Value or Postgres names (render-api.md: only
   * "unique within the workspace"); our providers' Check refuses more than 100, as they always have.
   */
  render: {
    what: "Render name",
    min: 1,
    max: 100,
    pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
    allowed: "letters, digits, '-', '_' or '.'",
    source: "Render's API documents no limit; the Render providers' Check allows 100",
  },
  r2Bucket: {
    what: "R2 bucket name",
    min: 3,
    max: 63,
    pattern: /^[a-z0-9][a-z0-9-]*[a-z0-9]$/,
    allowed: "lower-case letters, digits and '-', starting and ending with a letter or digit",
    source: "developers.cloudflare.com/r2/buckets/create-buckets (bucket names are 3–63 characters)",
  },
  workerScript: {
    what: "Worker script name",
    min: 1,
    max: 63,
    pattern: /^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$/,
    allowed: "lower-case letters, digits, '-' and '_'",
    source: "Cloudflare's Workers script naming conventions (at most 63 characters)",
  },
  vercelProject: {
    what: "Vercel project name",
    min: 1,
    max: 100,
    pattern: /^[a-z0-9._-]+$/,
    allowed: "lower-case letters, digits, '.', '_' and '-'",
    forbidden: "---",
    source: "Vercel's API: 'Project names can be up to 100 characters long and must be lowercase … cannot contain the sequence '---''",
  },
  /** PostgreSQL truncates identifiers to NAMEDATALEN - 1 = 63 bytes. */
  pgIdentifier: {
    what: "PostgreSQL identifier",
    min: 1,
    max: 63,
    pattern: /^[a-z][a-z0-9_]*$/,
    allowed: "lower-case letters, digits and '_', starting with a letter",
    source: "PostgreSQL: identifiers longer than 63 bytes are truncated",
  },
} as const satisfies Record<string, NameRule>;

export type NameKind = keyof typeof NAME_RULES;

/** Why `name` is not a valid name of this kind (without the name itself), or undefined. */
export function nameProblem(kind: NameKind, name: string): string | undefined {
  const rule: NameRule = NAME_RULES[kind];
  if (name.length > rule.max) return `is ${name.length} characters; ${rule.what}s may have at most ${rule.max}`;
  if (name.length < rule.min) return `is ${name.length} characters; ${rule.what}s need at least ${rule.min}`;
  if (!rule.pattern.test(name)) return `is not a valid ${rule.what}: ${rule.allowed}`;
  if (rule.forbidden && name.includes(rule.forbidden)) return `is not a valid ${rule.what}: it may not contain '${rule.forbidden}'`;
  return undefined;
}

/** Lowercase `[a-z0-9_]` identifier of at most 63 bytes (PostgreSQL's limit), never quoted. */
export function pgIdentifier(...parts: string[]): string {
  const id = parts
    .join("_")
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "");
  if (!/^[a-z]/.test(id)) throw new Error(`cannot derive a PostgreSQL identifier from '${parts.join("', '")}'`);
  return id.slice(0, NAME_RULES.pgIdentifier.max).replace(/_$/, "");
}

/** A database's owner role and one role per consumer; a consumer whose role name another already has. */
export function databaseRoles(app: string, stack: string, consumers: readonly string[]) {
  const owner = pgIdentifier(app, stack);
  const roles = consumers.map((consumer) => ({ consumer, role: pgIdentifier(owner, consumer) }));
  const clash = roles.find((c, i) => c.role === owner || roles.findIndex((o) => o.role === c.role) !== i);
  return { owner, roles, clash };
}

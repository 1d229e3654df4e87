import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { guardReason, secretFormat } from "../components/env-guard";
import type { EnvVar } from "../components/env-var-set";
import { envVarName } from "./common";
import { apiUrlVariable, type FrontendConfig } from "./frontend";

/**
 * One variable's source: a literal (public: it is committed in plain text), `{secret: NAME}` read
 * from `webstack:secrets.NAME`, or `{generate: LENGTH}` for a random value generated once per
 * stack. Secrets and generated values are server-only.
 */
export const envValueSchema = z.union([
  z.string(),
  z.number().transform(String),
  z.boolean().transform(String),
  z.object({ secret: envVarName }).strict(),
  z.object({ generate: z.number().int().min(16).max(128) }).strict(),
]);

export type EnvValue = z.infer<typeof envValueSchema>;

const secretHowTo = (name: string) => `store it with 'pulumi config set --path --secret secrets.${name} <value>' and write {secret: ${name}}`;

/** A variable map whose every entry passes the browser guard (`components/env-guard.ts`). */
const varMap = z.record(envVarName, envValueSchema).superRefine((vars, ctx) => {
  for (const [name, v] of Object.entries(vars)) {
    const literal = typeof v === "string" ? v : undefined;
    const reason = guardReason({ name, secret: typeof v === "object", public: literal !== undefined, literal });
    // Any literal is committed in plain text: a credential does not belong there, browser-visible or not.
    const format = literal === undefined ? undefined : secretFormat(literal);
    const message = reason ?? (format ? `looks like ${format}, written in plain text in the stack file; rotate it, then ${secretHowTo(name)}` : undefined);
    if (message) ctx.addIssue({ code: "custom", path: [name], message });
  }
});

export const envSchema = z
  .object({
    backend: varMap.default({}).describe("Backend variables, e.g. {LOG_LEVEL: info, STRIPE_KEY: {secret: STRIPE_KEY}}."),
    frontend: varMap
      .default({})
      .describe(
        "Frontend variables; browser-visible names (NEXT_PUBLIC_…, VITE_…) may only hold literals, secrets become sensitive server-only values.",
      ),
  })
  .strict()
  .superRefine((env, ctx) => {
    // One name, one value: the same name in both maps must have the same source.
    for (const [name, v] of Object.entries(env.frontend)) {
      if (name in env.backend && JSON.stringify(env.backend[name]) !== JSON.stringify(v)) {
        ctx.addIssue({
          code: "custom",
          path: ["frontend", name],
          message: "differs from webstack:env.backend; a name has one value per stack (use the same value, or another name)",
        });
      }
    }
  })
  .describe("Plain and secret-backed variables per component; wiring (DATABASE_URL, CORS…) is added for you.");

export const secretsSchema = z
  .record(envVarName, z.string())
  .describe("Secret values, set with 'pulumi config set --path --secret secrets.NAME'. Never commit them in plaintext.");

export type EnvConfig = z.infer<typeof envSchema>;

/**
 * The config's variables as `EnvVarSet` entries. A name in both maps becomes one variable read by
 * both (so a generated secret is shared).
 */
export function envVarsFromConfig(env: EnvConfig, secret: (name: string) => pulumi.Output<string>): EnvVar[] {
  const names = [...new Set([...Object.keys(env.backend), ...Object.keys(env.frontend)])];
  return names.map((name) => {
    const v = (env.backend[name] ?? env.frontend[name])!;
    const to = [
      ...(name in env.backend ? (["backend"] as const) : []),
      ...(name in env.frontend ? (["frontend"] as const) : []),
    ];
    if (typeof v === "string") return { name, literal: v, public: true, to };
    if ("secret" in v) return { name, secret: secret(v.secret), to, description: `secret '${v.secret}' from stack config` };
    return { name, generate: v.generate, to };
  });
}

/** The backend's object-storage variables, set from webstack:storage. */
export const STORAGE_VARIABLES = ["S3_ENDPOINT_URL", "S3_BUCKET", "S3_REGION", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_KEY_PREFIX"] as const;

/** Variables webstack wires itself, by the sections that produce them. */
export function wiredVariableIssues(c: {
  env?: EnvConfig;
  backend?: unknown;
  frontend?: Pick<FrontendConfig, "host" | "framework" | "apiUrlVariable">;
  database?: unknown;
  cron?: unknown;
  cache?: unknown;
  storage?: unknown;
}): { path: (string | number)[]; message: string }[] {
  if (!c.env) return [];
  const wired: [section: "backend" | "frontend", name: string, from: string, present: boolean][] = [
    ["backend", "DATABASE_URL", "webstack:database", !!(c.database && c.backend)],
    ["backend", "CRON_SECRET", "webstack:cron", !!(c.cron && c.backend)],
    ["backend", "CORS_ALLOWED_ORIGINS", "webstack:frontend", !!(c.frontend && c.backend)],
    ["backend", "FRONTEND_URL", "webstack:frontend", !!(c.frontend && c.backend)],
    ["frontend", c.frontend ? apiUrlVariable(c.frontend) : "", "webstack:backend (frontend.apiUrlVariable)", !!(c.frontend && c.backend)],
    ...["REDIS_URL", "CACHE_KEY_PREFIX"].map((n): [section: "backend", name: string, from: string, present: boolean] => ["backend", n, "webstack:cache", !!(c.cache && c.backend)]),
    ...STORAGE_VARIABLES.map((n): [section: "backend", name: string, from: string, present: boolean] => ["backend", n, "webstack:storage", !!(c.storage && c.backend)]),
  ];
  return wired
    .filter(([section, name, , present]) => present && name in c.env![section])
    .map(([section, name, from]) => ({ path: ["env", section, name], message: `set by webstack from ${from}; remove it here` }));
}

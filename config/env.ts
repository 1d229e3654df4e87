import { z } from "zod";
import { envVarName } from "./common";

/**
 * One variable's source: a literal, `{secret: NAME}` read from `webstack:secrets.NAME`,
 * or `{generate: LENGTH}` for a random value generated once per stack.
 */
export const envValueSchema = z.union([
  z.string(),
  z.number().transform(String),
  z.boolean().transform(String),
  z.object({ secret: envVarName }).strict(),
  z.object({ generate: z.number().int().min(16).max(128) }).strict(),
]);

const varMap = z.record(envVarName, envValueSchema);

export const envSchema = z
  .object({
    backend: varMap.default({}).describe("Backend variables, e.g. {LOG_LEVEL: info, STRIPE_KEY: {secret: STRIPE_KEY}}."),
    frontend: varMap
      .default({})
      .describe("Frontend variables; browser-visible names (NEXT_PUBLIC_…, VITE_…) may only hold literals."),
  })
  .strict()
  .describe("Plain and secret-backed variables per component; wiring (DATABASE_URL, CORS…) is added for you.");

export const secretsSchema = z
  .record(envVarName, z.string())
  .describe("Secret values, set with 'pulumi config set --path --secret secrets.NAME'. Never commit them in plaintext.");

export type EnvConfig = z.infer<typeof envSchema>;
export type EnvValue = z.infer<typeof envValueSchema>;

import { z } from "zod";
import { isProductionStackName } from "../components/database-outputs";

/** An enum whose error reads `expected 'a' | 'b'`, the form every config message uses. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: () => `expected ${values.map((v) => `'${v}'`).join(" | ")}`,
  });
}

/** Lowercase DNS-label-ish slug: safe in Render, Vercel, Cloudflare and Postgres names. */
export const slug = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, "expected a lowercase slug (a-z, 0-9, '-'; 2-32 chars)");

/** A hostname such as `api.example.com`. */
export const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "expected a lowercase hostname such as 'api.example.com'");

/** An environment-variable name such as `DATABASE_URL`. */
export const envVarName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, "expected an UPPER_SNAKE_CASE variable name");

/** A URL path such as `/healthz`. */
export const urlPath = z.string().regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, "expected a path starting with '/'");

/** A Git branch name (no spaces, no `..`, no leading `-`). */
export const gitBranch = z
  .string()
  .regex(/^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,100}$/, "expected a git branch name");

/** `org/project/stack`, the fully qualified name a StackReference takes. */
export const stackRef = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "expected '<org>/<project>/<stack>'");

/** `allowProductionData` of a section shared from another stack. */
export const allowProductionData = z
  .boolean()
  .default(false)
  .describe("Required to share from a production stack: a conscious opt-in to production data.");

/** The production guard every shared section applies: sharing from a production stack needs `allowProductionData`. */
export function productionSharingGuard(c: { from: string; allowProductionData: boolean }, ctx: z.RefinementCtx): void {
  if (isProductionStackName(c.from) && !c.allowProductionData) {
    ctx.addIssue({ code: "custom", path: ["allowProductionData"], message: `${c.from} is a production stack: set it to true to share production data on purpose` });
  }
}

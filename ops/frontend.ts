/**
 * What status and verify share about reaching a protected frontend: Vercel's automation bypass
 * secret for deployments behind Vercel Authentication (a Netlify stack has none). The hosts'
 * day-2 operations are behind the contract in ops/frontend-host.ts.
 */
import type { StackOutputs } from "../components/stack-outputs";
import type { Ops } from "./context";
import { secretOutput } from "./outputs";

/** The bypass secret: the stack's `frontendProtectionBypass` output, else VERCEL_AUTOMATION_BYPASS_SECRET. */
export function bypassSecret(ops: Ops, o: StackOutputs): string | undefined {
  return secretOutput(o, "frontendProtectionBypass") ?? (ops.env.VERCEL_AUTOMATION_BYPASS_SECRET?.trim() || undefined);
}

export const PROTECTED_HINT =
  "export the stack's frontendProtectionBypass (webstack creates it) or set VERCEL_AUTOMATION_BYPASS_SECRET to check it";

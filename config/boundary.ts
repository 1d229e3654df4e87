import { isProductionStackName } from "../components/database-outputs";
import type { StackConfig } from "./schema";

/** One config key that names another stack (a StackReference the program makes). */
export interface StackReferenceKey {
  path: (string | number)[];
  /** `org/project/stack`. */
  ref: string;
  /** The section opted in to production data on purpose (`allowProductionData`). */
  optIn: boolean;
  /** What to set instead, for the message. */
  instead?: string;
}

/** Every key of a stack's config that reads another stack. */
export function stackReferenceKeys(c: Partial<StackConfig>): StackReferenceKey[] {
  const keys: StackReferenceKey[] = [];
  const rp = c.app?.renderProject;
  if (rp?.from) keys.push({ path: ["app", "renderProject", "from"], ref: rp.from, optIn: false, instead: "set webstack:app.renderProject.id to the owner's 'renderProjectId' output" });
  if (c.frontend?.from) keys.push({ path: ["frontend", "from"], ref: c.frontend.from, optIn: false, instead: "set webstack:frontend.projectId to the owner's 'frontendProjectId' output" });
  for (const section of ["database", "cache", "storage"] as const) {
    const s = c[section] as { mode?: string; from?: string; allowProductionData?: boolean } | undefined;
    if (s?.mode === "shared" && s.from) keys.push({ path: [section, "from"], ref: s.from, optIn: s.allowProductionData === true });
  }
  return keys;
}

/**
 * A stack below production must not read a production stack: its token would then reach prod's
 * secret outputs (the owner connection, the cron secret, the webhook). One issue per key, naming
 * the stack it reads. `isProduction` tells production stacks apart: by name in the program, and by
 * the referenced stack file's `webstack:environment` in the synth.
 */
export function productionReadIssues(
  c: Partial<StackConfig>,
  isProduction: (ref: string) => boolean = isProductionStackName,
): { path: (string | number)[]; message: string }[] {
  if (!c.environment || c.environment === "production") return [];
  return stackReferenceKeys(c)
    .filter((k) => !k.optIn && isProduction(k.ref))
    .map((k) => ({
      path: k.path,
      message: `reads ${k.ref}, a production stack; a ${c.environment} stack must not read production${k.instead ? `: ${k.instead}` : ""}`,
    }));
}

/**
 * What status, verify, rollback and promote share about the Vercel side: the automation bypass
 * secret for protected deployments, and whether production domains still serve the newest
 * production build (after a rollback Vercel stops moving them until a promote).
 */
import type { StackOutputs } from "../components/stack-outputs";
import type { Ops, Deadline } from "./context";
import { secretOutput } from "./outputs";
import { describeDeployment, staleProduction, vercelClient, vercelCredential, vercelProblem, type VercelClient, type VercelDeployment } from "./vercel-api";

/** The bypass secret: the stack's `frontendProtectionBypass` output, else VERCEL_AUTOMATION_BYPASS_SECRET. */
export function bypassSecret(ops: Ops, o: StackOutputs): string | undefined {
  return secretOutput(o, "frontendProtectionBypass") ?? (ops.env.VERCEL_AUTOMATION_BYPASS_SECRET?.trim() || undefined);
}

export const PROTECTED_HINT =
  "export the stack's frontendProtectionBypass (webstack creates it) or set VERCEL_AUTOMATION_BYPASS_SECRET to check it";

export interface ProductionPin {
  /** Production domains serve `serving`, older than the newest production build `newest`. */
  serving: VercelDeployment;
  newest: VercelDeployment;
  autoAssign?: boolean;
}

/** A Vercel client for a stack that owns the project's production, or why there is none. */
export function ownedProject(ops: Ops, o: StackOutputs, purpose: string, d: Deadline): { client: VercelClient; projectId: string } | { skip: string } | undefined {
  if (!o.frontendOwnsProduction || !o.frontendProjectId) return undefined;
  const credential = vercelCredential(ops.env);
  if (!ops.env[credential]?.trim()) return { skip: `set VERCEL_API_TOKEN to check which deployment the production domains serve` };
  return { client: vercelClient(ops.env, ops.clock, o.frontendTeamId, purpose, { signal: d.signal }), projectId: o.frontendProjectId };
}

/** Production domains pinned to an older deployment, or undefined when they serve the newest build. */
export async function productionPin(client: VercelClient, projectId: string, what: string, d: Deadline, now: number): Promise<ProductionPin | undefined> {
  try {
    const [project, deployments] = await Promise.all([client.project(projectId), client.productionDeployments(projectId)]);
    const stale = staleProduction(project, deployments, now);
    return stale ? { ...stale, autoAssign: project.autoAssignCustomDomains } : undefined;
  } catch (err) {
    throw vercelProblem(client, err, what, d.timeoutMs) ?? err;
  }
}

/** One line for people: what serves, what waits, and the command that fixes it. */
export function pinText(stack: string, p: ProductionPin): string {
  const why = p.autoAssign === false ? "auto-assignment of production domains is off (a rollback turns it off)" : "they were not moved to it";
  return `frontend: production domains serve ${describeDeployment(p.serving)}, older than the newest production build ${describeDeployment(p.newest)}: ${why}; run \`webstack promote ${stack}\` to serve the newest build and turn auto-assignment back on`;
}

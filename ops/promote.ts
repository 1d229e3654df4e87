/**
 * `webstack promote <stack>`: the production domains to the newest production build, and Vercel's
 * auto-assignment of production domains back on (what the dashboard's Undo Rollback does). After a
 * `webstack rollback`, Vercel keeps production on the rolled-back deployment and stages every new
 * build until a promote.
 */
import type { StackOutputs } from "../components/stack-outputs";
import type { Deadline, Ops } from "./context";
import { OpsError } from "./errors";
import { waitAlias } from "./rollback";
import { currentProduction, describeDeployment, vercelClient, vercelProblem } from "./vercel-api";

/** Default `--timeout` of promote. */
export const PROMOTE_TIMEOUT_MS = 5 * 60_000;

export interface PromoteReport {
  stack: string;
  /** What production served before, and what it serves now (the same when only auto-assignment was off). */
  from?: string;
  to: string;
  /** `succeeded`, `started` (not waited for), `failed`, or `unchanged` (already serving the newest, auto-assignment on). */
  result: string;
  /** Auto-assignment was off and is on again. */
  autoAssignRestored: boolean;
}

export async function promote(ops: Ops, stack: string, o: StackOutputs, d: Deadline, opts: { wait?: boolean; pollMs?: number } = {}): Promise<PromoteReport> {
  if (!o.frontendOwnsProduction || !o.frontendProjectId) {
    throw new OpsError(`promote ${stack}: this stack does not own a Vercel project's production (frontendOwnsProduction); promote in the stack that creates the project`, 2);
  }
  const vercel = vercelClient(ops.env, ops.clock, o.frontendTeamId, "promoting the newest production deployment", { signal: d.signal });
  const projectId = o.frontendProjectId;
  const what = `promote ${stack}`;
  try {
    const [project, deployments] = await Promise.all([vercel.project(projectId), vercel.productionDeployments(projectId)]);
    const serving = currentProduction(project, deployments);
    const newest = deployments[0];
    if (!newest) throw new OpsError(`${what}: Vercel lists no READY production deployment to promote`);
    const off = project.autoAssignCustomDomains === false;
    if (serving?.uid === newest.uid) {
      // Serving the newest already (it was promoted once): only the switch is left; a second promote is refused.
      if (off) await vercel.setAutoAssign(projectId, true);
      return { stack, from: serving.uid, to: newest.uid, result: off ? "succeeded" : "unchanged", autoAssignRestored: off };
    }
    ops.err(`frontend ${project.name}: promoting ${describeDeployment(newest)} (production serves ${serving ? describeDeployment(serving) : "nothing known"})`);
    await vercel.promote(projectId, newest.uid);
    const result = opts.wait === false ? "started" : await waitAlias(ops, vercel, projectId, newest.uid, `frontend ${project.name}`, d, opts.pollMs ?? 3_000);
    return { stack, ...(serving ? { from: serving.uid } : {}), to: newest.uid, result, autoAssignRestored: off };
  } catch (err) {
    throw vercelProblem(vercel, err, what, d.timeoutMs) ?? err;
  }
}

export function promoteText(r: PromoteReport): string {
  if (r.result === "unchanged") return `${r.stack}: production already serves the newest production build ${r.to}, and auto-assignment is on: nothing to do`;
  const moved = r.from && r.from !== r.to ? `production domains ${r.from} → ${r.to}` : `production serves ${r.to}`;
  return `Promoted ${r.stack}: ${moved}; alias job ${r.result}${r.autoAssignRestored ? "; auto-assignment of production domains is on again" : ""}`;
}

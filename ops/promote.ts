/**
 * `webstack promote <stack>`: production to the newest production build, and automatic publishing
 * back on, through the host's `FrontendOps`: Vercel's auto-assignment of production domains (what
 * the dashboard's Undo Rollback does), Netlify's unlock. After a `webstack rollback`, production
 * stays on the rolled-back release and new builds wait until a promote.
 */
import type { StackOutputs } from "../components/stack-outputs";
import type { Deadline, Ops } from "./context";
import { OpsError } from "./errors";
import { frontendOps, type FrontendHostName } from "./frontend-host";

/** Default `--timeout` of promote. */
export const PROMOTE_TIMEOUT_MS = 5 * 60_000;

export interface PromoteReport {
  stack: string;
  /** The frontend host moved: its words for what happened differ. */
  host: FrontendHostName;
  /** What production served before, and what it serves now (the same when only auto-assignment was off). */
  from?: string;
  to: string;
  /** `succeeded`, `started` (not waited for), `failed`, or `unchanged` (already serving the newest, auto-assignment on). */
  result: string;
  /** Auto-assignment was off and is on again. */
  autoAssignRestored: boolean;
}

export async function promote(ops: Ops, stack: string, o: StackOutputs, d: Deadline, opts: { wait?: boolean; pollMs?: number } = {}): Promise<PromoteReport> {
  const front = o.frontendOwnsProduction ? frontendOps(ops, stack, o, "promoting", d, { pollMs: opts.pollMs }) : undefined;
  if (!front) {
    throw new OpsError(`promote ${stack}: this stack does not own its frontend's production (frontendOwnsProduction: the Vercel project or Netlify site is another stack's); promote in the stack that creates it`, 2);
  }
  try {
    return { stack, host: front.host, ...(await front.promote({ wait: opts.wait })) };
  } catch (err) {
    throw front.explain(err, `promote ${stack}`) ?? err;
  }
}

export function promoteText(r: PromoteReport): string {
  if (r.result === "unchanged") return `${r.stack}: production already serves the newest production build ${r.to}, and auto-assignment is on: nothing to do`;
  const moved = r.from && r.from !== r.to ? `production ${r.host === "vercel" ? "domains " : ""}${r.from} → ${r.to}` : `production serves ${r.to}`;
  const restored = r.host === "netlify" ? "; auto-publishing is unlocked again" : "; auto-assignment of production domains is on again";
  return `Promoted ${r.stack}: ${moved}; ${r.host === "netlify" ? r.result : `alias job ${r.result}`}${r.autoAssignRestored ? restored : ""}`;
}

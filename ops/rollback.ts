/**
 * `webstack rollback <stack> [--to <deployId>]`: every backend service back to its previous
 * successful deploy whose build Render still keeps (`POST /services/{id}/rollback`), and, for a
 * stack that owns the Vercel project's production target, Vercel's instant rollback to the
 * previous production deployment. Everything is planned before anything moves: when the main
 * service or the owned frontend has nowhere to go, nothing moves.
 */
import type { StackOutputs } from "../components/stack-outputs";
import type { RenderClient } from "../providers/render/client";
import type { Ops } from "./context";
import { OpsError } from "./errors";
import { backendServices } from "./outputs";
import { getDeploy, getService, IN_PROGRESS, listDeploys, renderClient, rollbackTo, SUCCESSFUL, type Deploy } from "./render-api";
import { currentProduction, vercelClient, type VercelClient } from "./vercel-api";
import { frontendOps, type FrontendRollbackPlan } from "./frontend";

export interface RollbackOptions {
  /** Render deploy the main service goes back to (default: its previous successful one). */
  to?: string;
  /** Wait until the rollback deploys are live and Vercel's alias job finished. Default true. */
  wait?: boolean;
  timeoutMs?: number;
  pollMs?: number;
}

export interface Move {
  kind: "render" | "vercel" | "netlify";
  name: string;
  from: { id: string; commit?: string };
  to: { id: string; commit?: string };
  /** Render: the new deploy the rollback started (trigger `rollback`). */
  deployId?: string;
  /** Where it ended: `live`, a failure status, or `started` when not waited for. */
  result?: string;
}

export interface RollbackReport {
  stack: string;
  moved: Move[];
  /** Services left alone, with the reason. */
  skipped: string[];
  notes: string[];
  /** Why the rollback was refused or stopped (then `moved` is what moved before it stopped). */
  error?: string;
}

/** A refused or half-done rollback; `report` says what moved (`--json` prints it). */
export class RollbackError extends OpsError {
  constructor(
    message: string,
    readonly report: RollbackReport,
  ) {
    super(message);
  }
}

type Plan =
  | { kind: "render"; name: string; serviceId: string; branch?: string; from: Deploy; to: Deploy }
  | { kind: "vercel"; name: string; projectId: string; from: { id: string; commit?: string }; to: { id: string; commit?: string } }
  | { kind: "netlify"; name: string; plan: FrontendRollbackPlan };

const commitOf = (d: Deploy) => d.commit?.id?.slice(0, 7);

/** Where one Render service would go, or why it cannot (refusal) or need not (skip). */
function planService(name: string, deploys: Deploy[], to: string | undefined): { to?: Deploy; from?: Deploy; refuse?: string; skip?: string } {
  const newest = deploys[0];
  if (!newest) return { refuse: `${name}: Render lists no deploys` };
  if (IN_PROGRESS.includes(newest.status)) {
    return { refuse: `${name}: deploy ${newest.id} is still '${newest.status}' and would replace a rollback; wait for it (webstack verify) or cancel it in Render first` };
  }
  const current = deploys.find((d) => d.status === "live");
  if (!current) return { refuse: `${name}: no deploy is live, so there is no previous live deploy to return to` };
  if (!to && newest !== current) {
    return { skip: `${name}: the newest deploy ${newest.id} ended '${newest.status}', so the previous one (${current.id}) is still live; nothing to roll back` };
  }
  const older = deploys.slice(deploys.indexOf(current) + 1);
  if (to) {
    const target = deploys.find((d) => d.id === to);
    if (!target) return { refuse: `${name}: --to ${to} is not among its last ${deploys.length} deploys` };
    if (target === current) return { refuse: `${name}: --to ${to} is the live deploy already` };
    if (!SUCCESSFUL.includes(target.status)) return { refuse: `${name}: --to ${to} ended '${target.status}'; only a deploy that went live can come back` };
    return { from: current, to: target };
  }
  const previous = older.find((d) => SUCCESSFUL.includes(d.status));
  if (!previous) return { refuse: `${name}: no previous live deploy to roll back to (only ${current.id}${commitOf(current) ? `, commit ${commitOf(current)}` : ""} ever went live)` };
  return { from: current, to: previous };
}

async function waitRender(ops: Ops, client: RenderClient, serviceId: string, name: string, deployId: string, deadline: number, pollMs: number): Promise<string> {
  let interval = pollMs;
  let last = "";
  for (;;) {
    const d = await getDeploy(client, serviceId, deployId);
    if (d.status !== last) ops.err(`${name}: rollback deploy ${deployId} ${d.status}`);
    last = d.status;
    if (!IN_PROGRESS.includes(d.status) || ops.clock.now() + interval > deadline) return d.status;
    await ops.clock.sleep(interval);
    interval = Math.min(15_000, Math.round(interval * 1.2));
  }
}

async function waitVercel(ops: Ops, vercel: VercelClient, projectId: string, deadline: number, pollMs: number): Promise<string> {
  for (;;) {
    const status = (await vercel.project(projectId)).lastAliasRequest?.jobStatus ?? "succeeded";
    if (status !== "pending" && status !== "in-progress") return status;
    if (ops.clock.now() + pollMs > deadline) return status;
    await ops.clock.sleep(pollMs);
  }
}

export async function rollback(ops: Ops, stack: string, o: StackOutputs, opts: RollbackOptions = {}): Promise<RollbackReport> {
  const wait = opts.wait ?? true;
  const pollMs = opts.pollMs ?? 3_000;
  const services = backendServices(o);
  const ownsFrontend = !!(o.frontendOwnsProduction && o.frontendProjectId);
  if (!services.length && !ownsFrontend) throw new OpsError(`${stack} has no backend service and owns no production frontend: nothing to roll back`);
  const client = services.length ? renderClient(ops.env, "rolling back Render services") : undefined;
  // The frontend contract in ops (ops/frontend.ts) covers Netlify; Vercel's rollback is below.
  const front = ownsFrontend ? frontendOps(ops, o, "rolling back the production frontend") : undefined;
  const vercel = ownsFrontend && !front ? vercelClient(ops.env, ops.clock, o.frontendTeamId, "rolling back the Vercel production deployment") : undefined;

  // 1. Plan every move; refuse before anything changes.
  const plans: Plan[] = [];
  const refusals: string[] = [];
  const skipped: string[] = [];
  for (const s of services) {
    const svc = await getService(client!, s.id);
    const name = svc?.name ?? s.id;
    if (!svc) {
      (s.key === "main" ? refusals : skipped).push(`${name}: Render has no such service`);
      continue;
    }
    const p = planService(name, await listDeploys(client!, s.id), s.key === "main" ? opts.to : undefined);
    if (p.skip) skipped.push(p.skip);
    // A branch service that never had two good deploys is left as it is; the main one must move.
    else if (p.refuse && s.key !== "main") skipped.push(p.refuse);
    else if (p.refuse) refusals.push(p.refuse);
    else plans.push({ kind: "render", name, serviceId: s.id, branch: svc.branch, from: p.from!, to: p.to! });
  }
  if (opts.to && !services.some((s) => s.key === "main")) refusals.push(`--to ${opts.to}: ${stack} has no main backend service`);
  if (vercel) {
    const deployments = await vercel.productionDeployments(o.frontendProjectId!);
    const project = await vercel.project(o.frontendProjectId!);
    const current = currentProduction(project, deployments);
    const previous = current ? deployments.filter((d) => d.created < current.created && d.isRollbackCandidate !== false)[0] : undefined;
    const ref = (d: typeof current) => ({ id: d!.uid, ...(d!.meta?.githubCommitSha ? { commit: d!.meta.githubCommitSha.slice(0, 7) } : {}) });
    if (!current || !previous) refusals.push(`frontend ${project.name}: no previous production deployment to roll back to`);
    else plans.push({ kind: "vercel", name: `frontend ${project.name}`, projectId: project.id, from: ref(current), to: ref(previous) });
  } else if (front) {
    try {
      const p = await front.planRollback();
      plans.push({ kind: "netlify", name: p.name, plan: p });
    } catch (err) {
      if (!(err instanceof OpsError)) throw err;
      refusals.push(err.message);
    }
  } else if (o.frontendProjectId) {
    skipped.push(
      o.frontendHost === "netlify"
        ? "frontend: this stack's frontend is a branch of another stack's Netlify site; rollback moves only production (redeploy the branch instead)"
        : "frontend: this stack's frontend is a branch of another stack's Vercel project; instant rollback moves only production (redeploy the branch instead)",
    );
  }
  const refuse = (message: string) => new RollbackError(message, { stack, moved: [], skipped, notes: [], error: message });
  if (refusals.length) throw refuse(`rollback of ${stack} refused, nothing was changed:\n${refusals.map((r) => `  ${r}`).join("\n")}`);
  if (!plans.length) throw refuse(`rollback of ${stack}: nothing to roll back:\n${skipped.map((r) => `  ${r}`).join("\n")}`);

  // 2. Move. A failure part-way reports what already moved.
  const moved: Move[] = [];
  const branches = new Set<string>();
  try {
    for (const p of plans) {
      if (p.kind === "render") {
        const dep = await rollbackTo(client!, p.serviceId, p.to.id);
        if (p.branch) branches.add(p.branch);
        moved.push({ kind: "render", name: p.name, from: { id: p.from.id, commit: commitOf(p.from) }, to: { id: p.to.id, commit: commitOf(p.to) }, deployId: dep.id, result: "started" });
      } else if (p.kind === "netlify") {
        const result = await front!.rollback(p.plan);
        moved.push({ kind: "netlify", name: p.name, from: p.plan.from, to: p.plan.to, result });
      } else {
        await vercel!.rollback(p.projectId, p.to.id, `webstack rollback ${stack}`);
        moved.push({ kind: "vercel", name: p.name, from: p.from, to: p.to, result: "started" });
      }
    }
  } catch (err) {
    const done = moved.map((m) => `  ${describeMove(m)}`).join("\n");
    const message = `rollback of ${stack} failed part-way: ${(err as Error).message}\n${done ? `Already moved:\n${done}` : "Nothing moved."}`;
    throw new RollbackError(message, { stack, moved, skipped, notes: [], error: message });
  }

  // 3. Wait for the moves to land.
  if (wait) {
    const deadline = ops.clock.now() + (opts.timeoutMs ?? 15 * 60_000);
    await Promise.all(
      moved.map(async (m) => {
        const p = plans.find((x) => x.name === m.name)!;
        // Netlify publishes a restored deploy at once (atomic, no rebuild): nothing to wait for.
        if (p.kind === "netlify") return;
        m.result = p.kind === "render" ? await waitRender(ops, client!, p.serviceId, m.name, m.deployId!, deadline, pollMs) : await waitVercel(ops, vercel!, p.projectId, deadline, pollMs);
      }),
    );
  }

  const notes: string[] = [];
  if (moved.some((m) => m.kind === "render")) {
    notes.push(
      `Render: an API rollback leaves auto-deploy on; the next push to ${[...branches].join(", ") || "the service's branch"} deploys again. Push a fix (or a revert), or turn auto-deploy off in Render until then.`,
    );
  }
  if (moved.some((m) => m.kind === "vercel")) {
    notes.push("Vercel: after a rollback, new production deployments no longer get the production domains until one is promoted (`vercel promote <deployment>`, or Undo Rollback in the dashboard).");
  }
  if (moved.some((m) => m.kind === "netlify")) notes.push(front!.rollbackNote);
  return { stack, moved, skipped, notes };
}

export function describeMove(m: Move): string {
  const ref = (r: { id: string; commit?: string }) => `${r.id}${r.commit ? ` (${r.commit})` : ""}`;
  const landed =
    m.kind === "render" ? `rollback deploy ${m.deployId} ${m.result}` : m.kind === "netlify" ? `published, auto-publishing ${m.result}` : `alias job ${m.result}`;
  return `${m.name}: ${ref(m.from)} → ${ref(m.to)}; ${landed}`;
}

export function rollbackText(r: RollbackReport): string {
  const lines = [`Rolled back ${r.stack}:`, ...r.moved.map((m) => `  ${describeMove(m)}`)];
  if (r.skipped.length) lines.push("Left as they are:", ...r.skipped.map((s) => `  ${s}`));
  lines.push("", ...r.notes);
  return lines.join("\n");
}

/** Whether every move landed (a Render deploy live, a Vercel alias job succeeded, or not waited for). */
export function rollbackLanded(r: RollbackReport): boolean {
  return r.moved.every((m) => m.result === "live" || m.result === "succeeded" || m.result === "started" || m.result === "locked");
}

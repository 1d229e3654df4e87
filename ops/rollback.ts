/**
 * `webstack rollback <stack> [--to <deployId>] [--only-failing <verify report>]`: the stack back
 * to its last release with another commit. The frontend's production (for a stack that owns the
 * site), through its host's `FrontendOps` (Vercel's instant rollback, Netlify's restore and lock),
 * and, for every backend service, `POST /services/{id}/rollback` to the newest earlier live deploy
 * whose commit differs from the one serving.
 *
 * All or nothing: every part is planned and checked before anything moves (Vercel's Hobby rule
 * included). The frontend, the part that can refuse, moves first and is waited for (Vercel's alias
 * job); then Render. When a later part fails, the parts already moved are moved back; whatever could not be
 * moved back is named. A part already rolled back is left alone, so a second run never re-deploys
 * the release the first one rolled away from.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { StackOutputs } from "../components/stack-outputs";
import type { RenderClient } from "../providers/render/client";
import type { Deadline, Ops } from "./context";
import { OpsError } from "./errors";
import { backendServices } from "./outputs";
import { cancelDeploy, getDeploy, getService, IN_PROGRESS, listDeploys, renderClient, renderProblem, rollbackTo, SUCCESSFUL, type Deploy } from "./render-api";
import { frontendLanding, frontendOps, type FrontendOps, type FrontendRollbackPlan } from "./frontend-host";

/** Default `--timeout` of rollback: planning, moving and waiting together. */
export const ROLLBACK_TIMEOUT_MS = 15 * 60_000;

export interface RollbackOptions {
  /** Render deploy the main service goes back to (default: the newest earlier live one with another commit). */
  to?: string;
  /** Wait until the rollback deploys are live and Vercel's alias job finished. Default true. */
  wait?: boolean;
  pollMs?: number;
  /** Only these parts (`backend:<service>`, `frontend`), as `verify --report` names the failing ones. */
  only?: string[];
}

export interface Move {
  kind: "render" | "vercel" | "netlify";
  name: string;
  from: { id: string; commit?: string };
  to: { id: string; commit?: string };
  /** Render: the new deploy the rollback started (trigger `rollback`). */
  deployId?: string;
  /** Where it ended: `live`, `succeeded`, a failure status, `started` when not waited for, `moved back`. */
  result?: string;
}

export interface RollbackReport {
  stack: string;
  moved: Move[];
  /** Parts left alone, with the reason. */
  skipped: string[];
  notes: string[];
  /** Why the rollback was refused or stopped (then `moved` is what is still moved). */
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
  | { kind: "frontend"; name: string; plan: FrontendRollbackPlan };

const commitOf = (d: Deploy) => d.commit?.id?.slice(0, 7);
const ref = (d: Deploy) => `${d.id}${commitOf(d) ? ` (${commitOf(d)})` : ""}`;

/**
 * Commits a rollback rolled away from: for each rollback deploy, the deploy that was live before
 * it. They are never targets again (the second run of a rollback must not bring them back).
 */
function rolledAway(deploys: Deploy[]): Set<string> {
  const bad = new Set<string>();
  deploys.forEach((d, i) => {
    if (d.trigger !== "rollback") return;
    const before = deploys.slice(i + 1).find((x) => SUCCESSFUL.includes(x.status));
    if (before?.commit?.id && before.commit.id !== d.commit?.id) bad.add(before.commit.id);
  });
  return bad;
}

/** Where one Render service would go, or why it cannot (refusal) or need not (skip). */
function planService(name: string, deploys: Deploy[], to: string | undefined): { to?: Deploy; from?: Deploy; refuse?: string; skip?: string } {
  const newest = deploys[0];
  if (!newest) return { refuse: `${name}: Render lists no deploys` };
  if (IN_PROGRESS.includes(newest.status)) {
    return { refuse: `${name}: deploy ${newest.id} is still '${newest.status}' and would replace a rollback; wait for it (webstack verify) or cancel it in Render first` };
  }
  const current = deploys.find((d) => d.status === "live");
  if (!current) return { refuse: `${name}: no deploy is live, so there is no previous live deploy to return to` };
  if (to) {
    const target = deploys.find((d) => d.id === to);
    if (!target) return { refuse: `${name}: --to ${to} is not among its last ${deploys.length} deploys` };
    if (target === current) return { refuse: `${name}: --to ${to} is the live deploy already` };
    if (!SUCCESSFUL.includes(target.status)) return { refuse: `${name}: --to ${to} ended '${target.status}'; only a deploy that went live can come back` };
    return { from: current, to: target };
  }
  if (newest !== current) {
    return { skip: `${name}: the newest deploy ${newest.id} ended '${newest.status}', so the previous one (${current.id}) is still live; nothing to roll back` };
  }
  const older = deploys.slice(deploys.indexOf(current) + 1).filter((d) => SUCCESSFUL.includes(d.status));
  const bad = rolledAway(deploys);
  const candidates = older.filter((d) => !(d.commit?.id && (d.commit.id === current.commit?.id || bad.has(d.commit.id))));
  if (current.trigger === "rollback") {
    const away = older[0];
    const further = candidates[0];
    return {
      skip:
        `${name}: already rolled back (${ref(current)} is a rollback${away ? ` from ${ref(away)}` : ""}); nothing moved. ` +
        (further ? `To go further back, pass --to ${further.id}${commitOf(further) ? ` (${commitOf(further)})` : ""}` : "Nothing older with another commit is left to go to"),
    };
  }
  const previous = candidates[0];
  if (!previous) {
    const same = older.length ? ` (the earlier live deploys run the same commit${commitOf(current) ? ` ${commitOf(current)}` : ""}, or one already rolled away from)` : ` (only ${ref(current)} ever went live)`;
    return { refuse: `${name}: no previous live deploy with another commit to roll back to${same}; pick one with --to <deployId>` };
  }
  return { from: current, to: previous };
}

/** Reads `verify --report FILE`, checking it is about this stack. */
export function readVerifyReport(cwd: string, file: string, stack: string): { ok: boolean; failing: string[]; failingNotRollbackable?: string[]; error?: string; productionPinned?: string } {
  const path = resolve(cwd, file);
  if (!existsSync(path)) throw new OpsError(`--only-failing ${file}: no such file (write it with \`webstack verify ${stack} --report ${file}\`)`, 2);
  let r: { stack?: unknown; ok?: unknown; failing?: unknown; failingNotRollbackable?: unknown; error?: unknown; productionPinned?: unknown };
  try {
    r = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    throw new OpsError(`--only-failing ${file}: not JSON (expected what \`webstack verify --report\` writes)`, 2);
  }
  const failing = r?.failing;
  if (!r || typeof r.ok !== "boolean" || !Array.isArray(failing) || !failing.every((p) => typeof p === "string" && (p === "frontend" || /^backend:.+/.test(p)))) {
    throw new OpsError(`--only-failing ${file}: not a verify report (expected {stack, ok, failing: ["backend:<service>" | "frontend", …]})`, 2);
  }
  const short = String(r.stack ?? "").split("/").pop();
  if (short !== stack) throw new OpsError(`--only-failing ${file}: the report is about stack '${String(r.stack)}', not '${stack}'`, 2);
  const other = Array.isArray(r.failingNotRollbackable) ? r.failingNotRollbackable.filter((p): p is string => typeof p === "string") : [];
  return {
    ok: r.ok,
    failing: failing as string[],
    ...(other.length ? { failingNotRollbackable: other } : {}),
    ...(typeof r.error === "string" ? { error: r.error } : {}),
    ...(typeof r.productionPinned === "string" ? { productionPinned: r.productionPinned } : {}),
  };
}

async function waitRender(ops: Ops, client: RenderClient, serviceId: string, name: string, deployId: string, d: Deadline, pollMs: number): Promise<string> {
  let interval = pollMs;
  let last = "";
  for (;;) {
    const dep = await getDeploy(client, serviceId, deployId);
    if (dep.status !== last) ops.err(`${name}: rollback deploy ${deployId} ${dep.status}`);
    last = dep.status;
    if (!IN_PROGRESS.includes(dep.status) || ops.clock.now() + interval > d.at) return dep.status;
    await ops.clock.sleep(interval, d.signal);
    interval = Math.min(15_000, Math.round(interval * 1.2));
  }
}

export async function rollback(ops: Ops, stack: string, o: StackOutputs, d: Deadline, opts: RollbackOptions = {}): Promise<RollbackReport> {
  const wait = opts.wait ?? true;
  const pollMs = opts.pollMs ?? 3_000;
  const only = opts.only ? new Set(opts.only) : undefined;
  const wantFrontend = !only || only.has("frontend");
  const allServices = backendServices(o);
  const ownsFrontend = !!(o.frontendOwnsProduction && o.frontendProjectId);
  if (!allServices.length && !ownsFrontend) throw new OpsError(`${stack} has no backend service and owns no production frontend: nothing to roll back`);
  const what = `rollback of ${stack}`;
  const wantsRender = allServices.length && (!only || [...only].some((p) => p.startsWith("backend:")));
  const client = wantsRender ? renderClient(ops.env, "rolling back Render services", { clock: ops.clock, signal: d.signal }) : undefined;
  const front = ownsFrontend && wantFrontend ? frontendOps(ops, stack, o, "rolling back", d, { pollMs }) : undefined;
  const explain = (err: unknown): unknown => (client ? renderProblem(ops.env, err, what, d.timeoutMs) : undefined) ?? front?.explain(err, what) ?? err;

  // 1. Plan every move; refuse before anything changes.
  const plans: Plan[] = [];
  const refusals: string[] = [];
  const skipped: string[] = [];
  try {
    if (front) {
      const p = await front.planRollback();
      if ("skip" in p) skipped.push(p.skip);
      else if ("refuse" in p) refusals.push(p.refuse);
      else plans.push({ kind: "frontend", name: p.plan.name, plan: p.plan });
    } else if (o.frontendProjectId && wantFrontend && !ownsFrontend) {
      skipped.push(frontendOps(ops, stack, o, "", d)!.attachedSkip);
    }
    const matched = new Set<string>();
    for (const s of client ? allServices : []) {
      const svc = await getService(client!, s.id);
      const name = svc?.name ?? s.id;
      const part = [`backend:${name}`, `backend:${s.id}`, `backend:${s.key}`].find((x) => only?.has(x));
      if (only && !part) continue;
      if (part) matched.add(part);
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
    for (const p of only ?? []) if (p.startsWith("backend:") && !matched.has(p)) refusals.push(`${p}: not a backend service of ${stack}`);
  } catch (err) {
    throw explain(err);
  }
  if (opts.to && !allServices.some((s) => s.key === "main")) refusals.push(`--to ${opts.to}: ${stack} has no main backend service`);
  const refuse = (message: string) => new RollbackError(message, { stack, moved: [], skipped, notes: [], error: message });
  if (refusals.length) throw refuse(`rollback of ${stack} refused, nothing was changed:\n${refusals.map((r) => `  ${r}`).join("\n")}`);
  if (!plans.length) throw refuse(`rollback of ${stack}: nothing to roll back:\n${skipped.map((r) => `  ${r}`).join("\n")}`);

  // 2. Move: the frontend first (it can still refuse or fail), waiting until it landed; then Render.
  const moved: Move[] = [];
  const branches = new Set<string>();
  const failPartWay = async (err: unknown): Promise<never> => {
    const reason = (explain(err) as Error).message;
    const back = await moveBack(ops, moved, plans, client, front);
    const still = moved.filter((m) => m.result !== "moved back");
    const lines = [
      `rollback of ${stack} failed part-way: ${reason}`,
      ...(back.length ? ["Moved back:", ...back.map((l) => `  ${l}`)] : []),
      still.length ? "Still moved (check these by hand):" : back.length ? "Nothing is left moved." : "Nothing moved.",
      ...still.map((m) => `  ${describeMove(m)}`),
    ];
    const message = lines.join("\n");
    throw new RollbackError(message, { stack, moved: still, skipped, notes: [], error: message });
  };
  for (const p of [...plans.filter((x) => x.kind !== "render"), ...plans.filter((x) => x.kind === "render")]) {
    try {
      if (p.kind === "frontend") {
        const m: Move = { kind: front!.host, name: p.name, from: p.plan.from, to: p.plan.to, result: await front!.rollback(p.plan) };
        moved.push(m);
        // The part that can still fail lands before Render is asked.
        if (wait) {
          const landed = await front!.waitRollback(p.plan);
          m.result = landed.result;
          if (landed.failure) throw new Error(landed.failure);
        }
      } else {
        const dep = await rollbackTo(client!, p.serviceId, p.to.id);
        if (p.branch) branches.add(p.branch);
        moved.push({ kind: "render", name: p.name, from: { id: p.from.id, commit: commitOf(p.from) }, to: { id: p.to.id, commit: commitOf(p.to) }, deployId: dep.id, result: "started" });
      }
    } catch (err) {
      await failPartWay(err);
    }
  }

  // 3. Wait for the Render moves to land.
  if (wait) {
    try {
      await Promise.all(
        moved
          .filter((m) => m.kind === "render")
          .map(async (m) => {
            const p = plans.find((x) => x.name === m.name && x.kind === "render") as Extract<Plan, { kind: "render" }>;
            m.result = await waitRender(ops, client!, p.serviceId, m.name, m.deployId!, d, pollMs);
          }),
      );
    } catch (err) {
      // Everything moved; only the wait stopped (the deadline, an API gone): say what moved.
      const message = `rollback of ${stack}: every part moved, but waiting stopped: ${(explain(err) as Error).message}\n${moved.map((m) => `  ${describeMove(m)}`).join("\n")}`;
      throw new RollbackError(message, { stack, moved, skipped, notes: [], error: message });
    }
  }

  const notes: string[] = [];
  if (moved.some((m) => m.kind === "render")) {
    notes.push(
      `Render: an API rollback leaves auto-deploy on; the next push to ${[...branches].join(", ") || "the service's branch"} deploys again. Push a fix (or a revert), or turn auto-deploy off in Render until then.`,
    );
  }
  if (moved.some((m) => m.kind !== "render")) notes.push(front!.rollbackNote());
  return { stack, moved, skipped, notes };
}

/** Moves back what moved, newest first; returns a line per part moved back, and marks them. */
async function moveBack(ops: Ops, moved: Move[], plans: Plan[], client?: RenderClient, front?: FrontendOps): Promise<string[]> {
  const lines: string[] = [];
  for (const m of [...moved].reverse()) {
    const p = plans.find((x) => x.name === m.name && (x.kind === "render") === (m.kind === "render"))!;
    try {
      if (p.kind === "frontend") {
        lines.push(await front!.undoRollback(p.plan));
      } else {
        // Not live yet: cancelling it leaves the deploy it was replacing live. Live already: roll back to that one.
        const status = (await getDeploy(client!, p.serviceId, m.deployId!)).status;
        if (IN_PROGRESS.includes(status)) {
          await cancelDeploy(client!, p.serviceId, m.deployId!);
          lines.push(`${m.name}: rollback deploy ${m.deployId} canceled; ${m.from.id} still serves`);
        } else {
          const dep = await rollbackTo(client!, p.serviceId, p.from.id);
          lines.push(`${m.name}: back to ${m.from.id} (rollback deploy ${dep.id})`);
        }
      }
      m.result = "moved back";
    } catch (err) {
      ops.err(`${m.name}: moving back failed: ${(err as Error).message}`);
    }
  }
  return lines;
}

export function describeMove(m: Move): string {
  const r = (x: { id: string; commit?: string }) => `${x.id}${x.commit ? ` (${x.commit})` : ""}`;
  const landed = m.kind === "render" ? `rollback deploy ${m.deployId} ${m.result}` : frontendLanding(m.kind, m.result);
  return `${m.name}: ${r(m.from)} → ${r(m.to)}; ${landed}`;
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

/**
 * `webstack status <stack>`: one row per backend service (health, latency, Render's newest
 * deploy) and one for the frontend, pending custom domains, the cron schedules, and whether the
 * production domains still serve the newest production build. Anything down makes the exit code
 * non-zero; an unreachable URL is a row marked down, never a stack trace. `--timeout` bounds the
 * whole command: a Render or Vercel API that cannot be reached or refuses the credential ends it
 * with one line naming that API, never "all up".
 */
import type { StackOutputs } from "../components/stack-outputs";
import { formatDuration } from "./clock";
import type { Deadline, Ops } from "./context";
import { OpsError } from "./errors";
import { bypassSecret, ownedProject, pinText, productionPin, PROTECTED_HINT, type ProductionPin } from "./frontend";
import { backendServices } from "./outputs";
import { probe, type Probe } from "./probe";
import { getService, listDeploys, pendingDomains, renderClient, renderProblem, type Deploy } from "./render-api";
import { table } from "./table";

export interface StatusRow {
  kind: "backend" | "frontend";
  /** Render's service name, `frontend`, or the output key when Render does not know the service. */
  name: string;
  url?: string;
  health?: Probe;
  deploy?: Pick<Deploy, "id" | "status" | "createdAt"> & { commit?: string };
  up: boolean;
  /** Behind Vercel Authentication and no bypass secret: not down, not checked. */
  protected?: boolean;
  note?: string;
}

export interface StatusReport {
  stack: string;
  environment: string;
  ok: boolean;
  rows: StatusRow[];
  pendingDomains: string[];
  cron?: { script: string; schedules: string[] };
  /** Production domains serve an older deployment than the newest production build. */
  productionPinned?: { serving: string; newest: string; autoAssign?: boolean; message: string };
  notes: string[];
}

const short = (sha?: string) => sha?.slice(0, 7);

/** Default `--timeout` of status: the whole command. */
export const STATUS_TIMEOUT_MS = 30_000;

export async function status(ops: Ops, stack: string, o: StackOutputs, d: Deadline): Promise<StatusReport> {
  const services = backendServices(o);
  const client = services.length ? renderClient(ops.env, "reading Render's deploys", { clock: ops.clock, signal: d.signal }) : undefined;
  const what = `status ${stack}`;
  const render = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      throw renderProblem(ops.env, err, what, d.timeoutMs) ?? err;
    });
  // Each probe ends before the deadline, so a slow URL is a down row, not a timed-out command.
  const probeMs = Math.min(10_000, Math.round(d.timeoutMs * 0.9));
  const vercel = ownedProject(ops, o, "reading which deployment serves production", d);
  const notes: string[] = [];
  if (vercel && "skip" in vercel) notes.push(vercel.skip);

  const [rows, pin] = await Promise.all([
    Promise.all([
      ...services.map(async (s): Promise<StatusRow> => {
        const [svc, deploys, health] = await Promise.all([
          render(getService(client!, s.id)),
          render(listDeploys(client!, s.id, 1)).catch((err: Error) => {
            if (err instanceof OpsError) throw err;
            return err;
          }),
          s.healthUrl ? probe(s.healthUrl, ops.clock, { timeoutMs: probeMs, signal: d.signal }) : undefined,
        ]);
        const name = svc ? svc.name : s.key === "main" ? s.id : `${s.id} (${s.key})`;
        const row: StatusRow = { kind: "backend", name, url: s.healthUrl, health, up: !!health?.up };
        if (svc === undefined) return { ...row, up: false, note: "Render has no such service" };
        if (svc.suspended === "suspended") return { ...row, up: false, note: "suspended" };
        if (deploys instanceof Error) row.note = `Render: ${deploys.message}`;
        else if (deploys[0]) {
          const dep = deploys[0];
          row.deploy = { id: dep.id, status: dep.status, createdAt: dep.createdAt, commit: short(dep.commit?.id) };
        }
        if (!health) return { ...row, up: false, note: "no URL in the stack outputs" };
        return row;
      }),
      ...(o.frontendUrl
        ? [
            probe(o.frontendUrl, ops.clock, { timeoutMs: probeMs, signal: d.signal, bypassSecret: bypassSecret(ops, o) }).then(
              (health): StatusRow => ({
                kind: "frontend",
                name: "frontend",
                url: o.frontendUrl,
                health,
                up: health.up,
                ...(health.protected ? { protected: true, note: PROTECTED_HINT } : {}),
              }),
            ),
          ]
        : []),
    ]),
    vercel && "client" in vercel ? productionPin(vercel.client, vercel.projectId, what, d, ops.clock.now()) : Promise.resolve<ProductionPin | undefined>(undefined),
  ]);
  let pending: string[] = [];
  if (client && o.backendServiceId) {
    pending = await pendingDomains(client, o.backendServiceId).catch(() => o.backendPendingDomains ?? []);
  }
  return {
    stack,
    environment: o.environment,
    ok: rows.every((r) => r.up || r.protected) && !pin,
    rows,
    pendingDomains: pending,
    ...(o.cronScriptName ? { cron: { script: o.cronScriptName, schedules: o.cronSchedules ?? [] } } : {}),
    ...(pin ? { productionPinned: { serving: pin.serving.uid, newest: pin.newest.uid, autoAssign: pin.autoAssign, message: pinText(stack, pin) } } : {}),
    notes,
  };
}

/** The report for people. */
export function statusText(r: StatusReport, now: number): string {
  const rows = r.rows.map((row) => [
    row.up ? "up" : row.protected ? "protected" : "DOWN",
    row.name,
    row.url ?? "",
    row.health ? row.health.answer : "",
    row.health ? `${row.health.latencyMs} ms` : "",
    row.deploy ? [row.deploy.status, row.deploy.commit, row.deploy.createdAt ? `${formatDuration(now - Date.parse(row.deploy.createdAt))} ago` : ""].filter(Boolean).join(" ") : "",
    row.note ?? "",
  ]);
  const down = r.rows.filter((x) => !x.up && !x.protected).length;
  const summary = down ? `${down} down` : r.productionPinned ? "up, but production is pinned to an older deployment" : "all up";
  const lines = [`${r.stack} (${r.environment}): ${summary}`, "", table(["STATE", "SERVICE", "URL", "HEALTH", "LATENCY", "DEPLOY", "NOTE"], rows)];
  if (r.productionPinned) lines.push("", r.productionPinned.message);
  if (r.pendingDomains.length) lines.push("", `Custom domains waiting for DNS verification: ${r.pendingDomains.join(", ")}`);
  if (r.cron) lines.push("", `Cron Worker ${r.cron.script}: ${r.cron.schedules.length ? r.cron.schedules.join(", ") : "no schedules (disabled)"}`);
  if (r.notes.length) lines.push("", ...r.notes);
  return lines.join("\n");
}

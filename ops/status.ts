/**
 * `webstack status <stack>`: one row per backend service (health, latency, Render's newest
 * deploy) and one for the frontend, pending custom domains, the cron schedules, and whether the
 * production domains still serve the newest production build. Anything down makes the exit code
 * non-zero; an unreachable URL is a row marked down, never a stack trace. `--timeout` bounds the
 * whole command. A Render or Vercel API that cannot be reached or refuses the credential is named in
 * one line (`problems`), its rows are marked UNKNOWN, the other parts are still reported, and the
 * exit code is non-zero: never "all up".
 */
import type { StackOutputs } from "../components/stack-outputs";
import { formatDuration } from "./clock";
import type { Deadline, Ops } from "./context";
import { isApiError } from "../providers/kit/rest";
import { OpsError } from "./errors";
import { bypassSecret, PROTECTED_HINT } from "./frontend";
import { backendServices } from "./outputs";
import { probe, type Probe } from "./probe";
import { getService, listDeploys, pendingDomains, renderClient, renderProblem, type Deploy } from "./render-api";
import { projectHealth } from "./supabase-api";
import { table } from "./table";
import { frontendOps, type FrontendOps, type FrontendPin } from "./frontend-host";

export interface StatusRow {
  kind: "backend" | "frontend" | "database";
  /** Render's service name, `frontend`, or the output key when Render does not know the service. */
  name: string;
  url?: string;
  health?: Probe;
  deploy?: Pick<Deploy, "id" | "status" | "createdAt"> & { commit?: string };
  up: boolean;
  /** Behind Vercel Authentication and no bypass secret: not down, not checked. */
  protected?: boolean;
  /** An API that describes it could not be read (see `problems`): neither up nor down. */
  unknown?: boolean;
  note?: string;
}

/** An API that could not be read, in one line naming it, and the exit code it calls for (2: the credential). */
export interface StatusProblem {
  message: string;
  exitCode: 1 | 2;
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
  /** APIs that could not be read; the report is then not ok. */
  problems?: StatusProblem[];
}

const short = (sha?: string) => sha?.slice(0, 7);

/** Default `--timeout` of status: the whole command. */
export const STATUS_TIMEOUT_MS = 30_000;

export async function status(ops: Ops, stack: string, o: StackOutputs, d: Deadline): Promise<StatusReport> {
  const services = backendServices(o);
  const client = services.length ? renderClient(ops.env, "reading Render's deploys", { clock: ops.clock, signal: d.signal }) : undefined;
  const what = `status ${stack}`;
  const problems = new Map<string, StatusProblem>();
  /** An API failure no retry fixes becomes a named problem (once per message) and the caller's row says UNKNOWN. */
  const problem = (source: "Render" | "Vercel" | "Netlify" | "Supabase", err: unknown): string => {
    const e = err instanceof OpsError ? err : isApiError(err) ? new OpsError(`${what}: ${err.message}`, 1) : undefined;
    if (!e) throw err;
    // One line per API: calls cut by one deadline fail alike, the longest says most (the last error before it).
    const seen = problems.get(source);
    if (!seen || e.message.length > seen.message.length) problems.set(source, { message: e.message, exitCode: e.exitCode });
    return e.message;
  };
  const render = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      throw renderProblem(ops.env, err, what, d.timeoutMs) ?? err;
    });
  // Each probe ends before the deadline, so a slow URL is a down row, not a timed-out command.
  const probeMs = Math.min(10_000, Math.round(d.timeoutMs * 0.9));
  const notes: string[] = [];
  const host = frontendOps(ops, stack, o, "reading", d);
  // A host whose credential is not set is a note, not a failure: the URL is still probed.
  const unreadable = host?.unreadable();
  if (unreadable && (o.frontendOwnsProduction || host?.deployState)) notes.push(unreadable);
  const front = unreadable ? undefined : host;

  const [rows, pin] = await Promise.all([
    Promise.all([
      ...services.map(async (s): Promise<StatusRow> => {
        const [svc, deploys, health] = await Promise.all([
          render(getService(client!, s.id)).catch((err: unknown) => new UnreadApi(problem("Render", err))),
          render(listDeploys(client!, s.id, 1)).catch((err: Error) => {
            if (err instanceof OpsError) return new UnreadApi(problem("Render", err));
            return err;
          }),
          s.healthUrl ? probe(s.healthUrl, ops.clock, { timeoutMs: probeMs, signal: d.signal }) : undefined,
        ]);
        const fallback = s.key === "main" ? s.id : `${s.id} (${s.key})`;
        if (svc instanceof UnreadApi) {
          // Render could not say which service this is or what it runs: its health is still shown.
          return { kind: "backend", name: fallback, url: s.healthUrl, health, up: false, unknown: true, note: "Render API not read (see below)" };
        }
        const name = svc ? svc.name : fallback;
        const row: StatusRow = { kind: "backend", name, url: s.healthUrl, health, up: !!health?.up };
        if (svc === undefined) return { ...row, up: false, note: "Render has no such service" };
        if (svc.suspended === "suspended") return { ...row, up: false, note: "suspended" };
        if (deploys instanceof UnreadApi) row.note = "Render's deploys not read (see below)";
        else if (deploys instanceof Error) row.note = `Render: ${deploys.message}`;
        else if (deploys[0]) {
          const dep = deploys[0];
          row.deploy = { id: dep.id, status: dep.status, createdAt: dep.createdAt, commit: short(dep.commit?.id) };
        }
        if (!health) return { ...row, up: false, note: "no URL in the stack outputs" };
        return row;
      }),
      // The database when a Supabase project holds it: its status and its services' health.
      ...(o.supabaseProjectRef
        ? [
            projectHealth(ops.env, o.supabaseProjectRef, what, { clock: ops.clock, signal: d.signal, timeoutMs: d.timeoutMs }).then((h): StatusRow => {
              const row: StatusRow = { kind: "database", name: `supabase ${o.supabaseProjectRef}`, url: o.supabaseApiUrl, up: h.up, note: h.answer };
              if (!h.problem) return row;
              problem("Supabase", h.problem);
              return { ...row, unknown: true, note: "Supabase Management API not read (see below)" };
            }),
          ]
        : []),
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
            ...frontendDeployRows(front, (err) => problem(hostLabel(front!), front!.explain(err, what) ?? err)),
          ]
        : []),
    ]),
    front
      ? front.pinned().catch((err: unknown) => void problem(hostLabel(front), front.explain(err, what) ?? err))
      : Promise.resolve<FrontendPin | undefined>(undefined),
  ]);
  let pending: string[] = [];
  if (client && o.backendServiceId) {
    pending = await pendingDomains(client, o.backendServiceId).catch(() => o.backendPendingDomains ?? []);
  }
  return {
    stack,
    environment: o.environment,
    ok: rows.every((r) => r.up || r.protected) && !pin && problems.size === 0,
    rows,
    pendingDomains: pending,
    ...(o.cronScriptName ? { cron: { script: o.cronScriptName, schedules: o.cronSchedules ?? [] } } : {}),
    ...(pin ? { productionPinned: { serving: pin.serving, newest: pin.newest, autoAssign: pin.autoAssign, message: pin.message } } : {}),
    notes,
    ...(problems.size ? { problems: [...problems.values()] } : {}),
  };
}

/** A Render call that failed in a way the report names once, in `problems`. */
class UnreadApi {
  constructor(readonly message: string) {}
}

/** The exit code of a status report: 0 all up, 2 a credential was refused, else 1. */
export function statusExitCode(r: StatusReport): 0 | 1 | 2 {
  if (r.problems?.some((p) => p.exitCode === 2)) return 2;
  return r.ok ? 0 : 1;
}

/**
 * Where the frontend's host reports deploys (Netlify): the published deploy, whether publishing is
 * locked and what waits behind the lock, and each branch's newest deploy. A host that cannot be
 * read is a note, not a failure.
 */
function frontendDeployRows(front: FrontendOps | undefined, problem: (err: unknown) => string): Promise<StatusRow>[] {
  if (!front?.deployState) return [];
  return [
    front.deployState().then(
      (st): StatusRow => ({
        kind: "frontend",
        name: "frontend deploys",
        up: !!st.published && st.published.state === "ready",
        ...(st.published ? { deploy: { id: st.published.id, status: `published${st.published.locked ? ", locked" : ""}`, createdAt: st.published.publishedAt, commit: st.published.commit } } : {}),
        note: [
          st.published ? "" : "nothing published",
          st.waiting.length ? `${st.waiting.length} newer production deploy(s) unpublished until webstack promote` : "",
          st.branches.length ? `branches: ${st.branches.map((b) => `${b.name} ${b.deployId}`).join(", ")}` : "",
        ]
          .filter(Boolean)
          .join("; "),
      }),
      (err: unknown): StatusRow => {
        problem(err);
        return { kind: "frontend", name: "frontend deploys", up: false, unknown: true, note: `${hostLabel(front)} API not read (see below)` };
      },
    ),
  ];
}

/** The host's name as its API is named in `problems`. */
function hostLabel(front: FrontendOps): "Vercel" | "Netlify" {
  return front.host === "netlify" ? "Netlify" : "Vercel";
}

/** The report for people. */
export function statusText(r: StatusReport, now: number): string {
  const rows = r.rows.map((row) => [
    row.up ? "up" : row.protected ? "protected" : row.unknown ? "UNKNOWN" : "DOWN",
    row.name,
    row.url ?? "",
    row.health ? row.health.answer : "",
    row.health ? `${row.health.latencyMs} ms` : "",
    row.deploy ? [row.deploy.status, row.deploy.commit, row.deploy.createdAt ? `${formatDuration(now - Date.parse(row.deploy.createdAt))} ago` : ""].filter(Boolean).join(" ") : "",
    row.note ?? "",
  ]);
  const down = r.rows.filter((x) => !x.up && !x.protected && !x.unknown).length;
  const unknown = r.rows.filter((x) => x.unknown).length;
  const summary =
    [down ? `${down} down` : "", unknown ? `${unknown} unknown` : "", !down && !unknown && r.problems?.length ? "not every API could be read" : ""].filter(Boolean).join(", ") ||
    (r.productionPinned ? "up, but production is pinned to an older deployment" : "all up");
  const lines = [`${r.stack} (${r.environment}): ${summary}`, "", table(["STATE", "SERVICE", "URL", "HEALTH", "LATENCY", "DEPLOY", "NOTE"], rows)];
  if (r.productionPinned) lines.push("", r.productionPinned.message);
  if (r.pendingDomains.length) lines.push("", `Custom domains waiting for DNS verification: ${r.pendingDomains.join(", ")}`);
  if (r.cron) lines.push("", `Cron Worker ${r.cron.script}: ${r.cron.schedules.length ? r.cron.schedules.join(", ") : "no schedules (disabled)"}`);
  if (r.notes.length) lines.push("", ...r.notes);
  return lines.join("\n");
}

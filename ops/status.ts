/**
 * `webstack status <stack>`: one row per backend service (health, latency, Render's newest
 * deploy) and one for the frontend, pending custom domains, the cron schedules. Anything down
 * makes the exit code non-zero; an unreachable URL is a row marked down, never a stack trace.
 */
import type { StackOutputs } from "../components/stack-outputs";
import { formatDuration } from "./clock";
import type { Ops } from "./context";
import { backendServices } from "./outputs";
import { probe, type Probe } from "./probe";
import { getService, listDeploys, pendingDomains, renderClient, type Deploy } from "./render-api";
import { projectHealth } from "./supabase-api";
import { table } from "./table";

export interface StatusRow {
  kind: "backend" | "frontend" | "database";
  /** Render's service name, `frontend`, or the output key when Render does not know the service. */
  name: string;
  url?: string;
  health?: Probe;
  deploy?: Pick<Deploy, "id" | "status" | "createdAt"> & { commit?: string };
  up: boolean;
  note?: string;
}

export interface StatusReport {
  stack: string;
  environment: string;
  ok: boolean;
  rows: StatusRow[];
  pendingDomains: string[];
  cron?: { script: string; schedules: string[] };
}

const short = (sha?: string) => sha?.slice(0, 7);

export async function status(ops: Ops, stack: string, o: StackOutputs, timeoutMs = 10_000): Promise<StatusReport> {
  const services = backendServices(o);
  const client = services.length ? renderClient(ops.env, "reading Render's deploys") : undefined;
  const rows: StatusRow[] = await Promise.all([
    ...services.map(async (s): Promise<StatusRow> => {
      const [svc, deploys, health] = await Promise.all([
        getService(client!, s.id).catch((err: Error) => err),
        listDeploys(client!, s.id, 1).catch((err: Error) => err),
        s.healthUrl ? probe(s.healthUrl, ops.clock, timeoutMs) : undefined,
      ]);
      const name = svc && !(svc instanceof Error) ? svc.name : s.key === "main" ? s.id : `${s.id} (${s.key})`;
      const row: StatusRow = { kind: "backend", name, url: s.healthUrl, health, up: !!health?.up };
      if (svc === undefined) return { ...row, up: false, note: "Render has no such service" };
      if (svc instanceof Error) row.note = `Render: ${svc.message}`;
      else if (svc.suspended === "suspended") return { ...row, up: false, note: "suspended" };
      if (deploys instanceof Error) row.note = `Render: ${deploys.message}`;
      else if (deploys[0]) {
        const d = deploys[0];
        row.deploy = { id: d.id, status: d.status, createdAt: d.createdAt, commit: short(d.commit?.id) };
      }
      if (!health) return { ...row, up: false, note: "no URL in the stack outputs" };
      return row;
    }),
    // The database when a Supabase project holds it: its status and its services' health.
    ...(o.supabaseProjectRef
      ? [
          projectHealth(ops.env, o.supabaseProjectRef).then(
            (h): StatusRow => ({ kind: "database", name: `supabase ${o.supabaseProjectRef}`, url: o.supabaseApiUrl, up: h.up, note: h.answer }),
          ),
        ]
      : []),
    ...(o.frontendUrl
      ? [probe(o.frontendUrl, ops.clock, timeoutMs).then((health): StatusRow => ({ kind: "frontend", name: "frontend", url: o.frontendUrl, health, up: health.up }))]
      : []),
  ]);
  let pending: string[] = [];
  if (client && o.backendServiceId) {
    pending = await pendingDomains(client, o.backendServiceId).catch(() => o.backendPendingDomains ?? []);
  }
  return {
    stack,
    environment: o.environment,
    ok: rows.every((r) => r.up),
    rows,
    pendingDomains: pending,
    ...(o.cronScriptName ? { cron: { script: o.cronScriptName, schedules: o.cronSchedules ?? [] } } : {}),
  };
}

/** The report for people. */
export function statusText(r: StatusReport, now: number): string {
  const rows = r.rows.map((row) => [
    row.up ? "up" : "DOWN",
    row.name,
    row.url ?? "",
    row.health ? row.health.answer : "",
    row.health ? `${row.health.latencyMs} ms` : "",
    row.deploy ? [row.deploy.status, row.deploy.commit, row.deploy.createdAt ? `${formatDuration(now - Date.parse(row.deploy.createdAt))} ago` : ""].filter(Boolean).join(" ") : "",
    row.note ?? "",
  ]);
  const lines = [`${r.stack} (${r.environment}): ${r.ok ? "all up" : `${r.rows.filter((x) => !x.up).length} down`}`, "", table(["STATE", "SERVICE", "URL", "HEALTH", "LATENCY", "DEPLOY", "NOTE"], rows)];
  if (r.pendingDomains.length) lines.push("", `Custom domains waiting for DNS verification: ${r.pendingDomains.join(", ")}`);
  if (r.cron) lines.push("", `Cron Worker ${r.cron.script}: ${r.cron.schedules.length ? r.cron.schedules.join(", ") : "no schedules (disabled)"}`);
  return lines.join("\n");
}

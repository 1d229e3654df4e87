/**
 * `webstack verify <stack>`: waits until every backend service's newest deploy is live (a deploy
 * queued with a 202 shows up as the newest and is followed), then checks each health URL with
 * retries, and the frontend (through Vercel's automation bypass when it is protected). One
 * progress line per service whenever its state changes; a failure names the service, Render's
 * deploy status and the last health answer. `--report FILE` writes which parts failed, for
 * `webstack rollback --only-failing FILE`.
 */
import type { StackOutputs } from "../components/stack-outputs";
import type { RenderClient } from "../providers/render/client";
import { formatDuration } from "./clock";
import type { Deadline, Ops } from "./context";
import { OpsError } from "./errors";
import { bypassSecret, PROTECTED_HINT } from "./frontend";
import { frontendOps } from "./frontend-host";
import { backendServices } from "./outputs";
import { probe, type Probe } from "./probe";
import { getDeploy, getService, IN_PROGRESS, listDeploys, renderClient, renderProblem, type Deploy } from "./render-api";
import { projectHealth } from "./supabase-api";

export interface VerifyOptions {
  /** First interval between deploy polls; grows ×1.2 up to 15 s (as Render's own provider). Default 3 s. */
  pollMs?: number;
  /** Health checks per URL before giving up. Default 6. */
  healthAttempts?: number;
  /** Per-request timeout of a health check. Default 10 s. */
  healthTimeoutMs?: number;
}

/** Default `--timeout` of verify: deploys, health checks and API calls together. */
export const VERIFY_TIMEOUT_MS = 15 * 60_000;

export interface VerifyResult {
  /** What `rollback --only-failing` acts on: `backend:<Render service name>` or `frontend`. */
  part: string;
  name: string;
  ok: boolean;
  deploy?: Deploy;
  health?: Probe;
  /** Why it failed, naming the deploy status and the last health answer. */
  failure?: string;
  /** Not checked (protected, no bypass secret), with what to do. */
  note?: string;
}

/** What `--report FILE` holds. */
export interface VerifyReport {
  stack: string;
  ok: boolean;
  /** Parts that failed and that a rollback can act on, e.g. `["backend:ott-prod-api", "frontend"]`. */
  failing: string[];
  /**
   * Parts that failed and that no rollback fixes, e.g. `["database:supabase abcdefghijklmnopqrst"]`
   * (a paused or unhealthy Supabase project): kept out of `failing`, since `rollback --only-failing`
   * acts on that list and a database is never rolled back; they fail the report all the same.
   */
  failingNotRollbackable?: string[];
  results: Array<Pick<VerifyResult, "part" | "name" | "ok" | "failure" | "note">>;
  /** Production domains serve an older deployment than the newest build: `webstack promote`, not a rollback. */
  productionPinned?: string;
  /** Why verify stopped without a verdict (an API unreachable, the deadline). */
  error?: string;
}

const REASON: Record<string, string> = {
  build_failed: "the build failed",
  update_failed: "the new version failed to start",
  pre_deploy_failed: "the pre-deploy command failed",
  canceled: "it was canceled",
  deactivated: "it was replaced",
};

/** Health checks with backoff (2, 4, 8 … s, at most 30 s) until up, protected, out of attempts, or past the deadline. */
async function checkHealth(ops: Ops, name: string, url: string, d: Deadline, o: Required<VerifyOptions>, bypass?: string): Promise<Probe> {
  const check = () => probe(url, ops.clock, { timeoutMs: Math.min(o.healthTimeoutMs, Math.max(1, d.at - ops.clock.now())), signal: d.signal, bypassSecret: bypass });
  let last = await check();
  for (let attempt = 2; !last.up && !last.protected && attempt <= o.healthAttempts; attempt++) {
    const wait = Math.min(30_000, 2_000 * 2 ** (attempt - 2));
    if (ops.clock.now() + wait > d.at) break;
    ops.err(`${name}: health ${last.answer}; checking again in ${formatDuration(wait)} (${attempt}/${o.healthAttempts})`);
    await ops.clock.sleep(wait, d.signal);
    last = await check();
  }
  return last;
}

/** Follows the newest deploy until it is live, failed, or the deadline is near. */
async function waitForLive(ops: Ops, client: RenderClient, id: string, name: string, d: Deadline, o: Required<VerifyOptions>): Promise<Deploy | undefined> {
  let interval = o.pollMs;
  let seen = "";
  const start = ops.clock.now();
  for (;;) {
    const newest = (await listDeploys(client, id, 1))[0];
    if (!newest) return undefined;
    // Read the deploy itself: its status is the freshest there is.
    const dep = IN_PROGRESS.includes(newest.status) ? await getDeploy(client, id, newest.id) : newest;
    const state = `${dep.id} ${dep.status}`;
    if (state !== seen) {
      ops.err(`${name}: deploy ${dep.id} ${dep.status}${dep.commit?.id ? ` (commit ${dep.commit.id.slice(0, 7)})` : ""} after ${formatDuration(ops.clock.now() - start)}`);
      seen = state;
    }
    if (!IN_PROGRESS.includes(dep.status)) return dep;
    if (ops.clock.now() + interval > d.at) return dep;
    await ops.clock.sleep(interval, d.signal);
    interval = Math.min(15_000, Math.round(interval * 1.2));
  }
}

export async function verify(ops: Ops, stack: string, o: StackOutputs, d: Deadline, opts: VerifyOptions = {}): Promise<{ results: VerifyResult[]; pinned?: string }> {
  const settings: Required<VerifyOptions> = { pollMs: 3_000, healthAttempts: 6, healthTimeoutMs: 10_000, ...opts };
  const services = backendServices(o);
  const client = services.length ? renderClient(ops.env, "waiting for Render's deploys", { clock: ops.clock, signal: d.signal }) : undefined;
  const what = `verify ${stack}`;
  const host = frontendOps(ops, stack, o, "reading", d, { pollMs: settings.pollMs });
  const unreadable = host?.unreadable();
  if (unreadable) ops.err(`frontend: ${unreadable}`);
  const front = unreadable ? undefined : host;
  const hostCall = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      throw front!.explain(err, what) ?? (d.signal.aborted ? deadlinePassed(what, d) : err);
    });

  const backend = services.map(async (s): Promise<VerifyResult> => {
    try {
      const svc = await getService(client!, s.id);
      const name = svc?.name ?? s.id;
      const part = `backend:${name}`;
      if (!svc) return { part, name, ok: false, failure: `${name}: Render has no service ${s.id}` };
      const deploy = await waitForLive(ops, client!, s.id, name, d, settings);
      const health = s.healthUrl
        ? deploy?.status === "live"
          ? await checkHealth(ops, name, s.healthUrl, d, settings)
          : await probe(s.healthUrl, ops.clock, { timeoutMs: settings.healthTimeoutMs, signal: d.signal }) // what is serving meanwhile
        : undefined;
      const lastAnswer = health ? `last health answer: ${health.answer}` : "no health URL";
      if (!deploy) return { part, name, ok: false, health, failure: `${name}: Render lists no deploy; ${lastAnswer}` };
      const status = `Render deploy ${deploy.id} is '${deploy.status}'`;
      if (IN_PROGRESS.includes(deploy.status)) {
        return { part, name, ok: false, deploy, health, failure: `${name}: ${status} after ${formatDuration(d.timeoutMs)}; ${lastAnswer}` };
      }
      if (deploy.status !== "live") {
        return { part, name, ok: false, deploy, health, failure: `${name}: ${status}: ${REASON[deploy.status] ?? "it did not go live"}; ${lastAnswer}` };
      }
      if (health && !health.up) return { part, name, ok: false, deploy, health, failure: `${name}: ${status}, but ${s.healthUrl} fails; ${lastAnswer}` };
      ops.err(`${name}: live and healthy (${health ? `${health.answer} in ${health.latencyMs} ms` : "no health URL"})`);
      return { part, name, ok: true, deploy, health };
    } catch (err) {
      throw renderProblem(ops.env, err, what, d.timeoutMs) ?? (d.signal.aborted ? deadlinePassed(what, d) : err);
    }
  });

  const database = o.supabaseProjectRef
    ? [
        projectHealth(ops.env, o.supabaseProjectRef, what, { clock: ops.clock, signal: d.signal, timeoutMs: d.timeoutMs }).then((h): VerifyResult => {
          const name = `supabase ${o.supabaseProjectRef}`;
          if (h.up) ops.err(`${name}: ${h.answer}`);
          return h.up ? { part: "database", name, ok: true } : { part: "database", name, ok: false, failure: `${name}: ${h.answer}` };
        }),
      ]
    : [];
  const frontend = o.frontendUrl
    ? [
        Promise.all([checkHealth(ops, "frontend", o.frontendUrl, d, settings, bypassSecret(ops, o)), front ? hostCall(front.checkDeploy()) : ({} as { failure?: string; ok?: string })]).then(([health, deploy]): VerifyResult => {
          const base = { part: "frontend", name: "frontend", health };
          // The deploy that should be live failed (or never landed): that, with the URL's last answer.
          if (deploy.failure) return { ...base, ok: false, failure: `${deploy.failure}; ${o.frontendUrl} answers ${health.answer}` };
          if (deploy.ok) ops.err(deploy.ok);
          if (health.protected) {
            ops.err(`frontend: ${o.frontendUrl} is protected by Vercel Authentication and was not checked: ${PROTECTED_HINT}`);
            return { ...base, ok: true, note: `protected by Vercel Authentication, not checked: ${PROTECTED_HINT}` };
          }
          if (health.up) ops.err(`frontend: ${o.frontendUrl} answers ${health.answer} in ${health.latencyMs} ms`);
          return health.up ? { ...base, ok: true } : { ...base, ok: false, failure: `frontend: ${o.frontendUrl} fails; last answer: ${health.answer}` };
        }),
      ]
    : [];
  const [results, pin] = await Promise.all([Promise.all([...backend, ...database, ...frontend]), front ? hostCall(front.pinned()) : undefined]);
  return { results, ...(pin ? { pinned: pin.message } : {}) };
}

function deadlinePassed(what: string, d: Deadline): OpsError {
  return new OpsError(`${what}: --timeout ${formatDuration(d.timeoutMs)} passed; run again with a longer --timeout`, 1);
}

export function verifyReport(stack: string, results: VerifyResult[], pinned?: string): VerifyReport {
  return {
    stack,
    ok: results.every((r) => r.ok) && !pinned,
    // A database rollback cannot fix (a paused or unhealthy Supabase project) fails the report without a part to roll back.
    failing: results.filter((r) => !r.ok && r.part !== "database").map((r) => r.part),
    ...(results.some((r) => !r.ok && r.part === "database")
      ? { failingNotRollbackable: results.filter((r) => !r.ok && r.part === "database").map((r) => `database:${r.name}`) }
      : {}),
    results: results.map(({ part, name, ok, failure, note }) => ({ part, name, ok, ...(failure ? { failure } : {}), ...(note ? { note } : {}) })),
    ...(pinned ? { productionPinned: pinned } : {}),
  };
}

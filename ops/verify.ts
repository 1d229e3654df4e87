/**
 * `webstack verify <stack>`: waits until every backend service's newest deploy is live (a deploy
 * queued with a 202 shows up as the newest and is followed), then checks each health URL with
 * retries, and the frontend. One progress line per service whenever its state changes; a
 * failure names the service, Render's deploy status and the last health answer.
 */
import type { StackOutputs } from "../components/stack-outputs";
import { formatDuration } from "./clock";
import type { Ops } from "./context";
import { backendServices } from "./outputs";
import { probe, type Probe } from "./probe";
import { getDeploy, getService, IN_PROGRESS, listDeploys, renderClient, type Deploy } from "./render-api";
import type { RenderClient } from "../providers/render/client";
import { projectHealth } from "./supabase-api";

export interface VerifyOptions {
  /** Whole wait, deploys and health checks included. Default 15 min. */
  timeoutMs?: number;
  /** First interval between deploy polls; grows ×1.2 up to 15 s (as Render's own provider). Default 3 s. */
  pollMs?: number;
  /** Health checks per URL before giving up. Default 6. */
  healthAttempts?: number;
  /** Per-request timeout of a health check. Default 10 s. */
  healthTimeoutMs?: number;
}

export interface VerifyResult {
  name: string;
  ok: boolean;
  deploy?: Deploy;
  health?: Probe;
  /** Why it failed, naming the deploy status and the last health answer. */
  failure?: string;
}

const REASON: Record<string, string> = {
  build_failed: "the build failed",
  update_failed: "the new version failed to start",
  pre_deploy_failed: "the pre-deploy command failed",
  canceled: "it was canceled",
  deactivated: "it was replaced",
};

/** Health checks with backoff (2, 4, 8 … s, at most 30 s) until up, out of attempts, or past the deadline. */
async function checkHealth(ops: Ops, name: string, url: string, deadline: number, o: Required<VerifyOptions>): Promise<Probe> {
  let last = await probe(url, ops.clock, o.healthTimeoutMs);
  for (let attempt = 2; !last.up && attempt <= o.healthAttempts; attempt++) {
    const wait = Math.min(30_000, 2_000 * 2 ** (attempt - 2));
    if (ops.clock.now() + wait > deadline) break;
    ops.err(`${name}: health ${last.answer}; checking again in ${formatDuration(wait)} (${attempt}/${o.healthAttempts})`);
    await ops.clock.sleep(wait);
    last = await probe(url, ops.clock, o.healthTimeoutMs);
  }
  return last;
}

/** Follows the newest deploy until it is live, failed, or the deadline passes. */
async function waitForLive(ops: Ops, client: RenderClient, id: string, name: string, deadline: number, o: Required<VerifyOptions>): Promise<Deploy | undefined> {
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
    if (ops.clock.now() + interval > deadline) return dep;
    await ops.clock.sleep(interval);
    interval = Math.min(15_000, Math.round(interval * 1.2));
  }
}

export async function verify(ops: Ops, o: StackOutputs, opts: VerifyOptions = {}): Promise<VerifyResult[]> {
  const settings: Required<VerifyOptions> = { timeoutMs: 15 * 60_000, pollMs: 3_000, healthAttempts: 6, healthTimeoutMs: 10_000, ...opts };
  const deadline = ops.clock.now() + settings.timeoutMs;
  const services = backendServices(o);
  const client = services.length ? renderClient(ops.env, "waiting for Render's deploys") : undefined;

  const backend = services.map(async (s): Promise<VerifyResult> => {
    const svc = await getService(client!, s.id);
    const name = svc?.name ?? s.id;
    if (!svc) return { name, ok: false, failure: `${name}: Render has no service ${s.id}` };
    const deploy = await waitForLive(ops, client!, s.id, name, deadline, settings);
    const health = s.healthUrl
      ? deploy?.status === "live"
        ? await checkHealth(ops, name, s.healthUrl, deadline, settings)
        : await probe(s.healthUrl, ops.clock, settings.healthTimeoutMs) // what is serving meanwhile
      : undefined;
    const lastAnswer = health ? `last health answer: ${health.answer}` : "no health URL";
    if (!deploy) return { name, ok: false, health, failure: `${name}: Render lists no deploy; ${lastAnswer}` };
    const status = `Render deploy ${deploy.id} is '${deploy.status}'`;
    if (IN_PROGRESS.includes(deploy.status)) {
      return { name, ok: false, deploy, health, failure: `${name}: ${status} after ${formatDuration(settings.timeoutMs)}; ${lastAnswer}` };
    }
    if (deploy.status !== "live") {
      return { name, ok: false, deploy, health, failure: `${name}: ${status}: ${REASON[deploy.status] ?? "it did not go live"}; ${lastAnswer}` };
    }
    if (health && !health.up) return { name, ok: false, deploy, health, failure: `${name}: ${status}, but ${s.healthUrl} fails; ${lastAnswer}` };
    ops.err(`${name}: live and healthy (${health ? `${health.answer} in ${health.latencyMs} ms` : "no health URL"})`);
    return { name, ok: true, deploy, health };
  });

  const frontend = o.frontendUrl
    ? [
        checkHealth(ops, "frontend", o.frontendUrl, deadline, settings).then((health): VerifyResult => {
          if (health.up) ops.err(`frontend: ${o.frontendUrl} answers ${health.answer} in ${health.latencyMs} ms`);
          return health.up
            ? { name: "frontend", ok: true, health }
            : { name: "frontend", ok: false, health, failure: `frontend: ${o.frontendUrl} fails; last answer: ${health.answer}` };
        }),
      ]
    : [];
  const database = o.supabaseProjectRef
    ? [
        projectHealth(ops.env, o.supabaseProjectRef).then((h): VerifyResult => {
          const name = `supabase ${o.supabaseProjectRef}`;
          if (h.up) ops.err(`${name}: ${h.answer}`);
          return h.up ? { name, ok: true } : { name, ok: false, failure: `${name}: ${h.answer}` };
        }),
      ]
    : [];
  return Promise.all([...backend, ...database, ...frontend]);
}

/**
 * `webstack cron run <stack> <job> [--url URL]`: runs one job now through the deployed Worker's
 * `POST /run/<job>` (worker/run-now.ts), with the stack's cron secret as bearer token. The Worker
 * applies the job's own retries; this only repeats its request when no Worker answer arrived,
 * with the same scheduled time, so the backend sees the same Idempotency-Key.
 */
import type { StackOutputs } from "../components/stack-outputs";
import { workerUrl } from "./cloudflare-api";
import type { Ops } from "./context";
import { OpsError } from "./errors";
import { secretOutput } from "./outputs";

export interface CronRunResult {
  job: string;
  ok: boolean;
  attempts?: number;
  status?: number;
  error?: string;
  idempotencyKey?: string;
}

export async function cronRun(ops: Ops, stack: string, o: StackOutputs, job: string | undefined, opts: { url?: string; timeoutMs?: number } = {}): Promise<CronRunResult> {
  if (!o.cronScriptName) throw new OpsError(`${stack} has no cron Worker (webstack:cron)`, 2);
  const known = o.cronJobs ?? [];
  if (!job || !known.includes(job)) {
    throw new OpsError(`${job ? `unknown job '${job}'` : "name a job"} for ${stack}; its jobs: ${known.join(", ") || "(none in the outputs: run pulumi up first)"}`, 2);
  }
  const secret = secretOutput(o, "cronSecret");
  if (!secret) throw new OpsError(`${stack}'s outputs lack cronSecret: run pulumi up with this version first`, 2);
  const base = (opts.url ?? (await workerUrl(ops.env, ops.clock, o.cronAccountId ?? "", o.cronScriptName))).replace(/\/+$/, "");
  const scheduledTime = new Date(ops.clock.now()).toISOString();
  let lastError = "";
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const res = await fetch(`${base}/run/${encodeURIComponent(job)}`, {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        body: JSON.stringify({ scheduledTime }),
        // The Worker's own budget for a job is 2 minutes by default.
        signal: ops.clock.timeout(opts.timeoutMs ?? 180_000),
      });
      const text = await res.text();
      let body: (CronRunResult & { error?: string }) | undefined;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (res.status === 401) throw new OpsError(`the Worker refused the cron secret (401): the stack's outputs and the deployed Worker disagree; run pulumi up`);
      if (body && typeof body.job === "string") return body;
      if (res.status < 500) throw new OpsError(`the Worker answered HTTP ${res.status}: ${body?.error ?? text.slice(0, 200)}`);
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      if (err instanceof OpsError) throw err;
      lastError = (err as Error)?.name === "TimeoutError" ? "no answer in time" : ((err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message);
    }
    if (attempt < 3) await ops.clock.sleep(2_000 * attempt);
  }
  throw new OpsError(`no answer from the cron Worker at ${base} after 3 tries (${lastError})`);
}

export function cronRunText(r: CronRunResult): string {
  const how = `${r.attempts ?? "?"} attempt${r.attempts === 1 ? "" : "s"}${r.status ? `, HTTP ${r.status}` : ""}`;
  return r.ok ? `${r.job}: ok (${how}; Idempotency-Key ${r.idempotencyKey})` : `${r.job}: failed: ${r.error ?? "?"} (${how})`;
}

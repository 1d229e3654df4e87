import { log } from "./log";
import type { JobSpec, RetryPolicy } from "./types";

export interface JobContext {
  cron: string;
  /** ISO time the schedule fired for; part of the idempotency key, so retries share it. */
  scheduledTime: string;
  targetUrl: string;
  secret: string;
  policy: RetryPolicy;
}

export interface JobResult {
  job: string;
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

/** Seams for tests outside workerd; the Worker uses the globals. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

type Attempt =
  | { kind: "ok"; status: number }
  | { kind: "retryable"; status?: number; error: string; retryAfterMs?: number }
  | { kind: "fatal"; status?: number; error: string };

/** `https://api.example.com/` + `/x` without a double slash; a base path on the target is kept. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, "") + path;
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries spread out. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

function retryAfterMs(header: string | null, maxMs: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, maxMs);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - Date.now()), maxMs);
}

async function attemptOnce(job: JobSpec, ctx: JobContext, timeoutMs: number): Promise<Attempt> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${ctx.secret}`,
    "idempotency-key": `${job.name}:${ctx.scheduledTime}`,
    "user-agent": "webstack-cron-trigger/1",
  };
  let body: string | undefined;
  if (job.method !== "GET") {
    headers["content-type"] = "application/json";
    body = JSON.stringify({ job: job.name, cron: ctx.cron, scheduledTime: ctx.scheduledTime });
  }
  let res: Response;
  try {
    res = await fetch(joinUrl(ctx.targetUrl, job.path), {
      method: job.method,
      headers,
      body,
      // A redirect would turn a POST into a GET and may carry the secret elsewhere: report it instead.
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const e = err as Error;
    const timedOut = e?.name === "TimeoutError" || e?.name === "AbortError";
    return { kind: "retryable", error: timedOut ? `timeout after ${timeoutMs} ms` : `network error: ${e?.message ?? String(err)}` };
  }
  // The body is not used; cancelling frees the connection.
  await res.body?.cancel().catch(() => undefined);
  if (res.status >= 200 && res.status < 300) return { kind: "ok", status: res.status };
  if (res.status >= 500) {
    return { kind: "retryable", status: res.status, error: `HTTP ${res.status}`, retryAfterMs: retryAfterMs(res.headers.get("retry-after"), ctx.policy.maxDelayMs) };
  }
  if (res.status >= 300 && res.status < 400) {
    return { kind: "fatal", status: res.status, error: `HTTP ${res.status} redirect to ${res.headers.get("location") ?? "?"}; set the target URL to the final address` };
  }
  return { kind: "fatal", status: res.status, error: `HTTP ${res.status}` };
}

/**
 * Calls one job until it succeeds, fails with a non-retryable status (3xx/4xx), or runs out of
 * attempts or budget. Logs one JSON line per attempt. Never rejects.
 */
export async function runJob(job: JobSpec, ctx: JobContext, clock: Clock = realClock): Promise<JobResult> {
  const { policy } = ctx;
  const start = clock.now();
  const deadline = start + policy.budgetMs;
  let last: Attempt = { kind: "fatal", error: "not attempted" };
  let attempt = 0;
  while (attempt < policy.maxAttempts) {
    attempt++;
    const timeoutMs = Math.max(1, Math.min(policy.timeoutMs, deadline - clock.now()));
    const t0 = clock.now();
    try {
      last = await attemptOnce(job, ctx, timeoutMs);
    } catch (err) {
      last = { kind: "fatal", error: `unexpected: ${(err as Error)?.message ?? String(err)}` };
    }
    const base = {
      event: "cron.attempt",
      job: job.name,
      cron: ctx.cron,
      scheduledTime: ctx.scheduledTime,
      method: job.method,
      path: job.path,
      attempt,
      status: last.status,
      durationMs: clock.now() - t0,
    };
    if (last.kind === "ok") {
      log({ level: "info", ...base, outcome: "ok" });
      return { job: job.name, ok: true, attempts: attempt, status: last.status };
    }
    if (last.kind === "retryable" && attempt < policy.maxAttempts) {
      const delay = Math.max(backoffMs(attempt, policy, clock.random), last.retryAfterMs ?? 0);
      // Retry only if a worthwhile attempt still fits in the budget after the wait.
      if (clock.now() + delay + Math.min(policy.timeoutMs, 1_000) <= deadline) {
        log({ level: "warn", ...base, outcome: "retry", error: last.error, retryInMs: delay });
        await clock.sleep(delay);
        continue;
      }
    }
    const reason =
      last.kind === "fatal" ? "not retryable" : attempt >= policy.maxAttempts ? "attempts exhausted" : "budget exhausted";
    log({ level: "error", ...base, outcome: "failed", error: last.error, reason });
    break;
  }
  return { job: job.name, ok: false, attempts: attempt, status: last.status, error: last.error };
}

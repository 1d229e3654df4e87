/**
 * When the cron Worker alerts, and how it avoids alerting every run. State lives in a Workers KV
 * namespace (the STATE binding), one key per failing job:
 * - a job that finally fails (after its retries) alerts once; further failures in a row stay quiet,
 *   and its next success posts one "recovered";
 * - the keep-alive health check alerts after 3 failures in a row, once, then "recovered".
 * Keys are written only when a streak starts, grows towards the keep-alive threshold, or ends, so
 * a job failing every 5 minutes costs one write, well inside KV's free 1,000 writes a day.
 */
import { log } from "./log";
import { notify, type Notification } from "./notify";
import type { JobResult } from "./retry";
import type { Env, KvStore } from "./types";

/** Keep-alive failures in a row before an alert. */
export const KEEP_ALIVE_THRESHOLD = 3;
export const KEEP_ALIVE = "keep-alive";

interface Streak {
  failures: number;
  alerted: boolean;
  since: string;
}

const key = (job: string) => `alert:${job}`;

async function read(store: KvStore, job: string): Promise<Streak | undefined> {
  const text = await store.get(key(job));
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Streak;
  } catch {
    return undefined;
  }
}

/** What to post for one job result given its streak, and the streak to keep (null: forget it). */
export function nextStreak(
  job: string,
  ok: boolean,
  prior: Streak | undefined,
  now: string,
): { streak: Streak | null | undefined; alert?: "failed" | "recovered" } {
  if (ok) {
    if (!prior) return { streak: undefined };
    return { streak: null, ...(prior.alerted ? { alert: "recovered" as const } : {}) };
  }
  const failures = (prior?.failures ?? 0) + 1;
  const threshold = job === KEEP_ALIVE ? KEEP_ALIVE_THRESHOLD : 1;
  if (prior?.alerted) return { streak: undefined }; // already said; no write
  const since = prior?.since ?? now;
  if (failures >= threshold) return { streak: { failures, alerted: true, since }, alert: "failed" };
  return { streak: { failures, alerted: false, since } };
}

function message(env: Env, r: JobResult, alert: "failed" | "recovered", streak: Streak | undefined, trigger: string): Notification {
  const who = env.STACK_LABEL ? `${env.STACK_LABEL}: ` : "";
  if (alert === "recovered") {
    return {
      level: "success",
      title: r.job === KEEP_ALIVE ? `${who}backend health check passes again` : `${who}cron job ${r.job} recovered`,
      lines: streak?.since ? [`failing since ${streak.since}`] : [],
    };
  }
  const detail = `${r.error ?? "failed"} after ${r.attempts} attempt${r.attempts === 1 ? "" : "s"}`;
  return r.job === KEEP_ALIVE
    ? {
        level: "failure",
        title: `${who}backend health check failed ${KEEP_ALIVE_THRESHOLD} times in a row`,
        lines: [`last: ${detail}`, `failing since ${streak?.since ?? "?"}`, "webstack status <stack> shows every service"],
      }
    : { level: "failure", title: `${who}cron job ${r.job} failed (${trigger})`, lines: [detail, `webstack cron run <stack> ${r.job} runs it again`] };
}

/**
 * Alerts for a run's results, as configured: nothing without NOTIFY_WEBHOOK_URL. Never throws:
 * an alert that cannot be sent is logged, and the run's own outcome stands.
 */
export async function alertOn(results: JobResult[], env: Env, trigger: "schedule" | "manual", now = new Date().toISOString()): Promise<void> {
  const url = env.NOTIFY_WEBHOOK_URL;
  if (!url) return;
  for (const r of results) {
    try {
      let alert: "failed" | "recovered" | undefined;
      let streak: Streak | undefined;
      if (env.STATE) {
        const prior = await read(env.STATE, r.job);
        const next = nextStreak(r.job, r.ok, prior, now);
        if (next.streak === null) await env.STATE.delete(key(r.job));
        else if (next.streak) await env.STATE.put(key(r.job), JSON.stringify(next.streak));
        alert = next.alert;
        streak = next.streak ?? prior;
      } else if (!r.ok && r.job !== KEEP_ALIVE) {
        // Without state every failure alerts; keep-alive streaks cannot be counted, so they are only logged.
        alert = "failed";
      }
      if (!alert) continue;
      const sent = await notify(url, message(env, r, alert, streak, trigger), [env.CRON_SECRET]);
      log({ level: sent.ok ? "info" : "error", event: "cron.alert", job: r.job, alert, ok: sent.ok, attempts: sent.attempts, status: sent.status, error: sent.error });
    } catch (err) {
      log({ level: "error", event: "cron.alert", job: r.job, ok: false, error: (err as Error)?.message ?? String(err) });
    }
  }
}

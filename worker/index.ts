/**
 * The CronTrigger Worker: on each schedule it calls the backend for every job registered under
 * the expression that fired, and `POST /run/<job>` runs one job now (run-now.ts). Bindings: JOBS
 * (json), TARGET_URL (plain_text), CRON_SECRET (secret_text), RETRY_POLICY (json, optional), and
 * for alerts NOTIFY_WEBHOOK_URL (secret_text), STATE (kv_namespace), STACK_LABEL (plain_text).
 */
import { alertOn } from "./alerts";
import { log } from "./log";
import { resolvePolicy } from "./policy";
import { runJob } from "./retry";
import { jobsFor } from "./routing";
import { handleFetch } from "./run-now";
import type { Env, ExecutionContext, ScheduledController } from "./types";

export default {
  async scheduled(controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
    const scheduledTime = new Date(controller.scheduledTime).toISOString();
    const jobs = jobsFor(env.JOBS ?? {}, controller.cron);
    if (jobs.length === 0 || !env.TARGET_URL || !env.CRON_SECRET) {
      const error = jobs.length === 0 ? `no jobs registered for cron '${controller.cron}'` : "TARGET_URL or CRON_SECRET binding missing";
      log({ level: "error", event: "cron.config", cron: controller.cron, scheduledTime, error });
      throw new Error(error);
    }
    const policy = resolvePolicy(env.RETRY_POLICY);
    // Jobs of one schedule are independent: run them together, then fail if any failed.
    const results = await Promise.all(
      jobs.map((job) =>
        runJob(job, { cron: controller.cron, scheduledTime, targetUrl: env.TARGET_URL, secret: env.CRON_SECRET, policy }),
      ),
    );
    await alertOn(results, env, "schedule");
    const failed = results.filter((r) => !r.ok);
    if (failed.length > 0) {
      // Throwing marks the invocation as failed in Cloudflare's cron history and metrics.
      throw new Error(`${failed.length} of ${results.length} cron job(s) failed: ${failed.map((f) => `${f.job} (${f.error})`).join("; ")}`);
    }
  },

  /** Only `POST /run/<job>` with the bearer secret; everything else is a 404. */
  async fetch(request: Request, env: Env): Promise<Response> {
    return handleFetch(request, env);
  },
};

import { z } from "zod";
import { checkCron, checkJobs } from "../components/cron-schedule";
import { oneOf, urlPath } from "./common";

/** Cloudflare's cron rules (components/cron-schedule.ts); weekday warnings come from the component. */
const cronExpression = z
  .string()
  .superRefine((expr, ctx) => {
    const { error } = checkCron(expr);
    if (error) ctx.addIssue({ code: "custom", message: error });
  })
  .describe("Cloudflare cron expression (UTC, 5 fields, weekdays 1 = Sunday: prefer names such as MON-FRI).");

export const cronJobSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, "expected a lowercase job name such as 'expire-tickets'"),
    schedule: cronExpression,
    path: urlPath,
    method: oneOf(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("POST"),
  })
  .strict();

export const cronSchema = z
  .object({
    accountId: z
      .string()
      .regex(/^[0-9a-f]{32}$/, "expected a 32-character Cloudflare account id")
      .describe("Cloudflare account that runs the Worker."),
    plan: oneOf(["free", "paid"])
      .default("free")
      .describe("Workers plan of the account: 'free' (5 cron triggers per account) or 'paid' ($5 a month per account, 250); docs/cost.md."),
    enabled: z.boolean().optional().describe("Run the schedules; defaults to false in preview stacks, true elsewhere."),
    keepAlive: z
      .boolean()
      .default(false)
      .describe("Ping the backend's health path every 10 minutes so a free Render service stays awake."),
    jobs: z
      .array(cronJobSchema)
      .default([])
      .describe("Jobs, e.g. [{name: expire-tickets, schedule: '*/5 * * * *', path: /internal/cron/expire-tickets}]."),
  })
  .strict()
  // Rules across jobs (unique names and paths, schedules per Worker); runs once each job is valid.
  .superRefine((cron, ctx) => {
    for (const issue of checkJobs(cron.jobs, { keepAlive: cron.keepAlive }).errors) {
      ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    }
  })
  .describe("Scheduled calls from a Cloudflare Worker to the backend.");

export type CronConfig = z.infer<typeof cronSchema>;
export type CronJobConfig = z.infer<typeof cronJobSchema>;

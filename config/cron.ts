import { z } from "zod";
import { oneOf, urlPath } from "./common";

export const cronJobSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, "expected a lowercase job name such as 'expire-tickets'"),
    schedule: z.string().min(1).describe("Cloudflare cron expression (UTC, 5 fields, weekdays 1 = Sunday)."),
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
  .describe("Scheduled calls from a Cloudflare Worker to the backend.");

export type CronConfig = z.infer<typeof cronSchema>;
export type CronJobConfig = z.infer<typeof cronJobSchema>;

import { z } from "zod";

/** Hours in an average month (365 × 24 / 12): a service that never sleeps runs this long. */
export const HOURS_PER_MONTH = 730;

export const budgetSchema = z
  .object({
    monthlyUsd: z
      .number()
      .min(0, "must be a number of US dollars, 0 or more")
      .optional()
      .describe(
        "Monthly budget of this stack in USD, e.g. 150. The program fails before registering anything when the estimate's upper bound exceeds it.",
      ),
    freeServiceHours: z
      .number()
      .min(0, "must be 0 or more")
      .max(HOURS_PER_MONTH, `must be at most ${HOURS_PER_MONTH}, the hours in a month`)
      .default(60)
      .describe("Assumed hours a month each free Render service that is not kept awake runs (it sleeps after 15 minutes idle)."),
    allowFreePlanOverrun: z
      .boolean()
      .default(false)
      .describe(
        "Accept on purpose that the workspace's free web services use more than Render's 750 hours a month; silences that warning once every stack with free services in the workspace sets it.",
      ),
    previewStacks: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(3)
      .describe("Preview template only: pull-request stacks expected open at a time; the cross-stack estimate and limits count them this many times."),
  })
  .strict()
  .describe("Cost estimate settings and the budget guard (docs/cost.md).");

export type BudgetConfig = z.infer<typeof budgetSchema>;

import type { RuleIssue } from "../config/rules";
import type { StackConfig } from "../config/schema";
import { estimateStack, formatUsd, mostExpensive } from "./estimate";
import { stackFacts } from "./facts";

/**
 * The budget guard: `webstack:budget.monthlyUsd` against the upper bound of the stack's estimate
 * (account-level fees are shared, so not in it). Part of config validation, so it fails before
 * the program registers anything, in the synth and in `pulumi preview` alike.
 */
export function budgetIssues(stack: string, config: Omit<StackConfig, "secrets">): RuleIssue[] {
  const budget = config.budget.monthlyUsd;
  if (budget === undefined) return [];
  const estimate = estimateStack(stackFacts(stack, config));
  const limit = Math.round(budget * 100);
  if (estimate.total.cents[1] <= limit) return [];
  const top = mostExpensive(estimate)
    .map((l) => `${l.resource} (${l.plan}) ${formatUsd(l.cents, l.approx)}`)
    .join(", ");
  return [
    {
      path: ["budget", "monthlyUsd"],
      message:
        `the estimate of ${formatUsd(estimate.total.cents, estimate.total.approx)} a month exceeds the budget of ${formatUsd([limit, limit], false)}; ` +
        `most expensive: ${top}. Raise the budget or choose smaller plans (npm run synth -- ${stack} --format cost).`,
    },
  ];
}

import type { StackConfig } from "../config/schema";
import { estimateStack, type StackEstimate } from "./estimate";
import { stackFacts, type StackFacts } from "./facts";
import { limitWarnings, type CostWarning } from "./limits";
import { PRICES } from "./prices";

/** The `cost` section of a synth manifest: the estimate, what it was computed from, and the warnings. */
export interface CostSection extends StackEstimate {
  currency: "USD";
  /** The price table's review date; `≈` marks its UNCONFIRMED prices. */
  pricesReviewBy: string;
  facts: StackFacts;
  /** Limits this stack crosses on its own (synth:diff adds the cross-stack ones). */
  warnings: CostWarning[];
}

export function costSection(stack: string, config: Omit<StackConfig, "secrets">): CostSection {
  const facts = stackFacts(stack, config);
  return {
    currency: "USD",
    pricesReviewBy: PRICES.reviewBy,
    facts,
    ...estimateStack(facts),
    warnings: limitWarnings([{ facts, copies: 1 }]),
  };
}

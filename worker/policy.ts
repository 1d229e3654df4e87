import type { RetryPolicy } from "./types";

/**
 * Defaults sized for a backend that may be asleep (Render's free plan takes up to about a minute
 * to wake): 30 s per attempt, 2 min per job, which stays below a `*\/5` schedule's interval so
 * runs of the same job never overlap.
 */
export const DEFAULT_POLICY: RetryPolicy = {
  timeoutMs: 30_000,
  budgetMs: 120_000,
  baseDelayMs: 1_000,
  maxDelayMs: 20_000,
  maxAttempts: 6,
};

/** The default policy with any valid overrides from the RETRY_POLICY binding. */
export function resolvePolicy(overrides: Partial<RetryPolicy> | undefined): RetryPolicy {
  const policy = { ...DEFAULT_POLICY };
  for (const key of Object.keys(DEFAULT_POLICY) as (keyof RetryPolicy)[]) {
    const v = overrides?.[key];
    if (typeof v === "number" && Number.isFinite(v) && v > 0) policy[key] = v;
  }
  return policy;
}

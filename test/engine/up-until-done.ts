import { expect } from "vitest";

/**
 * `pulumi up` re-run by the user until it succeeds, under a fault schedule: each failure must be
 * one line matching `expected`, and each failed run spends at least one planned fault, so
 * re-running always ends.
 */
export async function upUntilDone(step: () => Promise<unknown>, failures: string[], faultCount: number, expected: RegExp): Promise<void> {
  for (;;) {
    try {
      await step();
      return;
    } catch (err) {
      const message = (err as Error).message;
      expect(message).not.toContain("\n");
      expect(message).toMatch(expected);
      failures.push(message);
      expect(failures.length).toBeLessThanOrEqual(faultCount);
    }
  }
}

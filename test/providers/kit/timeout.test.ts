import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { systemClock } from "../../../ops/clock";
import { timeoutSignal } from "../../../providers/kit/timeout";

// Node 20's AbortSignal.any holds its sources weakly: an AbortSignal.timeout referenced only from
// the composite is collected, and the composite never aborts. `webstack status` waited forever that
// way when a garbage collection came at the wrong moment (a launcher change moved it there).
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Collects garbage a moment later (once the creating call's temporaries are gone), then waits `ms`. */
async function abortsAfterGc(signal: AbortSignal, ms: number): Promise<boolean> {
  await new Promise((r) => setTimeout(r, 5));
  gc();
  await new Promise((r) => setTimeout(r, ms));
  return signal.aborted;
}

describe("a timeout under a parent signal fires even after a garbage collection", () => {
  it("timeoutSignal (the REST kit's per-attempt timeout)", async () => {
    const parent = new AbortController();
    const s = timeoutSignal(20, parent.signal);
    expect(await abortsAfterGc(s, 120)).toBe(true);
    expect((s.reason as Error).name).toBe("TimeoutError");
    // The parent still ends it at once.
    const other = new AbortController();
    const t = timeoutSignal(60_000, other.signal);
    other.abort(new Error("stopped"));
    expect(t.aborted).toBe(true);
  });

  it("the ops commands' system clock: timeout and deadline under the command's deadline", async () => {
    const command = new AbortController();
    const timeout = systemClock.timeout(20, command.signal);
    const deadline = systemClock.deadline(20, command.signal).signal;
    expect(await abortsAfterGc(timeout, 120)).toBe(true);
    expect(deadline.aborted).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { systemClock } from "../../ops/clock";
import { startDeadline } from "../../ops/context";

describe("a command's deadline", () => {
  it("is the parent of any number of requests without Node's listener-leak warning (a large stack's status)", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      const stop = new AbortController();
      const d = startDeadline(systemClock, 60_000, stop.signal);
      const requests = Array.from({ length: 25 }, () => systemClock.timeout(30_000, d.signal));
      await new Promise((r) => setImmediate(r));
      stop.abort();
      // Still one deadline: the command's end reaches every request under it.
      expect(requests.filter((s) => s.aborted)).toHaveLength(25);
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings).not.toContain("MaxListenersExceededWarning");
  });
});

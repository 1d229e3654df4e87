import { describe, expect, it } from "vitest";
import { FakeClock } from "./fake-clock";

describe("FakeClock: requests under one deadline keep their own timelines", () => {
  it("a sibling's retry sleeps do not time out a request still waiting on a real answer (status flaked under load: the frontend probe DOWN)", async () => {
    const clock = new FakeClock();
    const command = clock.deadline(2_000);
    const probe = clock.deadline(1_800, command.signal);
    // The Render API refuses: its retries sleep the command's whole budget away.
    await expect(clock.sleep(5_000, command.signal)).rejects.toMatchObject({ name: "TimeoutError" });
    expect(command.signal.aborted).toBe(true);
    // The probe has spent no time of its own: its answer, however late in real time, still counts.
    expect(probe.signal.aborted).toBe(false);
    // Once its own time reaches a deadline, it ends like AbortSignal.timeout.
    clock.spend(probe.signal, 1_900);
    expect(probe.signal.aborted).toBe(true);
    expect(probe.elapsed()).toBe(1_800);
  });

  it("a request's own sleep past its deadline aborts it, and a real abort of the parent ends the child at once", async () => {
    const clock = new FakeClock();
    const command = clock.deadline(2_000);
    const call = clock.deadline(10_000, command.signal);
    await expect(clock.sleep(3_000, call.signal)).rejects.toMatchObject({ name: "TimeoutError" });
    expect(clock.now() - Date.parse("2026-03-01T12:00:00Z")).toBe(2_000);

    const parent = new AbortController();
    const child = clock.deadline(1_000, parent.signal);
    parent.abort(new DOMException("stopped", "AbortError"));
    expect(child.signal.aborted).toBe(true);
  });
});

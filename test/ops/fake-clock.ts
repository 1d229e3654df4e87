import type { Clock } from "../../ops/clock";

interface Watch {
  ms: number;
  spent: number;
  controller: AbortController;
}

/**
 * Virtual time for the ops commands. `sleep` returns at once and moves time on. Each request's
 * stopwatch (`deadline`) keeps its own elapsed time, which tests spend with `spend(signal, ms)`:
 * a slow answer, or a hang that runs into the timeout. Requests thus never move each other's time,
 * so concurrent checks give the same numbers on every run.
 */
export class FakeClock implements Clock {
  t: number;
  readonly slept: number[] = [];
  /** Runs before each sleep (e.g. to queue a deploy mid-wait). */
  onSleep?: (ms: number, count: number) => void | Promise<void>;
  private watches = new WeakMap<AbortSignal, Watch>();

  constructor(start = Date.parse("2026-03-01T12:00:00Z")) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  async sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    await this.onSleep?.(ms, this.slept.length);
    this.t += ms;
  }

  deadline(ms: number): { signal: AbortSignal; elapsed(): number } {
    const w: Watch = { ms, spent: 0, controller: new AbortController() };
    this.watches.set(w.controller.signal, w);
    return { signal: w.controller.signal, elapsed: () => w.spent };
  }

  timeout(ms: number): AbortSignal {
    return this.deadline(ms).signal;
  }

  /** Lets `ms` pass for the request holding `signal`; past its timeout, it aborts like AbortSignal.timeout. */
  spend(signal: AbortSignal | null | undefined, ms: number): void {
    const w = signal ? this.watches.get(signal) : undefined;
    if (!w) return;
    w.spent = Math.min(w.spent + ms, w.ms);
    if (w.spent >= w.ms) w.controller.abort(new DOMException(`timed out after ${w.ms} ms`, "TimeoutError"));
  }
}

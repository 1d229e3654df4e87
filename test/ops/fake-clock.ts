import type { Clock } from "../../ops/clock";

interface Watch {
  /** Virtual time the watch started at, and its due time. */
  start: number;
  due: number;
  ms: number;
  /** Time the request holding it has spent (its own timeline). */
  spent: number;
  parent?: Watch;
  controller: AbortController;
}

/**
 * Virtual time for the ops commands. `sleep` returns at once and moves time on. Each request's
 * stopwatch (`deadline`) keeps its own elapsed time, which tests spend with `spend(signal, ms)`:
 * a slow answer, or a hang that runs into the timeout. Requests thus never move each other's time,
 * so concurrent checks give the same numbers on every run. A stopwatch started under a parent (the
 * command's `--timeout`) aborts when the parent's due time comes first, on a request's own
 * timeline or on a sleep: the deadline bounds every request and wait under it.
 */
export class FakeClock implements Clock {
  t: number;
  readonly slept: number[] = [];
  /** Runs before each sleep (e.g. to queue a deploy mid-wait). */
  onSleep?: (ms: number, count: number) => void | Promise<void>;
  private watches = new WeakMap<AbortSignal, Watch>();
  private live = new Set<Watch>();

  constructor(start = Date.parse("2026-03-01T12:00:00Z")) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.slept.push(ms);
    await this.onSleep?.(ms, this.slept.length);
    if (signal?.aborted) throw signal.reason;
    const own = signal ? this.watches.get(signal) : undefined;
    const limit = own ? Math.min(...this.chain(own).map((w) => w.due)) : Infinity;
    this.t = Math.min(this.t + ms, Math.max(this.t, limit));
    // Only the sleeper's own stopwatches come due: a sibling request lives on its own timeline.
    const mine = own ? this.chain(own) : [...this.live];
    for (const w of mine.filter((x) => this.live.has(x)).sort((a, b) => a.due - b.due)) if (w.due <= this.t) this.fire(w);
    // The sleeper itself has lived through the wait: a deadline it reached ends it.
    const reached = own && this.chain(own).filter((x) => x.due <= this.t).sort((a, b) => a.due - b.due)[0];
    if (own && reached) this.abort(own, reached.controller.signal.reason);
    if (signal?.aborted) throw signal.reason;
  }

  deadline(ms: number, parent?: AbortSignal): { signal: AbortSignal; elapsed(): number } {
    const p = parent ? this.watches.get(parent) : undefined;
    const w: Watch = { start: this.t, due: this.t + ms, ms, spent: 0, parent: p, controller: new AbortController() };
    this.watches.set(w.controller.signal, w);
    this.live.add(w);
    if (parent) {
      if (parent.aborted) w.controller.abort(parent.reason);
      // A deadline reached on another request's timeline aborts this one only once its own time
      // gets there (spend); a real abort (or one it has reached) ends it at once.
      else
        parent.addEventListener(
          "abort",
          () => {
            if (!(p && (parent.reason as Error | undefined)?.name === "TimeoutError" && w.start + w.spent < p.due)) this.abort(w, parent.reason);
          },
          { once: true },
        );
    }
    return { signal: w.controller.signal, elapsed: () => Math.min(w.spent, this.firstDue(w) - w.start) };
  }

  timeout(ms: number, parent?: AbortSignal): AbortSignal {
    return this.deadline(ms, parent).signal;
  }

  /**
   * Lets `ms` pass for the request holding `signal`; past its own timeout or a parent's deadline,
   * the earliest of them aborts, like AbortSignal.timeout.
   */
  spend(signal: AbortSignal | null | undefined, ms: number): void {
    const w = signal ? this.watches.get(signal) : undefined;
    if (!w) return;
    w.spent += ms;
    const at = w.start + w.spent;
    const due = this.chain(w).filter((x) => x.due <= at).sort((a, b) => a.due - b.due)[0];
    if (!due) return;
    this.fire(due);
    this.abort(w, due.controller.signal.reason);
  }

  private chain(w: Watch): Watch[] {
    const out: Watch[] = [];
    for (let x: Watch | undefined = w; x; x = x.parent) out.push(x);
    return out;
  }

  private firstDue(w: Watch): number {
    return Math.min(...this.chain(w).map((x) => x.due));
  }

  private fire(w: Watch): void {
    this.abort(w, new DOMException(`timed out after ${w.ms} ms`, "TimeoutError"));
  }

  private abort(w: Watch, reason: unknown): void {
    this.live.delete(w);
    if (!w.controller.signal.aborted) w.controller.abort(reason);
  }
}

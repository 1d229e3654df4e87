/**
 * Time for the ops commands, injectable so tests never sleep: waits, timeouts and latencies come
 * from it. A command's `--timeout` is one deadline (`deadline(ms)`); every request and wait under
 * it takes its signal as `parent`, so the whole command ends when the deadline passes.
 */
import { timeoutSignal } from "../providers/kit/timeout";

export interface Clock {
  now(): number;
  /** Waits `ms`; rejects with the signal's reason as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** An AbortSignal that aborts with a TimeoutError after `ms`, or when `parent` aborts. */
  timeout(ms: number, parent?: AbortSignal): AbortSignal;
  /** One request's (or command's) stopwatch: its timeout signal, and the time it has taken so far. */
  deadline(ms: number, parent?: AbortSignal): { signal: AbortSignal; elapsed(): number };
}


export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
  timeout: (ms, parent) => timeoutSignal(ms, parent),
  deadline: (ms, parent) => {
    const start = performance.now();
    return { signal: timeoutSignal(ms, parent), elapsed: () => Math.round(performance.now() - start) };
  },
};

/** Whether an error is the abort of a timeout or deadline (fetch rethrows the signal's reason). */
export function isTimeout(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name;
  return name === "TimeoutError" || name === "AbortError";
}

/** `90s`, `15m`, `1h`, `1h30m` or plain milliseconds. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
    end = re.lastIndex;
  }
  if (end === 0 || end !== t.length) throw new Error(`'${text}' is not a duration; write e.g. 90s, 15m or 1h`);
  return total;
}

/** `2m05s`, `45s`, `1h02m` for people. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, "0")}h`;
}

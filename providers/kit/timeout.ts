/**
 * An AbortSignal that aborts with a TimeoutError after `ms`, or as soon as `parent` aborts.
 *
 * Not `AbortSignal.any([AbortSignal.timeout(ms), parent])`: Node 20's `any` holds its sources
 * weakly, so a garbage collection takes the timeout signal and the result never times out (a
 * request or command then waits forever). Here the timer holds the controller: it fires whatever
 * the collector does, and, unref'd like AbortSignal.timeout's, keeps no process alive.
 */
export function timeoutSignal(ms: number, parent?: AbortSignal): AbortSignal {
  const own = new AbortController();
  const timer = setTimeout(() => own.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")), ms);
  timer.unref?.();
  if (!parent) return own.signal;
  if (parent.aborted) {
    clearTimeout(timer);
    return parent;
  }
  const onParentAbort = () => {
    clearTimeout(timer);
    own.abort(parent.reason);
  };
  parent.addEventListener("abort", onParentAbort, { once: true });
  own.signal.addEventListener("abort", () => parent.removeEventListener("abort", onParentAbort), { once: true });
  return own.signal;
}

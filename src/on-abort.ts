/** Something waiting on a signal: told once when it aborts, unless it stopped waiting first. */
export interface AbortWaiter {
  onAbort(): void;
}

const waiting = new WeakMap<AbortSignal, Set<AbortWaiter>>();

/**
 * Calls `waiter.onAbort()` when `signal` aborts, until `stopWaiting`. The signal gets one listener
 * for all its waiters, not one per wait: a check's signal lives for its whole soak and each poll
 * waits on it twice (the request, the sleep), and an EventTarget listener (its options checked,
 * a Listener record, a closure) cost ~1 KB of garbage a poll at a thousand checks. The caller
 * looks at `signal.aborted` first: a waiter added to an aborted signal is never called.
 */
export function waitForAbort(signal: AbortSignal, waiter: AbortWaiter): void {
  let waiters = waiting.get(signal);
  if (waiters === undefined) {
    const set = new Set<AbortWaiter>();
    waiters = set;
    waiting.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        waiting.delete(signal);
        for (const each of set) each.onAbort();
        set.clear();
      },
      { once: true },
    );
  }
  waiters.add(waiter);
}

export function stopWaiting(signal: AbortSignal, waiter: AbortWaiter): void {
  waiting.get(signal)?.delete(waiter);
}

/** How many waiters `signal` has now (for tests: a finished wait leaves none). */
export function waitersOn(signal: AbortSignal): number {
  return waiting.get(signal)?.size ?? 0;
}

import { performance } from 'node:perf_hooks';
import { type AbortWaiter, stopWaiting, waitForAbort } from './on-abort.js';

/** Time as the engine sees it. Injected, so tests can drive time and nothing reads Date.now() behind our back. */
export interface Clock {
  /** Milliseconds since the epoch, monotonic within a process. */
  now(): number;
  /** Resolves after `ms`, or early (never rejects) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock: epoch-anchored but monotonic, so a wall-clock jump cannot stretch a soak. */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      new Sleep(resolve, ms, signal);
    }),
};

/**
 * One sleep: a timer, and a waiter on the signal (src/on-abort.ts), not a listener per sleep.
 * A soak of a thousand checks sleeps a thousand times a second, each on its check's signal.
 */
class Sleep implements AbortWaiter {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly resolve: () => void,
    ms: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    // Whole milliseconds (Node's own resolution): timers of one duration share a list, and a
    // fractional duration made a new list (and its queue entry) for almost every sleep.
    this.timer = setTimeout(wake, Math.max(0, Math.ceil(ms)), this);
    if (signal) waitForAbort(signal, this);
  }

  onAbort(): void {
    clearTimeout(this.timer);
    this.resolve();
  }

  woken(): void {
    if (this.signal) stopWaiting(this.signal, this);
    this.resolve();
  }
}

function wake(sleep: Sleep): void {
  sleep.woken();
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

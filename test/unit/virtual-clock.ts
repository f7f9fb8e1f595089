import type { Clock } from '../../src/clock.js';

/**
 * Virtual time for engine tests: `sleep` parks until `runUntilSettled` advances the clock to the
 * earliest pending wake-up. Deterministic: a 10-minute soak runs in microseconds.
 */
export class VirtualClock implements Clock {
  private time = 0;
  private sleepers: { at: number; wake: () => void }[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      // The abort listener must go when the sleeper wakes: a soak shares one signal across
      // thousands of sleeps, and listeners left behind pile up (MaxListenersExceededWarning).
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        resolve();
      };
      const sleeper = {
        at: this.time + Math.max(0, ms),
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Lets every promise chain run, then jumps to the next wake-up, until `promise` settles. */
  async runUntilSettled<T>(promise: Promise<T>, limitMs = 24 * 3600_000): Promise<T> {
    let settled = false;
    const tracked = promise.finally(() => {
      settled = true;
    });
    while (!settled) {
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) break;
      this.sleepers.sort((a, b) => a.at - b.at);
      const next = this.sleepers.shift();
      if (!next) continue;
      if (next.at > limitMs) throw new Error(`virtual time passed ${limitMs}ms without settling`);
      this.time = Math.max(this.time, next.at);
      next.wake();
    }
    return tracked;
  }
}

import { performance } from 'node:perf_hooks';

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
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

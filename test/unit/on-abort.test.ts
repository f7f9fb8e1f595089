import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { stopWaiting, waitersOn, waitForAbort } from '../../src/on-abort.js';

describe('waiting on a signal', () => {
  it('tells every waiter once when the signal aborts, with one listener for all of them', () => {
    const controller = new AbortController();
    const told: string[] = [];
    const a = { onAbort: () => told.push('a') };
    const b = { onAbort: () => told.push('b') };
    const gone = { onAbort: () => told.push('gone') };
    waitForAbort(controller.signal, a);
    waitForAbort(controller.signal, gone);
    waitForAbort(controller.signal, b);
    stopWaiting(controller.signal, gone);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    expect(waitersOn(controller.signal)).toBe(2);
    controller.abort();
    controller.abort();
    expect(told).toEqual(['a', 'b']);
    expect(waitersOn(controller.signal)).toBe(0);
  });

  it('adds no listener per wait: a thousand waits that end leave one listener and no waiter', () => {
    const controller = new AbortController();
    for (let i = 0; i < 1000; i++) {
      const waiter = { onAbort: () => undefined };
      waitForAbort(controller.signal, waiter);
      stopWaiting(controller.signal, waiter);
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    expect(waitersOn(controller.signal)).toBe(0);
  });
});

describe('the real clock', () => {
  it('sleeps its time, or ends early when the signal aborts, leaving no waiter behind', async () => {
    const controller = new AbortController();
    let start = performance.now();
    await systemClock.sleep(30, controller.signal);
    expect(performance.now() - start).toBeGreaterThanOrEqual(25);
    expect(waitersOn(controller.signal)).toBe(0);

    start = performance.now();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    setTimeout(() => controller.abort(), 10);
    await sleeping;
    expect(performance.now() - start).toBeLessThan(30_000);
    expect(waitersOn(controller.signal)).toBe(0);
    await systemClock.sleep(60_000, controller.signal); // already aborted: at once
  });
});

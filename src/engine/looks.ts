import type { CheckSettings } from '../plan/types.js';

/** Where a measurement falls in its soak: look `index` (1-based) of `count`, and the window's start. */
export interface Look {
  index: number;
  count: number;
  soakStartedAt: number;
  intervalMs: number;
}

type Timing = Pick<CheckSettings, 'initialDelayMs' | 'intervalMs'>;

/**
 * How many measurements a check gets by the end of its soak: one at `initialDelay`, then one per
 * `interval`, the soak's last instant included (soak.ts). A delay past the soak still measures once.
 * `rollout plan` shows it; comparisons spend their error rate over this many looks.
 */
export function plannedMeasurements(check: Timing, soakMs: number): number {
  if (check.initialDelayMs >= soakMs) return 1;
  return Math.floor((soakMs - check.initialDelayMs) / check.intervalMs) + 1;
}

/** The look a measurement at `slotMs` (its schedule slot, not when it ran) is. */
export function lookAt(check: Timing, soakMs: number, soakStartedAt: number, slotMs: number): Look {
  const index = Math.max(1, Math.round((slotMs - soakStartedAt - check.initialDelayMs) / check.intervalMs) + 1);
  return { index, count: plannedMeasurements(check, soakMs), soakStartedAt, intervalMs: check.intervalMs };
}

import { checkKind } from '../checks/registry.js';
import { plannedMeasurements } from '../engine/looks.js';
import { formatDuration } from './duration.js';
import type { Check } from './types.js';

export interface CheckSampling {
  /** Measurements the check gets by the end of its soak (the soak's last instant included). */
  measurements: number;
  /** For a kind that accumulates points (a comparison): points per side by then, and how many it needs. */
  points: { points: number; needed: number; key: string } | null;
  /** `minSamples` that cannot be reached, or that leaves no margin for one no-data reading. */
  warnings: string[];
}

/**
 * Whether a check can decide within its soak: `minSamples` above the measurements the soak holds
 * makes it inconclusive every time; equal to them, one no-data or in-between reading does. A dryRun
 * check never decides, so it gets no warning.
 */
export function checkSampling(check: Check, soakMs: number): CheckSampling {
  const measurements = plannedMeasurements(check, soakMs);
  const points = checkKind(check.kind).plannedPoints?.(check.spec, { soakMs, intervalMs: check.intervalMs }) ?? null;
  const warnings: string[] = [];
  if (check.dryRun) return { measurements, points, warnings };
  const schedule = `${check.initialDelayMs > 0 ? `first after ${formatDuration(check.initialDelayMs)}, then ` : ''}every ${formatDuration(check.intervalMs)}`;
  const within = `by the end of its ${formatDuration(soakMs)} soak it gets ${measurements} measurement${measurements === 1 ? '' : 's'} (${schedule})`;
  if (check.minSamples > measurements) warnings.push(`minSamples ${check.minSamples} cannot be reached: ${within}, so it is always inconclusive`);
  else if (check.minSamples === measurements && measurements > 1)
    warnings.push(`minSamples ${check.minSamples} leaves no margin: ${within}; one no-data or in-between reading makes it inconclusive`);
  if (points !== null && points.needed > points.points)
    warnings.push(`${points.key} ${points.needed} cannot be reached: the soak gives ${points.points} points per side, so it is always inconclusive`);
  else if (points !== null && points.needed === points.points)
    warnings.push(`${points.key} ${points.needed} leaves no margin: the soak gives exactly ${points.points} points per side`);
  return { measurements, points, warnings };
}

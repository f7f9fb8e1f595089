import { formatDuration } from '../plan/duration.js';

export { formatDuration };

/** `10:03:04 UTC`: the page states times in UTC, like the event log. */
export function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

/** `2026-11-25 10:03:04 UTC` */
export function dateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `+1m05s` after `from`. */
export function offset(ms: number, from: number): string {
  return `+${formatDuration(Math.max(0, ms - from))}`;
}

/** Short, stable number form for values and thresholds. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 0.001 || abs >= 1e6) ? value.toExponential(2) : String(Number(value.toPrecision(4)));
}

/** Run and lane statuses in words. */
export function statusWords(status: string): string {
  return status === 'unfinished' ? 'unfinished' : status.replaceAll('_', ' ');
}

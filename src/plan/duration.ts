/**
 * Durations as people write them in plans: `250ms`, `30s`, `5m`, `1h`, `1m30s`, or a bare
 * number of seconds. Units must run from largest to smallest and appear once each.
 */
const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const ORDER: Unit[] = ['h', 'm', 's', 'ms'];

/** Matches the string forms; used by the schema (and so the published JSON Schema). */
export const DURATION_PATTERN = '^\\s*(?=\\d)(\\d+(\\.\\d+)?h)?(\\d+(\\.\\d+)?m(?!s))?(\\d+(\\.\\d+)?s)?(\\d+(\\.\\d+)?ms)?\\s*$|^\\s*\\d+(\\.\\d+)?\\s*$';

const PART = /(\d+(?:\.\d+)?)(h|ms|m|s)/gy;

/** Milliseconds for a duration, or `undefined` when the text is not one. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  PART.lastIndex = 0;
  let total = 0;
  let lastRank = -1;
  let consumed = 0;
  for (let match = PART.exec(text); match; match = PART.exec(text)) {
    const unit = match[2] as Unit;
    const rank = ORDER.indexOf(unit);
    if (rank <= lastRank) return undefined;
    lastRank = rank;
    total += Number(match[1]) * UNIT_MS[unit];
    consumed = PART.lastIndex;
  }
  return consumed === text.length ? Math.round(total) : undefined;
}

/** Short human form: `850ms`, `12.3s`, `4m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  // Truncated like a clock, never rounded up: a run that took 59.6 s said "60s" while its last
  // line's clock prefix said [00:59]. Both now read the same elapsed time.
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  if (ms < 60_000) return `${Math.floor(ms / 1000)}s`;
  const totalSeconds = Math.floor(ms / 1000);
  if (totalSeconds < 3600) {
    const m = Math.floor(totalSeconds / 60);
    const s = totalSeconds % 60;
    return s === 0 ? `${m}m` : `${m}m${String(s).padStart(2, '0')}s`;
  }
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  return m === 0 ? `${h}h` : `${h}h${String(m).padStart(2, '0')}m`;
}

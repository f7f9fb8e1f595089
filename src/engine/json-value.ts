import type { JsonValue } from './events.js';

/** Longest string kept inside an event's value (an HTTP body is quoted, not copied). */
const MAX_STRING = 200;
const MAX_ITEMS = 20;
const MAX_DEPTH = 6;

/**
 * A measured value as events and state can carry it: JSON-safe (NaN and ±Infinity become
 * "NaN", "+Inf", "-Inf", as Prometheus writes them) and bounded, so one poll of a chatty
 * endpoint cannot bloat the state file.
 */
export function jsonValue(value: unknown, depth = 0): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (value === Number.POSITIVE_INFINITY) return '+Inf';
    if (value === Number.NEGATIVE_INFINITY) return '-Inf';
    return value;
  }
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (typeof value === 'bigint') return Number(value);
  if (depth >= MAX_DEPTH) return '…';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => jsonValue(item, depth + 1));
    if (value.length > MAX_ITEMS) items.push(`… ${value.length - MAX_ITEMS} more`);
    return items;
  }
  if (typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    const entries = Object.entries(value);
    for (const [key, item] of entries.slice(0, MAX_ITEMS)) out[key] = jsonValue(item, depth + 1);
    if (entries.length > MAX_ITEMS) out['…'] = `${entries.length - MAX_ITEMS} more keys`;
    return out;
  }
  return null;
}

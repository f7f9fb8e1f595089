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
    // Keys in a loop, not Object.entries: every poll's value passes here, and entries() makes a
    // pair array per key (an HTTP answer's headers, at a thousand checks a second).
    const out: Record<string, JsonValue> = {};
    let count = 0;
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      if (count++ < MAX_ITEMS) out[key] = jsonValue((value as Record<string, unknown>)[key], depth + 1);
    }
    if (count > MAX_ITEMS) out['…'] = `${count - MAX_ITEMS} more keys`;
    return out;
  }
  return null;
}

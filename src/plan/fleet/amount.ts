import type { Amount } from '../types.js';
import { PERCENT_PATTERN } from './schema.js';

/** `3` or `"25%"` as written (the schema has checked the form). */
export function parseAmount(value: number | string): Amount {
  if (typeof value === 'number') return { count: value };
  return { percent: Number.parseFloat(PERCENT_PATTERN.exec(value)?.[1] ?? '0') };
}

/**
 * An amount of `whole` targets. Batch sizes and `minHealthy` round up (a "10%" batch of 5 targets
 * deploys 1, never 0), tolerances round down (`total: "10%"` of 25 tolerates 2, not 3).
 */
export function amountOf(amount: Amount, whole: number, round: 'up' | 'down'): number {
  if ('count' in amount) return amount.count;
  // 10% of 30 is 3, not 3.0000000000000004 (which would round up to 4).
  const exact = Math.round(((whole * amount.percent) / 100) * 1e9) / 1e9;
  return round === 'up' ? Math.ceil(exact) : Math.floor(exact);
}

/** `2` or `10%`, as written. */
export function showAmount(amount: Amount): string {
  return 'count' in amount ? String(amount.count) : `${amount.percent}%`;
}

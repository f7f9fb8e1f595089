import type { Amount } from '../types.js';
import { amountOf } from './amount.js';

/**
 * Target names per batch, Ansible's `serial:` semantics: entries are used in order and the last
 * one repeats until every target has a batch; a percentage is of the stage's targets, rounded up,
 * at least 1; an entry larger than what is left takes the rest. No entries: one batch of all.
 */
export function computeBatches(names: readonly string[], entries: readonly Amount[]): string[][] {
  const batches: string[][] = [];
  let next = 0;
  while (next < names.length) {
    const entry = entries[Math.min(batches.length, entries.length - 1)];
    const size = entry === undefined ? names.length : Math.max(1, amountOf(entry, names.length, 'up'));
    batches.push(names.slice(next, next + size));
    next += size;
  }
  return batches;
}

import { randomBytes } from 'node:crypto';

/** Sortable and unique: `20261124T230344Z-3f9a2c`. */
export function newRunId(nowMs: number): string {
  const stamp = new Date(nowMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

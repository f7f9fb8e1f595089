import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { planSchema } from '../../src/plan/schema.js';
import { repoRoot } from '../helpers/cli.js';

/** Every key path the plan schema accepts, e.g. `stages[].approval.onTimeout`, `checks.NAME.url`. */
function schemaKeys(schema: z.ZodType, at: string, out: Set<string>): Set<string> {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else break;
  }
  if (s instanceof z.ZodUnion) for (const option of s.options as z.ZodType[]) schemaKeys(option, at, out);
  else if (s instanceof z.ZodArray) schemaKeys(s.element as z.ZodType, `${at}[]`, out);
  else if (s instanceof z.ZodRecord) schemaKeys(s.valueType as z.ZodType, `${at}.NAME`, out);
  else if (s instanceof z.ZodObject) {
    for (const [key, value] of Object.entries(s.shape as Record<string, z.ZodType>)) {
      const keyPath = at === '' ? key : `${at}.${key}`;
      out.add(keyPath);
      schemaKeys(value, keyPath, out);
    }
  }
  return out;
}

/** The words of a key path a reader would look for: its own name and the nearest named key above it. */
function names(keyPath: string): { key: string; parent: string | null } {
  const parts = keyPath
    .split('.')
    .map((part) => part.replace(/\[\]$/, ''))
    .filter((part) => part !== 'NAME');
  return { key: parts.at(-1) as string, parent: parts.at(-2) ?? null };
}

const mentions = (row: string, word: string) =>
  [...row.matchAll(/`([^`]+)`/g)].some((code) => new RegExp(`(^|[^A-Za-z0-9_$])${word.replace('$', '\\$')}($|[^A-Za-z0-9_])`).test(code[1] ?? ''));

describe('docs/plan.md documents every key of the plan schema', () => {
  it('has a reference-table row naming each key (in backticks) together with the key it belongs to', async () => {
    const doc = await readFile(path.join(repoRoot, 'docs', 'plan.md'), 'utf8');
    const rows = doc.split('\n').filter((line) => line.startsWith('| `'));
    const keys = [...schemaKeys(planSchema, '', new Set())];
    expect(keys).toContain('stages[].approval.onTimeout');
    expect(keys).toContain('windows.allow[].cron');
    const missing = keys.filter((keyPath) => {
      const { key, parent } = names(keyPath);
      return !rows.some((row) => mentions(row, key) && (parent === null || mentions(row, parent)));
    });
    expect(missing, 'keys the schema accepts but docs/plan.md does not document').toEqual([]);
  });
});

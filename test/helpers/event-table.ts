import fs from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from './cli.js';

/** The event table of docs/events-and-state.md: type → { required fields, optional fields (`name?`) }. */
export async function documentedEvents(): Promise<Map<string, { required: string[]; optional: string[] }>> {
  const readme = await fs.readFile(path.join(repoRoot, 'docs', 'events-and-state.md'), 'utf8');
  const block = readme.slice(readme.indexOf('<!-- events:start -->'), readme.indexOf('<!-- events:end -->'));
  const table = new Map<string, { required: string[]; optional: string[] }>();
  for (const row of block.split('\n')) {
    const match = /^\| `([a-z.]+)` \| ([^|]*) \|/.exec(row);
    if (!match) continue;
    const fields = [...(match[2] ?? '').matchAll(/`([A-Za-z]+)(\??)`/g)];
    table.set(match[1] ?? '', {
      required: fields.filter((f) => f[2] === '').map((f) => f[1] ?? ''),
      optional: fields.filter((f) => f[2] === '?').map((f) => f[1] ?? ''),
    });
  }
  return table;
}

/** The fields of a JSON event line (past `type`, `time`, `runId`) the table does not list, and those it requires that are missing. */
export function fieldProblems(
  event: Record<string, unknown>,
  documented: { required: string[]; optional: string[] },
): { undocumented: string[]; missing: string[] } {
  const fields = Object.keys(event).slice(3);
  const allowed = [...documented.required, ...documented.optional];
  return { undocumented: fields.filter((f) => !allowed.includes(f)), missing: documented.required.filter((f) => !fields.includes(f)) };
}

/** The events only a stage with targets emits. */
export const FLEET_EVENT_TYPES = [
  'batch.started',
  'target.started',
  'verify.finished',
  'target.passed',
  'target.failed',
  'target.retrying',
  'batch.baking',
  'batch.finished',
] as const;

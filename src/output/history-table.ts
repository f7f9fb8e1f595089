import type { RunSummary } from '../state/backend.js';
import { escapeControlDeep } from './escape-control.js';

/** `rollout history`: one line a run, newest first. */
export function renderHistory(recorded: RunSummary[]): string {
  const runs = escapeControlDeep(recorded);
  if (runs.length === 0) return 'No runs recorded yet.';
  const header = ['RUN', 'STATUS', 'STARTED', 'FINISHED', 'FAILED STAGE', 'BY'];
  const rows = runs.map((r) => [r.runId, r.status.replace('_', ' '), r.startedAt, r.finishedAt ?? '-', r.failedStage ?? '-', r.by ?? '-']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [format(header), ...rows.map(format)].join('\n');
}

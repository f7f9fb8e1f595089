import { stripVTControlCharacters } from 'node:util';
import type { ChalkInstance } from 'chalk';
import { formatDuration } from '../plan/duration.js';
import { lastMeasurement, type StageState, type StageStatus, type StateDocument } from '../state/document.js';
import { statusWord } from './describe.js';
import { escapeControlDeep } from './escape-control.js';
import { renderFleet } from './fleet-text.js';
import { gateCommands } from './gate-text.js';

/**
 * The stage table printed after a run and by `rollout status`. `tookMs` is how long this command's
 * part took (a manual rollback, a resume), as its last progress line said; without it, the run's age.
 */
export function renderSummary(recorded: StateDocument, c: ChalkInstance, tookMs?: number): string {
  // A state document is read back from a file another process (or person) wrote: its text is quoted.
  const doc = escapeControlDeep(recorded);
  const rows = doc.stages.map((stage) => [
    stage.name,
    stageStatus(stage, c),
    stage.startedAt ? formatDuration(durationOf(stage, doc)) : '-',
    stage.checkResults.polls > 0 ? String(stage.checkResults.polls) : '-',
    stage.checkResults.polls > 0 ? failedCell(stage, c) : '-',
    lastHealth(stage),
  ]);
  const header = ['STAGE', 'STATUS', 'DURATION', 'POLLS', 'FAILED', 'LAST HEALTH'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visibleLength(cell))))
      .join('  ')
      .trimEnd();
  const lines = [format(header.map((h) => c.dim(h))), ...rows.map(format)];
  // A fleet stage's targets below the table: batches, who needs a look, the rest counted.
  for (const stage of doc.stages) if (stage.targets) lines.push('', ...renderFleet(stage, c, doc.status));
  const age = doc.finishedAt ? Date.parse(doc.finishedAt) - Date.parse(doc.startedAt) : undefined;
  const took = tookMs ?? age;
  const total = took === undefined ? '' : ` in ${formatDuration(took)}`;
  lines.push('', `${c.bold(doc.plan.name)} run ${doc.runId}: ${statusWord(doc.status, c, doc.failure !== null)}${total}`);
  if (doc.failure) lines.push(`  failed at ${c.bold(doc.failure.stage)}: ${doc.failure.reason}`);
  if (doc.status === 'paused' && doc.gate) {
    const where = doc.gate.kind === 'window' ? 'not started' : 'passed';
    lines.push(
      `  ${c.bold(doc.gate.stage)} ${where}; waiting at gate ${c.bold(doc.gate.id)}: ${doc.gate.reason}${doc.gate.expiresAt ? ` (until ${doc.gate.expiresAt})` : ''}`,
    );
    lines.push(`  ${gateCommands(doc.gate)}`);
  }
  if (doc.status === 'blocked' && doc.blocked) lines.push(`  ${c.bold(doc.blocked.stage)} not started: ${doc.blocked.message}`);
  return lines.join('\n');
}

function stageStatus(stage: StageState, c: ChalkInstance): string {
  const color = (
    {
      succeeded: c.green,
      failed: c.red,
      rollback_failed: c.red,
      rolled_back: c.yellow,
      rolling_back: c.yellow,
      deploying: c.cyan,
      soaking: c.cyan,
      skipped: c.dim,
      pending: c.dim,
    } satisfies Record<StageStatus, ChalkInstance>
  )[stage.status];
  return color(stage.status.replace('_', ' '));
}

/**
 * Polls that failed or could not measure, the deciding checks' and the dryRun checks' apart. An
 * inconclusive poll (a value between `pass:` and `fail:`, no data) is neither: it is counted by its
 * check, not here. Older documents have no per-check counts: their stage totals stand.
 */
export function failedPolls(stage: StageState): { deciding: number; dryRun: number } {
  const checks = stage.checkResults.checks;
  if (checks.length === 0 || checks.some((check) => check.counts === undefined)) {
    return { deciding: stage.checkResults.failures, dryRun: stage.checkResults.dryRunFailures ?? 0 };
  }
  const failed = { deciding: 0, dryRun: 0 };
  for (const check of checks) failed[check.dryRun ? 'dryRun' : 'deciding'] += (check.counts?.fail ?? 0) + (check.counts?.error ?? 0);
  return failed;
}

/** Deciding checks' failed measurements; a dryRun check's are marked apart ("0 +3 dryRun"). */
function failedCell(stage: StageState, c: ChalkInstance): string {
  const { deciding, dryRun } = failedPolls(stage);
  return dryRun > 0 ? `${deciding} ${c.dim(`+${dryRun} dryRun`)}` : String(deciding);
}

function durationOf(stage: StageState, doc: StateDocument): number {
  const end = stage.finishedAt ?? doc.finishedAt ?? doc.updatedAt;
  return Math.max(0, Date.parse(end) - Date.parse(stage.startedAt ?? end));
}

function lastHealth(stage: StageState): string {
  if (stage.checkResults.checks.length === 0) return '';
  return stage.checkResults.checks
    .map((check) => {
      const name = check.dryRun ? `${check.name} [dryRun]` : check.name;
      if (check.lastOk === null) return `${name}: not polled`;
      const last = lastMeasurement(check);
      if (check.lastOk) return `${name}: ${last?.display ?? `${check.lastStatus} in ${Math.round(check.lastLatencyMs ?? 0)}ms`}`;
      if (last?.condition) return `${name}: ${last.display} (${last.condition})`;
      return `${name}: ${check.lastError?.message ?? 'failed'}`;
    })
    .join('; ');
}

function visibleLength(text: string): number {
  return stripVTControlCharacters(text).length;
}

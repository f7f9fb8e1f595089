import type { RunStatus } from '../engine/events.js';
import { formatDuration } from '../plan/duration.js';
import { lastMeasurement, type StageState, type StageStatus, type StateDocument } from '../state/document.js';
import { nameList, progressText } from './fleet-progress.js';
import { MAX_NAMED } from './fleet-text.js';
import { fleetView, sameDetail } from './fleet-view.js';
import { gatePlace } from './gate-text.js';
import { failedPolls } from './summary.js';

/**
 * The Markdown outcome of a run: GitHub's job summary and Buildkite's annotation. Every value
 * from the plan or a health endpoint is escaped as text (GitHub-flavoured Markdown): a stage
 * named ``canary `5%` | eu`` shows as written, in its table cell.
 */
export function renderJobSummary(doc: StateDocument, tookMs?: number): string {
  const lines = [
    `### ${ICON[doc.status] ?? ''} rollout ${text(doc.plan.name)}: ${headline(doc, text)}${took(doc, tookMs)}`,
    '',
    `Run \`${doc.runId}\``,
    '',
    '| Stage | Status | Duration | Checks | Polls | Failed polls |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const stage of doc.stages) {
    const end = stage.finishedAt ?? doc.finishedAt ?? doc.updatedAt;
    const duration = stage.startedAt ? formatDuration(Math.max(0, Date.parse(end) - Date.parse(stage.startedAt))) : '–';
    const checks = stage.checkResults.checks.map((c) => `${text(c.name)} ${checkCell(c)}`).join('<br>');
    const failed = failedPolls(stage);
    lines.push(
      `| ${text(stage.name)} | ${ICON[stage.status] ?? ''} ${stage.status.replace('_', ' ')} | ${duration} | ${checks || '–'} | ${stage.checkResults.polls} | ${failed.deciding}${failed.dryRun ? ` (+${failed.dryRun} dryRun)` : ''} |`,
    );
  }
  for (const stage of doc.stages) if (stage.targets) lines.push('', ...fleetMarkdown(stage, doc.status));
  if (doc.failure) {
    const { check, value } = doc.failure;
    // A comparison's reason already is its explanation; its display only says it again, shorter.
    const deciding =
      check && value && !doc.failure.reason.includes(value) && !isComparison(doc, doc.failure.stage, check)
        ? ` (deciding value of ${text(check)}: ${text(value)})`
        : '';
    lines.push('', `**Failed at ${text(doc.failure.stage)}:** ${text(doc.failure.reason)}${deciding}`);
  }
  return `${lines.join('\n')}\n\n`;
}

/**
 * A fleet stage's targets: where it is, a row per batch (alike ones merged), then the targets
 * that need a look, named with why (at most MAX_NAMED a group: GitHub cuts a summary at 1 MiB).
 */
function fleetMarkdown(stage: StageState, runStatus: RunStatus): string[] {
  const view = fleetView(stage, runStatus);
  if (!view) return [];
  const lines = [
    `#### ${text(view.stage)}: ${text(view.where)} · ${progressText(stage.targets ?? [])}`,
    '',
    '| Batch | Targets | State |',
    '| --- | --- | --- |',
  ];
  for (const row of view.batches) lines.push(`| ${row.batches} | ${row.targets} | ${text(row.text)} |`);
  for (const { group, targets } of view.named) {
    lines.push('', `**${GROUP_ICON[group]} ${group} (${targets.length})**`, '');
    const alike = sameDetail(targets);
    const items = alike
      ? alike.map(({ detail, names }) => `- ${names.length} × ${text(detail)}: ${text(nameList(names))}`)
      : targets.map((target) => `- ${text(target.name)}: ${text(target.detail)}`);
    lines.push(...items.slice(0, MAX_NAMED));
    if (items.length > MAX_NAMED) lines.push(`- … and ${items.length - MAX_NAMED} more (\`rollout status --json\` lists every target)`);
  }
  return lines;
}

const GROUP_ICON: Record<string, string> = { failed: '❌', 'rollback failed': '🚨', 'rolling back': '↩️', 'in progress': '⏳' };

/** ✅ with the last value, ❌ with why, ❔ inconclusive, ⚠️ could not measure; dryRun checks say so. */
function checkCell(c: StateDocument['stages'][number]['checkResults']['checks'][number]): string {
  if (c.lastOk === null) return '–';
  const last = lastMeasurement(c);
  const dry = c.dryRun ? ' (dryRun)' : '';
  if (c.verdict === 'inconclusive') return `❔ ${text(c.verdictReason ?? 'inconclusive')}${dry}`;
  if (c.verdict === 'error') return `⚠️ ${text(c.verdictReason ?? 'could not measure')}${dry}`;
  if (c.lastOk) return `✅${last ? ` ${text(last.display)}` : ''}${dry}`;
  // A comparison's display is its whole explanation, bounded (src/compare/explain.ts); its reason is cut in the state.
  if (c.lastError?.kind === 'compare' && last) return `❌ ${text(last.display)}${dry}`;
  return `❌ ${text(last?.condition ? `${last.display} (${last.condition})` : (c.lastError?.message ?? ''))}${dry}`;
}

function isComparison(doc: StateDocument, stage: string, check: string): boolean {
  const state = doc.stages.find((s) => s.name === stage)?.checkResults.checks.find((c) => c.name === check);
  return state?.lastError?.kind === 'compare';
}

/** One line for CI outputs: `failed at canary, rolled back`. */
export function headline(doc: StateDocument, asText: (s: string) => string = (s) => s): string {
  const at = doc.failure ? ` at ${asText(doc.failure.stage)}` : '';
  if (doc.status === 'rolled_back') return doc.failure ? `failed${at}, rolled back` : 'rolled back';
  if (doc.status === 'rollback_failed') return `failed${at}, and a rollback failed: a human must look`;
  if (doc.status === 'failed') return `failed${at}`;
  if (doc.status === 'paused' && doc.gate) return `waiting at gate ${asText(doc.gate.id)} ${gatePlace(doc.gate, asText)}: ${asText(doc.gate.reason)}`;
  if (doc.status === 'blocked' && doc.blocked) return `stopped before ${asText(doc.blocked.stage)}: ${asText(doc.blocked.message)}`;
  return doc.status.replace('_', ' ');
}

function took(doc: StateDocument, tookMs: number | undefined): string {
  if (tookMs !== undefined) return ` in ${formatDuration(tookMs)}`;
  return doc.finishedAt ? ` in ${formatDuration(Date.parse(doc.finishedAt) - Date.parse(doc.startedAt))}` : '';
}

const ICON = {
  running: '⏳',
  blocked: '⏸️',
  paused: '✋',
  succeeded: '✅',
  failed: '❌',
  rollback_failed: '🚨',
  rolled_back: '↩️',
  rolling_back: '↩️',
  interrupted: '⚠️',
  skipped: '⏭️',
  pending: '⏸️',
  deploying: '⏳',
  soaking: '⏳',
} satisfies Record<RunStatus | StageStatus, string>;

/**
 * Text that Markdown shows as written, inside a line (never at its start): the characters that
 * open inline markup there (code, emphasis, links, strike-through, GitHub math) and the table's
 * `|` are backslash-escaped (CommonMark drops the backslash when rendering, so none shows), `<`,
 * `>` and `&` become entities (no HTML), and a newline becomes a space (a table row is one line).
 */
export function text(value: string): string {
  return value
    .replace(/[\\`*_[\]|~$]/g, (char) => `\\${char}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n|\r/g, ' ');
}

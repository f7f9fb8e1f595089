import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { RolloutEvent } from '../engine/events.js';
import { formatDuration } from '../plan/duration.js';
import type { StateDocument } from '../state/document.js';
import { applyEvent, initialState } from '../state/reduce.js';
import { CiDecorator, commandBlock } from './ci-decorator.js';
import type { Reporter } from './reporter.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * GitHub Actions (`GITHUB_ACTIONS=true`): deploy and rollback output folded into `::group::`s, an
 * `::error` annotation for the failed stage, a Markdown job summary appended to
 * `$GITHUB_STEP_SUMMARY`, and step outputs (`status`, `failed-stage`, `run-id`, `failure-reason`)
 * appended to `$GITHUB_OUTPUT`. It folds the events into its own copy of the state document.
 */
export class GitHubActions extends CiDecorator {
  private doc: StateDocument | null = null;
  private grouped = false;
  private readonly warnings: string[] = [];

  constructor(
    inner: Reporter,
    err: NodeJS.WritableStream,
    private readonly env: Env,
    folds = true,
  ) {
    super(inner, err, folds);
  }

  protected override before(event: RolloutEvent): void {
    if (event.type === 'run.started') this.doc = initialState(event);
    else if (this.doc) applyEvent(this.doc, event);
    if (commandBlock(event)?.edge === 'end') this.endGroup();
  }

  protected override after(event: RolloutEvent): void {
    const block = commandBlock(event);
    if (block?.edge === 'start' && this.folds) {
      this.mark(`::group::${escapeData(`${block.who} ${block.phase}: ${block.command ?? ''}`)}`);
      this.grouped = true;
    }
    if (event.type === 'stage.failed') this.mark(`::error title=${escapeProperty(`rollout: stage ${event.stage} failed`)}::${escapeData(event.reason)}`);
    if (event.type === 'rollback.finished' && !event.ok) {
      this.mark(
        `::error title=${escapeProperty('rollout: rollback failed')}::${escapeData(`rollback failed for ${event.failedStages.join(', ')}: a human must look`)}`,
      );
    }
    if (event.type === 'run.finished' && this.doc) this.finish(this.doc);
  }

  override warn(message: string): void {
    super.warn(message);
    this.warnings.push(message);
    this.mark(`::warning title=rollout::${escapeData(message)}`);
  }

  override close(): void {
    this.endGroup();
    super.close();
  }

  private endGroup(): void {
    if (!this.grouped) return;
    this.mark('::endgroup::');
    this.grouped = false;
  }

  private finish(doc: StateDocument): void {
    const write = (file: string | undefined, text: string, what: string) => {
      if (!file) return;
      try {
        appendFileSync(file, text);
      } catch (error) {
        this.inner.warn(`cannot write the ${what} to ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
    };
    write(this.env.GITHUB_STEP_SUMMARY, renderJobSummary(doc), 'job summary');
    const outputs = { status: doc.status, 'failed-stage': doc.failure?.stage ?? '', 'run-id': doc.runId, 'failure-reason': doc.failure?.reason ?? '' };
    write(this.env.GITHUB_OUTPUT, formatOutputs(outputs), 'step outputs');
  }
}

const ICON: Record<string, string> = {
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
};

/** The Markdown job summary: a headline, the stage table, and the failure. */
export function renderJobSummary(doc: StateDocument): string {
  const total = doc.finishedAt ? ` in ${formatDuration(Date.parse(doc.finishedAt) - Date.parse(doc.startedAt))}` : '';
  const lines = [
    `### ${ICON[doc.status] ?? ''} rollout ${cell(doc.plan.name)}: ${headline(doc)}${total}`,
    '',
    `Run \`${doc.runId}\``,
    '',
    '| Stage | Status | Duration | Checks | Polls | Failed polls |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const stage of doc.stages) {
    const end = stage.finishedAt ?? doc.finishedAt ?? doc.updatedAt;
    const duration = stage.startedAt ? formatDuration(Math.max(0, Date.parse(end) - Date.parse(stage.startedAt))) : '–';
    const checks = stage.health.checks.map((c) => `${cell(c.name)} ${checkCell(c)}`).join('<br>');
    lines.push(
      `| ${cell(stage.name)} | ${ICON[stage.status] ?? ''} ${stage.status.replace('_', ' ')} | ${duration} | ${checks || '–'} | ${stage.health.polls} | ${stage.health.failures} |`,
    );
  }
  if (doc.failure) {
    const { check, value } = doc.failure;
    const deciding = check && value && !doc.failure.reason.includes(value) ? ` (deciding value of ${cell(check)}: \`${cell(value)}\`)` : '';
    lines.push('', `**Failed at \`${cell(doc.failure.stage)}\`:** ${cell(doc.failure.reason)}${deciding}`);
  }
  return `${lines.join('\n')}\n\n`;
}

/** ✅ with the last value, ❌ with why, ❔ inconclusive, ⚠️ could not measure; dryRun checks say so. */
function checkCell(c: StateDocument['stages'][number]['health']['checks'][number]): string {
  if (c.lastOk === null) return '–';
  const last = c.recent?.at(-1);
  const dry = c.dryRun ? ' (dryRun)' : '';
  if (c.verdict === 'inconclusive') return `❔ ${cell(c.verdictReason ?? 'inconclusive')}${dry}`;
  if (c.verdict === 'error') return `⚠️ ${cell(c.verdictReason ?? 'could not measure')}${dry}`;
  if (c.lastOk) return `✅${last ? ` ${cell(last.display)}` : ''}${dry}`;
  return `❌ ${cell(last?.condition ? `${last.display} (${last.condition})` : (c.lastError?.message ?? ''))}${dry}`;
}

function headline(doc: StateDocument): string {
  const at = doc.failure ? ` at ${cell(doc.failure.stage)}` : '';
  if (doc.status === 'rolled_back') return doc.failure ? `failed${at}, rolled back` : 'rolled back';
  if (doc.status === 'rollback_failed') return `failed${at}, and a rollback failed: a human must look`;
  if (doc.status === 'failed') return `failed${at}`;
  return doc.status.replace('_', ' ');
}

/** `name<<DELIM` blocks: safe for any value, newlines included. */
export function formatOutputs(outputs: Record<string, string>): string {
  return Object.entries(outputs)
    .map(([name, value]) => {
      let delimiter = `ghadelimiter_${randomBytes(8).toString('hex')}`;
      while (value.includes(delimiter)) delimiter = `ghadelimiter_${randomBytes(8).toString('hex')}`;
      return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join('');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Workflow command message escaping, as @actions/core does it. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

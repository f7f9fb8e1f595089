import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RolloutEvent } from '../engine/events.js';
import type { StateDocument } from '../state/document.js';
import { batchBlock, CiDecorator, commandBlock, oneLine } from './ci-decorator.js';
import { headline } from './job-summary.js';
import type { Reporter } from './reporter.js';

const ERASE = '\u001b[0K';

/**
 * GitLab CI (`GITLAB_CI=true`): each deploy and rollback command's output in its own collapsible
 * log section (`section_start` / `section_end`), collapsed once it has finished (a fleet stage's
 * batch is one section: its targets' commands run at once); and the outcome
 * as an `artifacts:reports:dotenv` file (GitLab's equivalent of step outputs) for later jobs.
 */
export class GitLabSections extends CiDecorator {
  private open: string | null = null;
  private lastTime = '';

  constructor(
    inner: Reporter,
    err: NodeJS.WritableStream,
    /** Where the dotenv report goes (`ROLLOUT_DOTENV`, default `rollout.env` in the job's directory). */
    private readonly dotenvPath: string,
    folds = true,
  ) {
    super(inner, err, folds);
  }

  protected override before(event: RolloutEvent): void {
    this.lastTime = event.time;
    if (commandBlock(event)?.edge === 'end' || batchBlock(event)?.edge === 'end') this.endSection(event.time);
  }

  protected override after(event: RolloutEvent): void {
    if (!this.folds) return;
    const block = commandBlock(event);
    if (block?.edge === 'start')
      this.startSection(event.time, `rollout_${block.who}_${block.phase}`, `${block.who} ${block.phase}: ${oneLine(block.command ?? '')}`);
    const batch = batchBlock(event);
    if (batch?.edge === 'start' && event.type === 'batch.started') this.startSection(event.time, `rollout_${event.stage}_batch_${event.batch}`, batch.title);
  }

  private startSection(time: string, name: string, title: string): void {
    this.endSection(time);
    this.open = sectionName(name);
    this.mark(`${ERASE}section_start:${unixTime(time)}:${this.open}[collapsed=true]\r${ERASE}${title}`);
  }

  private endSection(time: string): void {
    if (this.open === null) return;
    this.mark(`${ERASE}section_end:${unixTime(time)}:${this.open}\r${ERASE}`);
    this.open = null;
  }

  protected override finish(doc: StateDocument): void {
    writeDotenv(this.dotenvPath, outcomeVariables(doc), this.inner);
  }

  override close(): void {
    if (this.open !== null) this.mark(`${ERASE}section_end:${unixTime(this.lastTime)}:${this.open}\r${ERASE}`);
    this.open = null;
    super.close();
  }
}

/** The run's outcome as GitLab dotenv variables. */
export function outcomeVariables(doc: StateDocument): Record<string, string> {
  return {
    ROLLOUT_STATUS: doc.status,
    ROLLOUT_FAILED_STAGE: doc.failure?.stage ?? '',
    ROLLOUT_RUN_ID: doc.runId,
    ROLLOUT_FAILURE_REASON: doc.failure?.reason ?? '',
    ROLLOUT_MESSAGE: `rollout ${doc.plan.name}: ${headline(doc)}`,
    ROLLOUT_PAUSED: String(doc.status === 'paused'),
    ROLLOUT_GATE: doc.status === 'paused' && doc.gate ? doc.gate.id : '',
  };
}

/**
 * GitLab's dotenv report: `KEY=value` lines, one line per value (no multi-line values), at most
 * 5 KB in all, so each value is one line of at most 1,000 characters.
 */
export function writeDotenv(file: string, variables: Record<string, string>, reporter: Pick<Reporter, 'warn'>): void {
  const text = Object.entries(variables)
    .map(([key, value]) => `${key}=${oneLine(value, 1_000)}\n`)
    .join('');
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  } catch (error) {
    reporter.warn(`cannot write the dotenv report to ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function unixTime(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/** GitLab section names allow letters, digits, `_`, `.` and `-` only. */
export function sectionName(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100);
}

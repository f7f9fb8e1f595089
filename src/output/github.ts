import { appendFileSync } from 'node:fs';
import type { RolloutEvent } from '../engine/events.js';
import type { StateDocument } from '../state/document.js';
import { batchBlock, CiDecorator, commandBlock, oneLine } from './ci-decorator.js';
import { escapeControl } from './escape-control.js';
import { failedTargetsText } from './fleet-progress.js';
import { escapeData, escapeProperty, formatOutputs, stopToken } from './github-commands.js';
import { headline, renderJobSummary } from './job-summary.js';
import type { Reporter } from './reporter.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * GitHub Actions (`GITHUB_ACTIONS=true`): deploy and rollback output folded into `::group::`s (a
 * fleet stage's: one group per batch, its targets' output and failures inside), an
 * `::error` annotation for the failed stage, a Markdown job summary appended to
 * `$GITHUB_STEP_SUMMARY`, and step outputs (`status`, `failed-stage`, `run-id`, `failure-reason`,
 * `message`) appended to `$GITHUB_OUTPUT`, for `run`, `resume` and `rollback` alike.
 *
 * Workflow commands are paused (`::stop-commands::`) for everything rollout relays: deploy output
 * and the reasons and messages it quotes may carry untrusted text (a commit message, an HTTP
 * body), and a `::add-mask::`, `::error::` or `##[warning]` in there must not act on the job —
 * nor half-act, as when a prefixed `::add-mask::` line fails while the next line prints the
 * value. Our own commands resume processing for exactly their line, with a fresh token each time.
 */
export class GitHubActions extends CiDecorator {
  private grouped = false;
  private token: string | null = null;

  constructor(
    inner: Reporter,
    err: NodeJS.WritableStream,
    private readonly env: Env,
    folds = true,
  ) {
    super(inner, err, folds);
    this.pauseCommands();
  }

  protected override before(event: RolloutEvent): void {
    if (commandBlock(event)?.edge === 'end' || batchBlock(event)?.edge === 'end') this.endGroup();
  }

  protected override after(event: RolloutEvent): void {
    const block = commandBlock(event);
    if (block?.edge === 'start' && this.folds) this.startGroup(`${block.who} ${block.phase}: ${oneLine(block.command ?? '')}`);
    const batch = batchBlock(event);
    if (batch?.edge === 'start' && this.folds) this.startGroup(batch.title);
    if (event.type === 'stage.failed')
      this.mark(`::error title=${escapeProperty(`rollout: stage ${event.stage} failed`)}::${escapeData(`${event.reason}${failedTargetsText(event)}`)}`);
    if (event.type === 'rollback.finished' && !event.ok) {
      this.mark(
        `::error title=${escapeProperty('rollout: rollback failed')}::${escapeData(`rollback failed for ${event.failedStages.join(', ')}: a human must look`)}`,
      );
    }
  }

  override warn(message: string): void {
    super.warn(message);
    this.mark(`::warning title=rollout::${escapeData(escapeControl(message))}`);
  }

  /**
   * A deploy's own `::add-mask::`: its line reached the log prefixed and inside paused commands
   * (like every other workflow command it prints, which stays neutralised); this one is honoured,
   * so it is said again at a line's start where commands act. Its value is already redacted by us.
   */
  addMask(escaped: string): void {
    this.mark(`::add-mask::${escaped}`);
  }

  override close(): void {
    this.endGroup();
    super.close();
    if (this.token !== null) this.err.write(`::${this.token}::\n`);
    this.token = null;
  }

  /** Our own command: processing resumes for its line only. */
  protected override mark(text: string): void {
    if (this.token === null) {
      super.mark(text);
      return;
    }
    const resume = `::${this.token}::`;
    this.token = stopToken();
    super.mark(`${resume}\n${text}\n::stop-commands::${this.token}`);
  }

  private pauseCommands(): void {
    this.token = stopToken();
    this.err.write(`::stop-commands::${this.token}\n`);
  }

  private startGroup(title: string): void {
    this.endGroup();
    this.mark(`::group::${escapeData(title)}`);
    this.grouped = true;
  }

  private endGroup(): void {
    if (!this.grouped) return;
    this.mark('::endgroup::');
    this.grouped = false;
  }

  protected override finish(doc: StateDocument): void {
    write(this.env.GITHUB_STEP_SUMMARY, renderJobSummary(doc, this.tookMs), 'job summary', this.inner);
    write(this.env.GITHUB_OUTPUT, formatOutputs(runOutputs(doc)), 'step outputs', this.inner);
  }
}

/** The step outputs of a finished run. */
export function runOutputs(doc: StateDocument): Record<string, string> {
  return {
    status: doc.status,
    'failed-stage': doc.failure?.stage ?? '',
    'run-id': doc.runId,
    'failure-reason': doc.failure?.reason ?? '',
    message: `rollout ${doc.plan.name}: ${headline(doc)}${doc.failure ? `: ${doc.failure.reason}` : ''}`,
    paused: String(doc.status === 'paused'),
    gate: doc.status === 'paused' && doc.gate ? doc.gate.id : '',
  };
}

/** Appends to a file the runner gave us; a failure is a warning, never the run's end. */
export function write(file: string | undefined, text: string, what: string, reporter: Pick<Reporter, 'warn'>): void {
  if (!file) return;
  try {
    appendFileSync(file, text);
  } catch (error) {
    reporter.warn(`cannot write the ${what} to ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

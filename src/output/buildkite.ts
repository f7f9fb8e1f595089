import type { RolloutEvent, RunStatus } from '../engine/events.js';
import type { StateDocument } from '../state/document.js';
import { callBuildkiteAgent } from './buildkite-agent.js';
import { batchBlock, CiDecorator, commandBlock, oneLine } from './ci-decorator.js';
import { renderJobSummary } from './job-summary.js';
import type { Reporter } from './reporter.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The annotation's style per outcome: a run stopped for a window or a person needs a look, not alarm. */
const STYLE = {
  running: 'info',
  succeeded: 'success',
  rolled_back: 'error',
  failed: 'error',
  rollback_failed: 'error',
  interrupted: 'warning',
  blocked: 'warning',
  paused: 'warning',
} satisfies Record<RunStatus, 'success' | 'error' | 'warning' | 'info'>;

/**
 * Buildkite (`BUILDKITE=true`): each deploy, soak and rollback in a collapsed log group (`--- `),
 * a fleet stage's batch and its bake in one each; when a stage, a target or a rollback fails,
 * `^^^ +++` opens the group it failed in, so the failure is what
 * the log shows first. When the run finishes, the job summary's Markdown becomes a build
 * annotation (`buildkite-agent annotate --style success|error|warning`), if the agent is on PATH.
 */
export class BuildkiteGroups extends CiDecorator {
  /** Between a batch's start and its end: a fleet stage's soak then is its bake. */
  private batchUnderWay = false;

  constructor(
    inner: Reporter,
    err: NodeJS.WritableStream,
    private readonly env: Env,
    folds = true,
  ) {
    super(inner, err, folds);
  }

  protected override before(event: RolloutEvent): void {
    if (!this.folds) return;
    const block = commandBlock(event);
    if (block?.edge === 'start') this.mark(`--- ${block.who} ${block.phase}: ${oneLine(block.command ?? '')}`);
    const batch = batchBlock(event);
    if (batch?.edge === 'start') this.mark(`--- ${batch.title}`);
    // A target's soak is inside its batch's group; a fleet stage's own (its bake) has one.
    if (event.type === 'soak.started' && event.target === undefined) this.mark(`--- ${event.stage} ${this.batchUnderWay ? 'bake' : 'soak'}`);
    if (event.type === 'rollback.started') this.mark('--- rolling back');
  }

  protected override after(event: RolloutEvent): void {
    if (event.type === 'batch.started') this.batchUnderWay = true;
    else if (batchBlock(event)?.edge === 'end') this.batchUnderWay = false;
    if (!this.folds) return;
    // A failed target opens its batch's group (a failed rollback of one too): the failure is what the log shows first.
    const failed = event.type === 'stage.failed' || event.type === 'target.failed';
    if (failed || (event.type === 'rollback.step.finished' && (event.exitCode !== 0 || event.timedOut))) this.mark('^^^ +++');
  }

  protected override finish(doc: StateDocument): void {
    const style = STYLE[doc.status];
    const outcome = callBuildkiteAgent(['annotate', '--style', style, '--context', `rollout-${doc.runId}`], renderJobSummary(doc, this.tookMs), this.env);
    if (outcome !== 'ok' && outcome !== 'missing') this.inner.warn(`buildkite-agent annotate failed: ${outcome}`);
  }
}

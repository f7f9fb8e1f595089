import type { Context } from '../context.js';
import { ExitCode, InputError } from '../errors.js';
import type { Plan } from '../plan/types.js';
import { failedTargetRefs } from '../run/next.js';
import { whereRunIs } from '../run/where.js';
import type { StateDocument } from '../state/document.js';
import { type DriveFlags, driveRun } from './drive-run.js';
import { type ContinueFlags, checkSamePlan, openRunToContinue } from './open-run.js';
import { type WindowOverrideOptions, windowOverride } from './window-override.js';

export interface ResumeOptions extends ContinueFlags, DriveFlags, WindowOverrideOptions {
  allowPlanChange?: boolean;
  /** Deploy again only the targets that failed (fleet stages), then go on. */
  retryFailed?: boolean;
}

/**
 * `rollout resume`: continue a run from where the run model (`next`) says it is. Stages that passed are not
 * touched; a stage that was soaking is soaked again from the start (health re-verified) without
 * redeploying; a stage that was deploying is deployed again; a pause that was cut short is waited
 * again; a rollback that was under way is finished; an expired gate acts on its `onTimeout`. A gate
 * still open is for `rollout promote` / `rollout abort` (or, at a terminal, answered here). Uses
 * the vars the run started with.
 */
export async function resume(options: ResumeOptions, ctx: Context): Promise<number> {
  const overrideWindow = windowOverride(options, ctx);
  const opened = await openRunToContinue('rollout resume', options, ctx, (doc, plan, location) => checkResumable(doc, plan, location, options, ctx));
  if (typeof opened === 'number') return opened;
  if (opened.doc.plan.sha256 !== opened.plan.sha256)
    opened.session.warn(`the plan changed since run ${opened.doc.runId} started; resuming with the current plan (--allow-plan-change)`);
  return driveRun(opened, ctx, options, { kind: 'forward', ...(options.retryFailed ? { retryFailed: true } : {}) }, { overrideWindow });
}

function checkResumable(doc: StateDocument, plan: Plan, location: string, options: ResumeOptions, ctx: Context): number | undefined {
  if (options.retryFailed) return checkRetryable(doc, plan, location, options);
  const step = whereRunIs(doc, ctx.clock.now());
  if (step === null && doc.status === 'succeeded') {
    // A retried CI job resumes a run that already finished well: that is success, not bad input.
    (options.json ? ctx.term.err : ctx.term.out).write(
      `Run ${doc.runId} already succeeded${doc.finishedAt ? ` (finished ${doc.finishedAt})` : ''}: nothing to resume.\n`,
    );
    return ExitCode.ok;
  }
  if (step === null) {
    const next =
      doc.status === 'rollback_failed'
        ? 'Fix what made the rollback fail, then run `rollout rollback`.'
        : 'Start a new one with `rollout run`, or undo what is left with `rollout rollback`.';
    throw new InputError(`run ${doc.runId} in ${location} ended ${doc.status.replace('_', ' ')}; there is nothing to resume. ${next}`);
  }
  if (step?.kind === 'wait' && !(ctx.term.canPrompt && !options.json)) {
    const { gate } = step;
    throw new InputError(
      `run ${doc.runId} waits at gate ${gate.id} after ${gate.stage}: continue it with \`rollout promote --gate ${gate.id} --reason "…"\` or undo it with \`rollout abort --reason "…"\`.`,
    );
  }
  checkSamePlan(doc, plan, options.allowPlanChange === true);
  return undefined;
}

/**
 * `--retry-failed`: there must be failed targets, and what they failed in must still stand — a
 * fleet stage undone as a whole (or a run rolled back) is started again with `rollout run`.
 */
function checkRetryable(doc: StateDocument, plan: Plan, location: string, options: ResumeOptions): undefined {
  const failed = failedTargetRefs(doc);
  if (failed.length === 0) throw new InputError(`run ${doc.runId} in ${location} has no failed targets to retry (--retry-failed is for stages with targets).`);
  if (!RETRYABLE[doc.status])
    throw new InputError(
      `run ${doc.runId} in ${location} ended ${doc.status.replace('_', ' ')}: its targets were undone, so there is nothing to retry on. Start a new run with \`rollout run\`.`,
    );
  const undone = doc.stages.find(
    (s) => s.targets && failed.some((ref) => ref.stage === s.name) && ['rolling_back', 'rolled_back', 'rollback_failed'].includes(s.status),
  );
  if (undone)
    throw new InputError(
      `stage ${undone.name} of run ${doc.runId} was rolled back as a whole; start a new run with \`rollout run\` instead of retrying its failed targets.`,
    );
  checkSamePlan(doc, plan, options.allowPlanChange === true);
  return undefined;
}

/** Run statuses after which failed targets may be deployed again. */
const RETRYABLE = {
  running: true,
  interrupted: true,
  blocked: true,
  paused: false,
  succeeded: true,
  failed: true,
  rolled_back: false,
  rollback_failed: false,
} as const satisfies Record<StateDocument['status'], boolean>;

import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { rollBackRun } from '../engine/rollback.js';
import { type ResumePoint, runRollout } from '../engine/run-rollout.js';
import { InputError } from '../errors.js';
import { exitCodeFor } from '../exit-status.js';
import type { OutputMode } from '../output/create-reporter.js';
import { renderSummary } from '../output/summary.js';
import { loadPlan } from '../plan/load.js';
import type { Plan } from '../plan/types.js';
import type { StateDocument } from '../state/document.js';
import { wasDeployed } from '../state/reduce.js';
import { readState, StateStore } from '../state/store.js';
import { planStages } from './rollback.js';
import { openSession } from './session.js';
import { type WindowOverrideOptions, windowOverride } from './window-override.js';

export interface ResumeOptions extends OutputMode, WindowOverrideOptions {
  config?: string;
  state?: string;
  allowPlanChange?: boolean;
  waitLock?: string;
}

/**
 * `rollout resume`: continue a run that was interrupted or whose process died. Stages that passed
 * are not touched; a stage that was soaking is soaked again from the start (health re-verified)
 * without redeploying; a stage that was deploying is deployed again; a rollback that was under
 * way is finished. Uses the vars the run started with.
 */
export async function resume(options: ResumeOptions, ctx: Context): Promise<number> {
  const located = await loadPlan({ cwd: ctx.cwd, config: options.config, env: ctx.env });
  const statePath = options.state !== undefined ? resolve(ctx.cwd, options.state) : located.statePath;
  const overrideWindow = windowOverride(options, ctx);
  const before = readState(statePath);
  if (!before) throw new InputError(`no rollout state at ${statePath}: there is no run to resume.`);
  const plan = await loadPlan({ cwd: ctx.cwd, config: options.config, env: ctx.env, vars: before.plan.vars ?? {} });
  checkResumable(before, plan, statePath, options);

  const session = await openSession(ctx, { statePath, runId: before.runId, command: 'rollout resume', waitLock: options.waitLock, output: options, plan });
  try {
    const doc = readState(statePath) ?? before; // under the lock: what the run really left
    checkResumable(doc, plan, statePath, options);
    if (doc.plan.sha256 !== plan.sha256) session.warn(`the plan changed since run ${doc.runId} started; resuming with the current plan (--allow-plan-change)`);
    session.reporter.continueRun?.(doc);
    const store = new StateStore(statePath, doc);
    let status: Awaited<ReturnType<typeof runRollout>>['status'];
    let tookMs: number | undefined;
    try {
      const deps = session.deps(doc.runId, store, [
        (event) => {
          if (event.type === 'run.finished') tookMs = event.durationMs;
        },
      ]);
      if (isRollingBack(doc)) {
        const deployed = planStages(
          plan,
          doc.stages.filter(wasDeployed).map((s) => s.name),
          statePath,
        );
        status = await rollBackRun(plan, deployed, doc.failure, deps, true);
      } else {
        status = (await runRollout(plan, deps, resumePoint(doc, plan), { overrideWindow })).status;
      }
    } finally {
      store.close();
    }
    session.reporter.close();
    if (!options.json && !options.quiet) ctx.term.out.write(`${renderSummary(doc, ctx.term.color, tookMs)}\n`);
    return exitCodeFor(status, ctx.signal.reason);
  } catch (error) {
    throw session.redact(error);
  } finally {
    session.close();
  }
}

function checkResumable(doc: StateDocument, plan: Plan, statePath: string, options: ResumeOptions): void {
  if (doc.status !== 'interrupted' && doc.status !== 'running' && doc.status !== 'blocked') {
    const next =
      doc.status === 'rollback_failed'
        ? 'Fix what made the rollback fail, then run `rollout rollback`.'
        : doc.status === 'succeeded'
          ? 'Start a new one with `rollout run`.'
          : 'Start a new one with `rollout run`, or undo what is left with `rollout rollback`.';
    throw new InputError(`run ${doc.runId} in ${statePath} ended ${doc.status.replace('_', ' ')}; there is nothing to resume. ${next}`);
  }
  if (doc.plan.sha256 !== plan.sha256 && !options.allowPlanChange) {
    throw new InputError(
      `the plan ${plan.path} changed since run ${doc.runId} started (sha256 ${doc.plan.sha256.slice(0, 12)}… → ${plan.sha256.slice(0, 12)}…). ` +
        'Resume with the plan as it was, or pass --allow-plan-change if the change is intended.',
    );
  }
  const before = doc.stages.map((s) => s.name).join(', ');
  const now = plan.stages.map((s) => s.name).join(', ');
  if (before !== now)
    throw new InputError(`the run's stages (${before}) are not the plan's stages (${now}); a run can only be resumed with the same stages, in the same order.`);
}

/** A run that had failed, or had started undoing, is resumed by finishing the rollback. */
function isRollingBack(doc: StateDocument): boolean {
  return doc.failure !== null || doc.stages.some((s) => ['rolling_back', 'rolled_back', 'rollback_failed'].includes(s.status));
}

function resumePoint(doc: StateDocument, plan: Plan): ResumePoint {
  const stageIndex = doc.stages.findIndex((s) => s.status !== 'succeeded');
  const current = doc.stages[stageIndex];
  const soakOnly = current?.status === 'soaking';
  const deployed = plan.stages.filter((s) => s.index < stageIndex || (soakOnly && s.index === stageIndex));
  return { stageIndex: stageIndex === -1 ? plan.stages.length : stageIndex, soakOnly, deployed };
}

import type { Context } from '../context.js';
import { exitCodeFor } from '../exit-status.js';
import type { OutputMode } from '../output/create-reporter.js';
import { loadPlan } from '../plan/load.js';
import { parseVarFlags } from '../plan/vars.js';
import { newRunId } from '../run-id.js';
import { driveRun, pausedExitCode } from './drive-run.js';
import { openNewRun } from './open-run.js';
import { reportAfterRun } from './report.js';
import { type WindowOverrideOptions, windowOverride } from './window-override.js';

export interface RunOptions extends OutputMode, WindowOverrideOptions {
  config?: string;
  state?: string;
  key?: string;
  var?: string[];
  waitLock?: string;
  dryRun?: boolean;
  pausedExitCode?: string;
  report?: string;
}

/** `rollout run`: validate everything first, then lock, then drive the loop forward from no document. */
export async function run(options: RunOptions, ctx: Context): Promise<number> {
  const plan = await loadPlan({ cwd: ctx.cwd, config: options.config, vars: parseVarFlags(options.var ?? []), env: ctx.env, signal: ctx.signal });
  const runId = newRunId(ctx.clock.now());
  const overrideWindow = windowOverride(options, ctx);
  if (options.dryRun) return (await import('./dry-run.js')).dryRun(plan, runId, options, ctx);
  const opened = await openNewRun(plan, runId, options, ctx);
  return driveRun(
    opened,
    ctx,
    options,
    { kind: 'forward' },
    { overrideWindow },
    {
      exitCode: (status) => (status === 'paused' ? pausedExitCode(options) : exitCodeFor(status, ctx.signal.reason)),
      ownDuration: false,
      askAtGates: true,
      lastWords: true,
      // Also after a failure or an interrupt; a shared store has no local event log to draw from.
      afterClose: () => {
        if (options.report !== undefined && opened.session.eventLogAnchor) reportAfterRun(opened.session.eventLogAnchor, runId, options.report, ctx);
      },
    },
  );
}

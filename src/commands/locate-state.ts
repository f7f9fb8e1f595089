import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { PlanError } from '../errors.js';
import { loadPlan } from '../plan/load.js';
import { DEFAULTS } from '../plan/normalise.js';

/**
 * The state file a command should read: `--state`, else the plan's `state:`, else the default
 * beside the working directory. A broken or missing plan must not stop `status` from working.
 */
export async function locateState(options: { state?: string; config?: string }, ctx: Context): Promise<string> {
  if (options.state !== undefined) return resolve(ctx.cwd, options.state);
  try {
    return (await loadPlan({ cwd: ctx.cwd, config: options.config, env: ctx.env })).statePath;
  } catch (error) {
    if (options.config !== undefined && !(error instanceof PlanError)) throw error;
    return resolve(ctx.cwd, DEFAULTS.state);
  }
}

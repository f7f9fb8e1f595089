import type { Context } from '../context.js';
import { InputError, PlanError } from '../errors.js';
import { loadPlan } from '../plan/load.js';
import { DEFAULTS } from '../plan/normalise.js';
import type { Plan } from '../plan/types.js';
import type { StateBackend } from '../state/backend.js';
import { isRemoteLocation, openBackend } from '../state/registry.js';

export interface StateFlags {
  state?: string;
  key?: string;
  config?: string;
}

/**
 * Opens the store of record a command should use: `--state`, else `ROLLOUT_STATE`, else the
 * plan's `state:`, else `.rollout/state.json` beside the plan. A shared store (postgres://…)
 * holds many plans; the record's key is `--key`, else the plan's `key:`, else its name.
 */
export async function openPlanState(flags: StateFlags, plan: Plan, ctx: Context): Promise<StateBackend> {
  if (flags.state !== undefined) return open(flags.state, ctx.cwd, flags.key ?? planKey(plan), ctx);
  if (ctx.env.ROLLOUT_STATE) return open(ctx.env.ROLLOUT_STATE, ctx.cwd, flags.key ?? planKey(plan), ctx);
  return open(plan.statePath, plan.dir, flags.key ?? planKey(plan), ctx);
}

/** For commands that work without a plan (status, history, unlock): a broken or missing plan must not stop them. */
export async function locateState(flags: StateFlags, ctx: Context): Promise<StateBackend> {
  const location = flags.state ?? ctx.env.ROLLOUT_STATE;
  let plan: Plan | null = null;
  if (location === undefined || (isRemoteLocation(location) && flags.key === undefined)) {
    try {
      plan = await loadPlan({ cwd: ctx.cwd, config: flags.config, env: ctx.env, signal: ctx.signal, inventory: 'skip' });
    } catch (error) {
      if (flags.config !== undefined && !(error instanceof PlanError)) throw error;
    }
  }
  const key = flags.key ?? (plan ? planKey(plan) : null);
  if (location !== undefined) return open(location, ctx.cwd, key, ctx);
  if (plan) return open(plan.statePath, plan.dir, key, ctx);
  return open(DEFAULTS.state, ctx.cwd, key, ctx);
}

function planKey(plan: Plan): string {
  return plan.stateKey ?? plan.name;
}

async function open(location: string, baseDir: string, key: string | null, ctx: Context): Promise<StateBackend> {
  if (isRemoteLocation(location) && key === null) {
    throw new InputError(
      "a shared state store holds many plans: name the record with --key NAME (the plan's `key:`, or its `name:`), or run this beside the plan.",
    );
  }
  const options = { key, env: ctx.env, host: ctx.host, clock: ctx.clock, baseDir };
  return (ctx.openState ?? openBackend)(location, options);
}

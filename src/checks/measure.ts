import { commandEnv } from '../engine/command.js';
import type { EngineDeps } from '../engine/deps.js';
import type { Look } from '../engine/looks.js';
import type { HttpClient } from '../http/client.js';
import type { Check, Plan, Stage } from '../plan/types.js';
import type { MeasureContext, Measurement } from './kind.js';
import { checkKind } from './registry.js';

/**
 * The engine's `measure` dependency: dispatches a check to its kind with the I/O it may use.
 * A kind that throws (a bug, not a failing service) gives an `error` measurement, never a crash.
 */
export function createMeasurer(plan: Plan, deps: Pick<EngineDeps, 'env' | 'exec' | 'runId' | 'clock'> & { http: HttpClient }): EngineDeps['measure'] {
  const envs = new Map<number, Record<string, string>>();
  const now = () => deps.clock.now();
  return async (check: Check, stage: Stage, signal: AbortSignal, look?: Look): Promise<Measurement> => {
    let env = envs.get(stage.index);
    if (env === undefined) {
      env = { ...commandEnv(plan, { phase: 'deploy', stage }, deps), ROLLOUT_PHASE: 'check' };
      envs.set(stage.index, env);
    }
    try {
      // Built as a plain literal (no spread): one is made for every measurement.
      const ctx: MeasureContext = { env, exec: deps.exec, dir: plan.dir, killGraceMs: plan.killGraceMs, timeoutMs: check.timeoutMs, http: deps.http, now };
      if (look) ctx.look = look;
      return await checkKind(check.kind).measure(check.spec, ctx, signal);
    } catch (error) {
      const message = `internal error in the ${check.kind} check: ${(error as Error).message}`;
      return { value: null, display: message, error: { kind: 'internal', message }, latencyMs: 0 };
    }
  };
}

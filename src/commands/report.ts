import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { loadConditionEngine } from '../conditions/condition.js';
import type { Context } from '../context.js';
import { loadPlan } from '../plan/load.js';
import { writeReport } from '../report/write-report.js';
import { isRemoteLocation, localEventLogAnchor } from '../state/registry.js';
import { locateState } from './locate-state.js';

export interface ReportOptions {
  config?: string;
  state?: string;
  key?: string;
  run?: string;
  out?: string;
}

/** `rollout report`: one self-contained HTML page of a recorded run; prints where it is. */
export async function report(options: ReportOptions, ctx: Context): Promise<number> {
  const backend = await locateState(options, ctx);
  await backend.close();
  // A shared store keeps no event logs: a run on this runner left its log in the plan's .rollout/.
  const statePath = isRemoteLocation(backend.location) ? localEventLogAnchor(await planDir(options, ctx)) : backend.location;
  // Logs written before `soak.started` carried the conditions' bounds: the compiler reads their text.
  await loadConditionEngine();
  const written = writeReportFor(statePath, options, ctx);
  ctx.term.out.write(`${shown(written.path, ctx)}\n`);
  return 0;
}

/** Also used by `rollout run --report FILE`. The default file sits beside the state file. */
export function writeReportFor(statePath: string, options: { run?: string; out?: string }, ctx: Context): { path: string; runId: string } {
  const out = (runId: string) => (options.out !== undefined ? resolve(ctx.cwd, options.out) : join(dirname(statePath), `report-${runId}.html`));
  return writeReport({ statePath, runId: options.run }, out, ctx.clock.now());
}

/** `rollout run --report FILE`: after the run, whatever its outcome; a failure to write is said, not fatal. */
export function reportAfterRun(statePath: string, runId: string, out: string, ctx: Context): void {
  try {
    const { path } = writeReportFor(statePath, { run: runId, out }, ctx);
    ctx.term.err.write(`rollout: report written to ${shown(path, ctx)}\n`);
  } catch (error) {
    ctx.term.err.write(`rollout: could not write the report ${out}: ${(error as Error).message}\n`);
  }
}

/** Relative to the working directory when inside it, else absolute. */
function shown(path: string, ctx: Context): string {
  const rel = relative(ctx.cwd, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

async function planDir(options: ReportOptions, ctx: Context): Promise<string> {
  try {
    return (await loadPlan({ cwd: ctx.cwd, config: options.config, env: ctx.env, signal: ctx.signal, inventory: 'skip' })).dir;
  } catch {
    return ctx.cwd;
  }
}

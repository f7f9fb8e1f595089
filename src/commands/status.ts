import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { InputError } from '../errors.js';
import { renderSummary } from '../output/summary.js';
import { describeUnfinished } from '../output/unfinished.js';
import { DEFAULTS } from '../plan/normalise.js';
import type { StateDocument } from '../state/document.js';
import { pidIsAlive, readLockHolder, staleReason } from '../state/lock.js';
import { readState } from '../state/store.js';
import { locateState } from './locate-state.js';

export interface StatusOptions {
  state?: string;
  config?: string;
  json?: boolean;
}

/** `rollout status`: what the last run did, and what to do next if it did not finish. */
export async function status(options: StatusOptions, ctx: Context): Promise<number> {
  const path = await locateState(options, ctx);
  const doc = readState(path);
  if (!doc) throw new InputError(`no rollout state at ${path}: nothing has run with this state file yet (run \`rollout run\`, or pass --state FILE).`);
  if (options.json) {
    ctx.term.out.write(`${JSON.stringify(doc, null, 2)}\n`);
    return 0;
  }
  const advice = nextStep(doc, path, ctx);
  ctx.term.out.write(`${renderSummary(doc, ctx.term.color)}\n${advice ? `\n${advice}\n` : ''}`);
  return 0;
}

function nextStep(doc: StateDocument, path: string, ctx: Context): string | null {
  const state = path === resolve(ctx.cwd, DEFAULTS.state) ? '' : ` --state ${path}`;
  const finish = `Finish it with: rollout resume${state}   or undo it with: rollout rollback${state}`;
  switch (doc.status) {
    case 'running': {
      const holder = readLockHolder(`${path}.lock`);
      if (holder && holder.runId === doc.runId && !staleReason(holder, ctx.host, ctx.clock.now(), pidIsAlive)) {
        return `Run ${doc.runId} is in progress (${holder.command}, pid ${holder.pid} on ${holder.host}).`;
      }
      return `${describeUnfinished(doc)}\n${finish}`;
    }
    case 'interrupted':
      return `${describeUnfinished(doc)}\n${finish}`;
    case 'blocked': {
      const deployed = doc.stages.filter((s) => s.status === 'succeeded').map((s) => s.name);
      const left = deployed.length > 0 ? `It left deployed: ${deployed.join(', ')}. ` : '';
      const when = doc.blocked?.nextOpenAt ? ` after ${doc.blocked.nextOpenAt}` : '';
      return `${left}Continue it${when} with: rollout resume${state}   (or now: rollout resume${state} --override-window --reason "…")   or undo it with: rollout rollback${state}`;
    }
    case 'rollback_failed':
      return `A rollback command failed: check the service by hand, then retry with: rollout rollback${state}`;
    default:
      return null;
  }
}

import type { Context } from '../context.js';
import { InputError } from '../errors.js';
import { renderSummary } from '../output/summary.js';
import type { StateDocument } from '../state/document.js';
import { pidIsAlive, readLockHolder } from '../state/lock.js';
import { wasDeployed } from '../state/reduce.js';
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
  const deployed = doc.stages.filter(wasDeployed).map((s) => s.name);
  const rollbackHint = deployed.length > 0 ? `To undo what was deployed (${deployed.join(', ')}): rollout rollback --state ${path}` : null;
  switch (doc.status) {
    case 'running': {
      const holder = readLockHolder(`${path}.lock`);
      if (holder && holder.runId === doc.runId && (holder.host !== ctx.host || pidIsAlive(holder.pid))) {
        return `Run ${doc.runId} is in progress (pid ${holder.pid} on ${holder.host}).`;
      }
      const current = doc.stages.find((s) => s.status === 'deploying' || s.status === 'soaking');
      return [`Run ${doc.runId} is not running any more: its process died${current ? ` while ${current.name} was ${current.status}` : ''}.`, rollbackHint]
        .filter(Boolean)
        .join('\n');
    }
    case 'interrupted': {
      const current = doc.stages.find((s) => ['deploying', 'soaking', 'rolling_back'].includes(s.status));
      return [`Run ${doc.runId} was interrupted${current ? ` while ${current.name} was ${current.status.replace('_', ' ')}` : ''}.`, rollbackHint]
        .filter(Boolean)
        .join('\n');
    }
    case 'rollback_failed':
      return `A rollback command failed: check the service by hand, then retry with: rollout rollback --state ${path}`;
    default:
      return null;
  }
}

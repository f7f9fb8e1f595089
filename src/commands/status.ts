import { dirname, resolve } from 'node:path';
import type { Context } from '../context.js';
import { InputError } from '../errors.js';
import { escapeControl, terminalSafeJson } from '../output/escape-control.js';
import { describeGate } from '../output/gate-evidence.js';
import { gateCommands } from '../output/gate-text.js';
import { describeNextStep } from '../output/next-step-text.js';
import { renderSummary } from '../output/summary.js';
import { describeUnfinished } from '../output/unfinished.js';
import { DEFAULTS } from '../plan/normalise.js';
import { isExpired } from '../run/gate-time.js';
import { whereRunIs } from '../run/where.js';
import type { StateBackend } from '../state/backend.js';
import type { StateDocument } from '../state/document.js';
import { isRemoteLocation } from '../state/registry.js';
import { findErroredRecord } from '../state/write-failure.js';
import { locateState } from './locate-state.js';

export interface StatusOptions {
  state?: string;
  key?: string;
  config?: string;
  json?: boolean;
  /** Show this past run instead of the current one. */
  run?: string;
}

/** `rollout status`: what the last run (or `--run ID`) did, and what to do next if it did not finish. */
export async function status(options: StatusOptions, ctx: Context): Promise<number> {
  const backend = await locateState(options, ctx);
  try {
    const doc = options.run === undefined ? await backend.read() : await backend.readRun(options.run);
    if (!doc && options.run !== undefined) throw new InputError(`no run ${options.run} in ${backend.location}: \`rollout history\` lists the runs kept.`);
    if (!doc) throw new InputError(`no rollout state at ${backend.location}: nothing has run with this state yet (run \`rollout run\`, or pass --state FILE).`);
    if (options.json) {
      ctx.term.out.write(`${terminalSafeJson(doc, 2)}\n`);
      return 0;
    }
    const current = options.run === undefined || (await backend.read())?.runId === doc.runId;
    const advice = current ? await whatNext(doc, backend, ctx) : null;
    ctx.term.out.write(`${renderSummary(doc, ctx.term.color)}\n${advice ? `\n${escapeControl(advice)}\n` : ''}`);
    return 0;
  } finally {
    await backend.close();
  }
}

async function whatNext(doc: StateDocument, backend: StateBackend, ctx: Context): Promise<string | null> {
  const state = backend.location === resolve(ctx.cwd, DEFAULTS.state) ? '' : ` --state ${backend.location}`;
  const will = describeNextStep(whereRunIs(doc, ctx.clock.now()), doc);
  const finish = `${will ? `${will}\n` : ''}Finish it with: rollout resume${state}   or undo it with: rollout rollback${state}`;
  if (doc.status === 'running' || doc.status === 'interrupted') {
    const saved = findErroredRecord(doc, isRemoteLocation(backend.location) ? [ctx.cwd] : [ctx.cwd, dirname(dirname(backend.location))]);
    if (saved) {
      return (
        `Run ${doc.runId} could not record its state here after serial ${doc.serial}: what it did since is saved in ${saved}. ` +
        `Push it back first: rollout state push ${saved}${state}   then: rollout status${state}`
      );
    }
  }
  switch (doc.status) {
    case 'running': {
      const holder = await backend.holder();
      if (holder && holder.runId === doc.runId && (await backend.holderIsLive(holder))) {
        return `Run ${doc.runId} is in progress (${holder.command}, pid ${holder.pid} on ${holder.host}).`;
      }
      return `${describeUnfinished(doc)}\n${finish}`;
    }
    case 'interrupted':
      return `${describeUnfinished(doc)}\n${finish}`;
    case 'paused': {
      const gate = doc.gate;
      if (!gate) return null;
      if (gate.decision)
        return `Gate ${gate.id} was decided (${gate.decision.decision} by ${gate.decision.by}) but the run stopped before it went on.\n${finish}`;
      const ways = isExpired(gate, ctx.clock.now())
        ? `Continue it with: rollout resume${state}   (or undo it now with: rollout abort${state} --reason "…")`
        : gateCommands(gate, state).replace(/^c/, 'C');
      return `${describeGate(doc, gate, ctx.clock.now())}\n${ways}`;
    }
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

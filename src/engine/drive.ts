import { isoTime } from '../clock.js';
import type { Fleet, Plan, Stage } from '../plan/types.js';
import type { Action, Drive, FinalStatus, Intent, Undone } from '../run/actions.js';
import { newDrive } from '../run/actions.js';
import { next } from '../run/next.js';
import { applyEvent, initialState } from '../run/reduce.js';
import { type UnitRef, withRef } from '../run/ref.js';
import { unitKey } from '../run/unit-key.js';
import type { StateDocument } from '../state/document.js';
import { type EngineDeps, interruptSignal } from './deps.js';
import type { EmitInput, RolloutEvent } from './events.js';
import { bakeBatch, failedNames } from './fleet/bake.js';
import { openFleetStage } from './fleet/open-stage.js';
import { targetTurn } from './fleet/target-turn.js';
import { undoTarget } from './fleet/undo-target.js';
import { afterStage } from './gate.js';
import { rollBack } from './rollback.js';
import { deployUnit } from './unit-deploy.js';
import { soakUnit } from './unit-soak.js';
import type { WindowOverride } from './window-gate.js';

export interface DriveOptions {
  /** Start stages even when a deploy window blocks them (recorded with who and why). */
  overrideWindow?: WindowOverride | null;
}

/** How an action changes this process's memory of the drive, or how the drive ends. */
/** What finishing an action does to the loop: updates its memory, or ends the run. */
type StepResult = { update: (drive: Drive) => Drive } | { end: FinalStatus };

/**
 * The engine: one loop. Ask the model what may start now (`next`), start it through the deps, let
 * it emit its events — folded here into the engine's own copy of the document with the one reducer
 * the store and every reader use — and ask again, until an action ends the drive (`finish`, or a
 * gate left waiting) or nothing is left to do. `run` starts it with no document, the other
 * commands from the recorded one, each with its intent. `recorded` is read, never changed.
 */
export async function drive(plan: Plan, recorded: StateDocument | null, intent: Intent, deps: EngineDeps, options: DriveOptions = {}): Promise<FinalStatus> {
  const started = deps.clock.now();
  let doc = recorded === null ? null : structuredClone(recorded);
  const emit: EmitInput = (input) => {
    // A measurement comes stamped whole (soak.ts): copying it to add three keys cost ~2 KB a poll.
    const event = 'runId' in input ? input : withRef({ ...input, time: isoTime(deps.clock.now()), runId: deps.runId } as RolloutEvent);
    if (event.type === 'run.started') doc = initialState(event);
    else if (doc !== null) applyEvent(doc, event);
    return deps.emit(event);
  };
  /** When each stage this drive works on started (its window check, or its renewed soak or pause), for durations. */
  const unitStart = new Map<string, number>();
  const stageOf = (ref: UnitRef): Stage => {
    const stage = plan.stages.find((s) => s.name === ref.stage);
    if (!stage) throw new Error(`stage ${ref.stage} is not in the plan`); // callers refuse such a run first (checkSamePlan, planStages)
    return stage;
  };

  const start = async (action: Action, memory: Drive): Promise<StepResult> => {
    switch (action.kind) {
      case 'start':
        await emit({
          type: 'run.started',
          plan: { name: plan.name, path: plan.path, sha256: plan.sha256, vars: plan.vars },
          stages: plan.stages.map((s) => s.name),
          ...fleetTargets(plan),
          ...(plan.targetsFrom === undefined ? {} : { inventory: plan.targets }),
        });
        return { update: (d) => ({ ...d, said: 'forward' }) };
      case 'announce':
        await emit({ type: 'run.resumed', mode: action.mode, stage: action.stage });
        return { update: (d) => ({ ...d, said: action.mode }) };
      case 'decide': {
        const { gate, decision } = action;
        await emit({ type: 'gate.decided', stage: gate.stage, index: gate.index, gateId: gate.id, ...decision });
        return { update: (d) => ({ ...d, said: d.said === 'nothing' ? 'decided' : d.said }) };
      }
      case 'deploy': {
        if (deps.signal.aborted) return interrupted;
        const stage = stageOf(action.ref);
        unitStart.set(stage.name, deps.clock.now());
        if (stage.fleet !== null) {
          const opened = await openFleetStage(plan, stage, deps, emit, options.overrideWindow ?? null);
          return opened === 'interrupted' ? interrupted : same;
        }
        const result = await deployUnit(plan, stage, deps, emit, options.overrideWindow ?? null, elapsed(stage));
        if (result === 'interrupted') return interrupted;
        return { update: (d) => (result === 'deployed' ? { ...d, deployed: [...d.deployed, stage.name] } : d) };
      }
      case 'soak': {
        // A signal is looked at before a unit's work starts; a unit this drive just deployed goes on to its soak, which stops at once.
        if (deps.signal.aborted && !memory.deployed.includes(action.ref.stage)) return interrupted;
        const stage = stageOf(action.ref);
        if (!unitStart.has(stage.name)) unitStart.set(stage.name, deps.clock.now());
        const soak = await soakUnit(plan, stage, deps, emit, elapsed(stage));
        if (soak.kind === 'interrupted') return interrupted;
        if (soak.kind === 'failed') return same;
        return settle(stage, soak.inconclusive);
      }
      case 'pause':
        if (deps.signal.aborted) return interrupted;
        return settle(stageOf(action.ref), action.inconclusive);
      case 'skip':
        for (const ref of action.refs) emit({ type: 'stage.skipped', stage: ref.stage, index: stageOf(ref).index });
        return same;
      case 'undo': {
        // A runner with a long grace period can ask for the deployed stages to be undone on cancel: only a second signal stops that.
        const outcome = await rollBack(plan, action.refs, action.hard ? { ...deps, signal: deps.hardSignal } : deps, emit);
        const undone: Undone = outcome.interrupted ? 'interrupted' : outcome.nothingToDo ? 'nothing' : outcome.ok ? 'ok' : 'failed';
        return { update: (d) => ({ ...d, undone }) };
      }
      case 'finish': {
        const { status, failure } = action;
        await emit({ type: 'run.finished', status, durationMs: Math.round(deps.clock.now() - started), failure, signal: interruptSignal(deps, status) });
        return { end: status };
      }
      case 'wait':
        return { end: 'paused' };
      case 'batch': {
        if (deps.signal.aborted) return interrupted;
        const stage = stageOf(action.ref);
        if (!unitStart.has(stage.name)) unitStart.set(stage.name, deps.clock.now());
        const names = fleetOf(stage).batches[action.batch - 1] ?? [];
        await emit({
          type: 'batch.started',
          stage: stage.name,
          index: stage.index,
          batch: action.batch,
          batches: fleetOf(stage).batches.length,
          targets: names,
        });
        return same;
      }
      case 'target': {
        if (deps.signal.aborted) return interrupted;
        const stage = stageOf(action.ref);
        const fleet = fleetOf(stage);
        const target = fleet.targets.find((t) => t.name === action.ref.target);
        if (!target) throw new Error(`target ${action.ref.target} is not in stage ${stage.name}`); // checkSamePlan refuses a changed plan first
        const turn = await targetTurn(plan, stage, fleet, target, deps, emit);
        return turn === 'interrupted' ? interrupted : same;
      }
      case 'target-undo': {
        const stage = stageOf(action.ref);
        const fleet = fleetOf(stage);
        const target = fleet.targets.find((t) => t.name === action.ref.target);
        if (target) await undoTarget(plan, stage, fleet, target, deps, emit);
        return deps.signal.aborted ? interrupted : same;
      }
      case 'bake': {
        if (deps.signal.aborted) return interrupted;
        const stage = stageOf(action.ref);
        const baked = await bakeBatch(plan, stage, fleetOf(stage), action.batch, () => doc?.stages[stage.index], deps, emit, elapsed(stage));
        return baked === 'interrupted' ? interrupted : same;
      }
      case 'fleet-pass': {
        if (deps.signal.aborted) return interrupted;
        const stage = stageOf(action.ref);
        await emit({ type: 'stage.passed', stage: stage.name, index: stage.index, durationMs: elapsed(stage)(), inconclusive: [] });
        return settle(stage, []);
      }
      case 'fleet-fail': {
        const stage = stageOf(action.ref);
        const failedTargets = failedNames(doc?.stages[stage.index]);
        await emit({
          type: 'stage.failed',
          stage: stage.name,
          index: stage.index,
          reason: action.reason,
          durationMs: elapsed(stage)(),
          check: null,
          value: null,
          failedTargets,
          budget: action.budget,
        });
        return same;
      }
      case 'retry':
        for (const ref of action.refs) await emit({ type: 'target.retrying', stage: ref.stage, index: stageOf(ref).index, target: ref.target as string });
        return { update: (d) => ({ ...d, retried: true }) };
    }
  };
  const fleetOf = (stage: Stage): Fleet => {
    if (stage.fleet === null) throw new Error(`stage ${stage.name} has no targets`); // next() offers fleet actions only for a stage with targets
    return stage.fleet;
  };

  /** A passed stage's pause and gate: settled when neither stops the run. */
  const settle = async (stage: Stage, inconclusive: string[]): Promise<StepResult> => {
    const after = await afterStage(plan, stage, inconclusive, deps, emit);
    if (after.kind === 'interrupted') return interrupted;
    return after.kind === 'go' ? { update: (d) => ({ ...d, settled: [...d.settled, stage.name] }) } : same;
  };
  const elapsed = (stage: Stage) => () => Math.round(deps.clock.now() - (unitStart.get(stage.name) ?? deps.clock.now()));

  let memory = newDrive(intent);
  // The actions under way, by key: a fleet's targets run side by side, everything else alone.
  const running = new Map<string, Promise<{ key: string; result: StepResult }>>();
  for (;;) {
    const actions = next(plan, doc, { ...memory, running: [...running.keys()] }, deps.clock.now());
    for (const action of actions) {
      const key = actionKey(action);
      if (running.has(key)) continue;
      running.set(
        key,
        start(action, memory).then((result) => ({ key, result })),
      );
    }
    // Nothing left to do: the run had ended before this drive (its status says how).
    if (running.size === 0) return (doc as StateDocument | null)?.status as FinalStatus;
    const { key, result } = await Promise.race(running.values());
    running.delete(key);
    // `next` offers an action that ends the drive only when nothing else runs.
    if ('end' in result) return result.end;
    memory = result.update(memory);
  }
}

/** Each fleet stage's batches of target names, for `run.started` (absent when no stage has targets). */
function fleetTargets(plan: Plan): { targets?: Record<string, string[][]> } {
  const fleets = plan.stages.filter((s) => s.fleet !== null);
  if (fleets.length === 0) return {};
  return { targets: Object.fromEntries(fleets.map((s) => [s.name, (s.fleet as Fleet).batches])) };
}

/** What tells two running actions apart: a target's unit key, or (for what runs alone) its kind. */
function actionKey(action: Action): string {
  return action.kind === 'target' || action.kind === 'target-undo' ? unitKey(action.ref) : `:${action.kind}`;
}

const same: StepResult = { update: (d) => d };
const interrupted: StepResult = { update: (d) => ({ ...d, interrupted: true }) };

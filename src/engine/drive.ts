import { isoTime } from '../clock.js';
import type { Plan, Stage } from '../plan/types.js';
import type { Action, Drive, FinalStatus, Intent, Undone } from '../run/actions.js';
import { newDrive } from '../run/actions.js';
import { next } from '../run/next.js';
import { applyEvent, initialState } from '../run/reduce.js';
import { type UnitRef, withRef } from '../run/ref.js';
import type { StateDocument } from '../state/document.js';
import { type EngineDeps, interruptSignal } from './deps.js';
import type { EmitInput, RolloutEvent } from './events.js';
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
        const stages = action.refs.map((ref) => plan.stages.find((s) => s.name === ref.stage)).filter((s) => s !== undefined);
        // A runner with a long grace period can ask for the deployed stages to be undone on cancel: only a second signal stops that.
        const outcome = await rollBack(plan, stages, action.hard ? { ...deps, signal: deps.hardSignal } : deps, emit);
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
    }
  };

  /** A passed stage's pause and gate: settled when neither stops the run. */
  const settle = async (stage: Stage, inconclusive: string[]): Promise<StepResult> => {
    const after = await afterStage(plan, stage, inconclusive, deps, emit);
    if (after.kind === 'interrupted') return interrupted;
    return after.kind === 'go' ? { update: (d) => ({ ...d, settled: [...d.settled, stage.name] }) } : same;
  };
  const elapsed = (stage: Stage) => () => Math.round(deps.clock.now() - (unitStart.get(stage.name) ?? deps.clock.now()));

  let memory = newDrive(intent);
  for (;;) {
    const actions = next(plan, doc, memory, deps.clock.now());
    // Nothing left to do: the run had ended before this drive (its status says how).
    if (actions.length === 0) return (doc as StateDocument | null)?.status as FinalStatus;
    // Today `next` offers one action at a time; several would start together, their updates applied in order.
    const outcomes = await Promise.all(actions.map((action) => start(action, memory)));
    for (const outcome of outcomes) {
      if ('end' in outcome) return outcome.end;
      memory = outcome.update(memory);
    }
  }
}

const same: StepResult = { update: (d) => d };
const interrupted: StepResult = { update: (d) => ({ ...d, interrupted: true }) };

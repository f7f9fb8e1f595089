/** A rollout's life across processes, in-process: plans, a fake exec and the state folded from events. */

import type { EngineDeps } from '../../src/engine/deps.js';
import { type DriveOptions, drive } from '../../src/engine/drive.js';
import type { RolloutEvent } from '../../src/engine/events.js';
import type { Approval, Plan, Stage } from '../../src/plan/types.js';
import type { Decision, Failure, FinalStatus, Intent } from '../../src/run/actions.js';
import { applyEvent, initialState } from '../../src/run/reduce.js';
import type { StateDocument } from '../../src/state/document.js';
import { VirtualClock } from './virtual-clock.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export const stage = (name: string, index: number, extra: Partial<Stage> = {}): Stage => ({
  name,
  index,
  deploy: `deploy ${name}`,
  rollback: `undo ${name}`,
  soakMs: 0,
  timeoutMs: MINUTE,
  checks: [],
  pauseMs: 0,
  approval: null,
  fleet: null,
  ...extra,
});

/** A normalised plan with every default as `rollout` applies it; tests override what they are about. */
export function testPlan(stages: Stage[], extra: Partial<Plan> = {}): Plan {
  return {
    version: 1,
    name: 'p',
    path: '/p/rollout.config.yml',
    dir: '/p',
    sha256: 'x',
    vars: {},
    onFailure: 'rollback',
    onInconclusive: 'fail',
    onInterrupt: 'stop',
    killGraceMs: 1000,
    rollback: null,
    rollbackTimeoutMs: MINUTE,
    statePath: '/p/.rollout/state.json',
    secrets: [],
    stages,
    targets: [],
    windows: null,
    ...extra,
  };
}

export function plan(canary: Partial<Stage>, half: Partial<Stage> = {}): Plan {
  return testPlan([stage('canary', 0, canary), stage('half', 1, half), stage('full', 2)]);
}

export const approval = (timeoutMs: number | null, onTimeout: Approval['onTimeout']): Approval => ({ timeoutMs, onTimeout, message: null });

/**
 * Engine dependencies for plans without checks, on `clock`: every event goes to `emit`, every
 * command to `exec` (exit 0 unless it says otherwise), `signal` is the run's interrupt.
 */
export function fakeDeps(clock: VirtualClock, parts: { exec?: EngineDeps['exec']; emit: EngineDeps['emit']; signal: AbortSignal; runId?: string }): EngineDeps {
  return {
    runId: parts.runId ?? 'r',
    clock,
    env: {},
    exec: parts.exec ?? (async () => ({ exitCode: 0, signal: null, timedOut: false, aborted: false })),
    measure: async () => {
      throw new Error('no checks in these plans');
    },
    emit: parts.emit,
    signal: parts.signal,
    hardSignal: new AbortController().signal,
    randomHex: seededHex(),
  };
}

/** Deterministic "random" hex for gate ids and nonces: a counter, so two gates never share one. */
export function seededHex(): (bytes: number) => string {
  let n = 0;
  return (bytes) =>
    (n++)
      .toString(16)
      .padStart(bytes * 2, '0')
      .slice(-bytes * 2);
}

/**
 * One run's life across processes, in-process: the engine's events folded into a state document as
 * the store does, on a virtual clock; `process()` is a new process (fresh signals) over the same state.
 */
export function harness(rolloutPlan: Plan, failing: string[] = []) {
  const clock = new VirtualClock();
  const events: RolloutEvent[] = [];
  const commands: string[] = [];
  let doc: StateDocument | null = null;
  const process = () => {
    const interrupt = new AbortController();
    const deps = fakeDeps(clock, {
      exec: async (spec) => {
        commands.push(spec.command);
        return { exitCode: failing.includes(spec.command) ? 1 : 0, signal: null, timedOut: false, aborted: false };
      },
      emit: (event) => {
        events.push(event);
        if (event.type === 'run.started') doc = initialState(event);
        if (doc) applyEvent(doc, event);
      },
      signal: interrupt.signal,
    });
    return { deps, interrupt };
  };
  const state = (): StateDocument => {
    if (!doc) throw new Error('no run yet');
    return doc;
  };
  const of = <T extends RolloutEvent['type']>(type: T) => events.filter((e): e is Extract<RolloutEvent, { type: T }> => e.type === type);
  const wait = (ms: number) => clock.runUntilSettled(clock.sleep(ms));
  return { plan: rolloutPlan, clock, events, commands, state, of, process, wait };
}

/** `rollout run`'s drive: the loop from no document, forward. */
export async function startRun(plan: Plan, deps: EngineDeps, options: DriveOptions = {}): Promise<{ status: FinalStatus; failure: Failure | null }> {
  let failure: Failure | null = null;
  const emit: EngineDeps['emit'] = (event) => {
    if (event.type === 'run.finished') failure = event.failure;
    return deps.emit(event);
  };
  return { status: await drive(plan, null, { kind: 'forward' }, { ...deps, emit }, options), failure };
}

/** `rollout resume` (no decision) or a gate's decision (`promote`/`abort`, the terminal's prompt): the loop from the recorded document. */
export function continueWith(plan: Plan, doc: StateDocument, deps: EngineDeps, decision?: Decision): Promise<FinalStatus> {
  const intent: Intent = decision && doc.gate ? { kind: 'decide', gateId: doc.gate.id, decision } : { kind: 'forward' };
  return drive(plan, doc, intent, deps);
}

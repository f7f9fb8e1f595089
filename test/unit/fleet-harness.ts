import type { EngineDeps } from '../../src/engine/deps.js';
import { drive } from '../../src/engine/drive.js';
import type { RolloutEvent } from '../../src/engine/events.js';
import type { Amount, Fleet, Plan, Stage } from '../../src/plan/types.js';
import type { FinalStatus, Intent } from '../../src/run/actions.js';
import { applyEvent, initialState } from '../../src/run/reduce.js';
import type { StateDocument } from '../../src/state/document.js';
import { fakeDeps, MINUTE, stage, testPlan } from './run-harness.js';
import { VirtualClock } from './virtual-clock.js';

/** A fleet stage as the loader makes it: targets t1…tN (attribute host), in `batches` of those names. */
export function fleetStage(name: string, index: number, batches: string[][], fleet: Partial<Fleet> = {}, extra: Partial<Stage> = {}): Stage {
  const names = batches.flat();
  return stage(name, index, {
    deploy: 'deploy',
    rollback: 'undo',
    fleet: {
      targets: names.map((n) => ({ name: n, attributes: { host: `${n}.internal` } })),
      batches,
      maxParallel: Math.max(...batches.map((b) => b.length)),
      bakeMs: 0,
      firstBakeMs: 0,
      budget: { perBatch: null, total: { count: 0 }, minHealthy: null },
      onBudgetExceeded: 'rollback-all',
      onTargetFailure: 'rollback',
      verify: null,
      targetChecks: {},
      fleetChecks: [],
      ...fleet,
    },
    ...extra,
  });
}

export const count = (n: number): Amount => ({ count: n });
export const percent = (n: number): Amount => ({ percent: n });

/**
 * A run of a plan with fleets, in-process on a virtual clock. Commands are recorded as
 * `command@target` (`command` for a stage without targets); those in `failing` exit 1; each
 * takes `commandMs` of virtual time, so targets overlap and `maxConcurrent` counts how many ran at once.
 */
export function fleetHarness(stages: Stage[], opts: { failing?: string[]; commandMs?: number; plan?: Partial<Plan> } = {}) {
  const plan = testPlan(stages, opts.plan);
  const clock = new VirtualClock();
  const events: RolloutEvent[] = [];
  const commands: string[] = [];
  const running = new Set<string>();
  let maxConcurrent = 0;
  let doc: StateDocument | null = null;
  const process = () => {
    const interrupt = new AbortController();
    const deps: EngineDeps = fakeDeps(clock, {
      exec: async (spec) => {
        const who = spec.env.ROLLOUT_TARGET ? `${spec.command}@${spec.env.ROLLOUT_TARGET}` : spec.command;
        commands.push(who);
        running.add(who);
        maxConcurrent = Math.max(maxConcurrent, running.size);
        await clock.sleep(opts.commandMs ?? 1000, spec.signal);
        running.delete(who);
        if (spec.signal?.aborted) return { exitCode: null, signal: 'SIGTERM', timedOut: false, aborted: true };
        return { exitCode: (opts.failing ?? []).includes(who) ? 1 : 0, signal: null, timedOut: false, aborted: false };
      },
      emit: (event) => {
        events.push(event);
        if (event.type === 'run.started') doc = initialState(event);
        else if (doc) applyEvent(doc, event);
      },
      signal: interrupt.signal,
    });
    return { deps, interrupt };
  };
  const state = (): StateDocument => {
    if (!doc) throw new Error('no run yet');
    return doc;
  };
  /** The loop, started but not driven: the test moves the clock (`run` drives it to its end). */
  const begin = (intent: Intent = { kind: 'forward' }, p = process()): Promise<FinalStatus> =>
    drive(plan, doc === null ? null : structuredClone(doc), intent, p.deps);
  const run = (intent: Intent = { kind: 'forward' }, p = process()): Promise<FinalStatus> => clock.runUntilSettled(begin(intent, p));
  const of = <T extends RolloutEvent['type']>(type: T) => events.filter((e): e is Extract<RolloutEvent, { type: T }> => e.type === type);
  const targets = (stageName: string) => Object.fromEntries((state().stages.find((s) => s.name === stageName)?.targets ?? []).map((t) => [t.name, t.status]));
  return { plan, clock, events, commands, state, of, process, begin, run, targets, maxConcurrent: () => maxConcurrent, MINUTE };
}

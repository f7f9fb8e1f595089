import type { Plan } from '../plan/types.js';
import type { StateDocument } from '../state/document.js';
import { type EngineDeps, eventEmitter } from './deps.js';
import { type Decision, type NextStep, nextStep, stepAfterDecision, timeoutDecision } from './next-step.js';
import { rollBackRun } from './rollback.js';
import { type FinalStatus, type RunOptions, runRollout } from './run-rollout.js';

export interface ContinueOptions extends RunOptions {
  /** A person's decision on the gate the run waits at (already checked by the caller: open, not expired). */
  decision?: Decision;
}

/**
 * Continues a recorded run from where `nextStep` says it is: forward from a stage, a rollback that
 * was cut short, or a gate — a person's decision, or an expired gate's `onTimeout` (recorded as
 * decided by `timeout`). A gate still waiting with no decision leaves the run as it is (`paused`).
 * `doc` is the run's state as recorded; it is read, never changed here.
 */
export async function continueRun(plan: Plan, doc: StateDocument, deps: EngineDeps, options: ContinueOptions = {}): Promise<FinalStatus> {
  const emit = eventEmitter(deps);
  let step: NextStep = nextStep(doc, deps.clock.now());
  const fromGate = step.kind === 'gate-waiting' || step.kind === 'gate-expired';
  if (step.kind === 'gate-waiting' || step.kind === 'gate-expired') {
    const { gate } = step;
    // An expired gate cannot be promoted (callers refuse first); a person may still abort it.
    const expired = step.kind === 'gate-expired';
    const decision = expired && options.decision?.decision !== 'abort' ? timeoutDecision(gate) : options.decision;
    if (!decision) return 'paused';
    await emit({ type: 'gate.decided', stage: gate.stage, index: gate.index, gateId: gate.id, ...decision });
    step = stepAfterDecision(doc, gate, decision);
  }
  const stages = (indexes: number[]) => indexes.map((index) => plan.stages[index]).filter((stage) => stage !== undefined);
  switch (step.kind) {
    case 'start-stage':
    case 'resoak':
    case 'repause': {
      const from = step.kind === 'start-stage' ? 'window' : step.kind === 'resoak' ? 'soak' : 'pause';
      const inconclusive = doc.stages[step.stageIndex]?.health.inconclusive ?? [];
      const resume = { stageIndex: step.stageIndex, from, deployed: stages(step.deployed), inconclusive } as const;
      return (await runRollout(plan, deps, resume, options)).status;
    }
    case 'rollback':
      // Decided at a gate just now, the rollback is the run going on; otherwise this resumes one that was cut short.
      return rollBackRun(plan, stages(step.deployed), step.failure, deps, !fromGate);
    case 'fail':
      await emit({ type: 'run.finished', status: 'failed', durationMs: 0, failure: step.failure, signal: null });
      return 'failed';
    case 'gate-waiting':
    case 'gate-expired':
      return 'paused'; // a decision is followed by a step that is not a gate
    case 'done':
      return step.status;
  }
}

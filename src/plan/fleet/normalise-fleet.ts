import { parseDuration } from '../duration.js';
import { fleetChecks, type Problem, stageChecks } from '../normalise-checks.js';
import { dotted } from '../problems.js';
import type { RawPlan, RawStage } from '../schema.js';
import { substitute } from '../substitute.js';
import type { Check, Fleet, OnFailure, Target, Verify } from '../types.js';
import { amountOf, parseAmount, showAmount } from './amount.js';
import { computeBatches } from './batches.js';
import { FLEET_KEYS } from './schema.js';

interface FleetInputs {
  raw: RawPlan;
  dir: string;
  vars: Record<string, string>;
  env: Readonly<Record<string, string | undefined>>;
  problem: (problem: Problem) => void;
  onFailure: OnFailure;
}

/** The keys only a stage with `targets:` has, each a problem on a stage without: it is one unit, with nothing to batch. */
export function fleetKeysWithoutTargets(stage: RawStage, index: number, problem: (p: Problem) => void): void {
  if (stage.targets !== undefined) return;
  for (const key of FLEET_KEYS) {
    if (stage[key] === undefined) continue;
    problem({ path: ['stages', index, key], message: `only a stage with \`targets:\` has ${key}; without targets the stage is one unit` });
  }
}

/**
 * A stage with `targets:` as the engine runs it: batches, parallelism, bakes, budget, verify, and
 * each target's checks filled in. `targets` is what selection chose (empty after a selection problem).
 */
export function normaliseFleet(stage: RawStage, index: number, targets: Target[], timeoutMs: number, inputs: FleetInputs): { fleet: Fleet; checks: Check[] } {
  const at = (...key: (string | number)[]) => ['stages', index, ...key];
  const ms = (value: string | number | undefined, fallback: number) => (value === undefined ? fallback : (parseDuration(value) ?? fallback));
  const entries = stage.batch === undefined ? [] : (Array.isArray(stage.batch) ? stage.batch : [stage.batch]).map(parseAmount);
  const batches = computeBatches(
    targets.map((t) => t.name),
    entries,
  );
  const largest = Math.max(1, ...batches.map((b) => b.length));
  const bakeMs = ms(stage.bake, 0);
  const budget = {
    perBatch: stage.failureBudget?.perBatch === undefined ? null : parseAmount(stage.failureBudget.perBatch),
    total: parseAmount(stage.failureBudget?.total ?? 0),
    minHealthy: stage.failureBudget?.minHealthy === undefined ? null : parseAmount(stage.failureBudget.minHealthy),
  };
  if (budget.minHealthy !== null && targets.length > 0) {
    const fewest = amountOf(budget.minHealthy, targets.length, 'up');
    const path = at('failureBudget', 'minHealthy');
    const of = `minHealthy ${showAmount(budget.minHealthy)} of ${targets.length} target${targets.length === 1 ? '' : 's'}`;
    if (fewest > targets.length) inputs.problem({ path, message: `${of} is more than the stage has` });
    else if (targets.length - largest < fewest)
      inputs.problem({
        path,
        message: `${of} is ${fewest}: no batch of ${largest} could ever start (${targets.length} − ${largest} healthy while it deploys is fewer than ${fewest})`,
      });
  }

  // The unexpanded list is what `plan` shows; its problems are each target's, reported once per key below.
  const checkInputs = { raw: inputs.raw, dir: inputs.dir, vars: inputs.vars, env: inputs.env };
  const checks = stageChecks(stage, index, { ...checkInputs, problem: targets.length === 0 ? inputs.problem : () => undefined }, 'unexpanded');
  const targetChecks: Record<string, Check[]> = {};
  const reported = new Set<string>();
  for (const target of targets) {
    const seenHere = new Set<string>();
    const problem = (p: Problem) => {
      const key = dotted(p.path);
      if (reported.has(key)) return;
      seenHere.add(key);
      inputs.problem(p);
    };
    targetChecks[target.name] = stageChecks(stage, index, { ...checkInputs, problem }, { target });
    for (const key of seenHere) reported.add(key);
  }

  return {
    checks,
    fleet: {
      targets,
      batches,
      maxParallel: stage.maxParallel ?? largest,
      bakeMs,
      firstBakeMs: ms(stage.firstBake, bakeMs),
      budget,
      onBudgetExceeded: stage.onBudgetExceeded ?? (inputs.onFailure === 'stop' ? 'stop' : 'rollback-all'),
      onTargetFailure: stage.onTargetFailure ?? 'rollback',
      verify: verifyOf(stage.verify, timeoutMs, ms, (text) =>
        substitute(text, { vars: inputs.vars, env: inputs.env, stage: { name: stage.name, index } }, (message) =>
          inputs.problem({ path: at('verify', 'expect'), message }),
        ),
      ),
      targetChecks,
      fleetChecks: fleetChecks(stage, index, { ...checkInputs, problem: inputs.problem }),
    },
  };
}

/** `expect` may name the version as `${vars.version}`: compared with text, never run. */
function verifyOf(
  raw: RawStage['verify'],
  timeoutMs: number,
  ms: (value: string | number | undefined, fallback: number) => number,
  fill: (text: string) => string,
): Verify | null {
  if (raw === undefined) return null;
  if (typeof raw === 'string') return { command: raw, expect: null, timeoutMs };
  return { command: raw.run, expect: raw.expect === undefined ? null : fill(raw.expect).trim(), timeoutMs: ms(raw.timeout, timeoutMs) };
}

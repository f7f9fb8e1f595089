import type { ChalkInstance } from 'chalk';
import { formatDuration } from '../plan/duration.js';
import { amountOf } from '../plan/fleet/amount.js';
import { describeBake, describeBudget, fleetBestCaseMs, showBatch } from '../plan/fleet/describe.js';
import type { Check, Fleet, Stage } from '../plan/types.js';

/** Batches listed one per line up to this many; past it, the first ones and the last one. */
const MAX_BATCH_LINES = 10;

/** A fleet stage in `rollout plan`: its targets, batches, parallelism, bake, budget and least time. */
export function renderFleet(stage: Stage & { fleet: Fleet }, c: ChalkInstance, describeCheck: (check: Check) => string): string[] {
  const { fleet } = stage;
  const d = formatDuration;
  const n = fleet.targets.length;
  const count = fleet.batches.length;
  const lines = [`   targets:  ${n} in ${count} batch${count === 1 ? '' : 'es'}, up to ${fleet.maxParallel} deploying at once (maxParallel)`];
  const shown =
    count <= MAX_BATCH_LINES ? fleet.batches.map((b, i) => [b, i] as const) : [...fleet.batches.slice(0, MAX_BATCH_LINES - 2).map((b, i) => [b, i] as const)];
  for (const [batch, i] of shown) lines.push(`   batch ${i + 1}:${' '.repeat(Math.max(1, 3 - String(i + 1).length))}${showBatch(batch)}`);
  if (count > MAX_BATCH_LINES) {
    lines.push(c.dim(`   … ${count - MAX_BATCH_LINES + 1} more batches …`));
    lines.push(`   batch ${count}: ${showBatch(fleet.batches.at(-1) ?? [])}`);
  }
  if (fleet.verify)
    lines.push(
      `   verify:   ${fleet.verify.command}  ${fleet.verify.expect === null ? 'exit 0' : `prints ${JSON.stringify(fleet.verify.expect)}`}, timeout ${d(fleet.verify.timeoutMs)}`,
    );
  for (const check of stage.checks) lines.push(`   check per target ${describeCheck(check)}`);
  lines.push(`   bake:     ${describeBake(fleet)}`);
  for (const check of fleet.fleetChecks) lines.push(`   fleet check during each bake ${describeCheck(check)}`);
  const budget = describeBudget(fleet);
  lines.push(`   budget:   ${budget.total}`);
  if (budget.perBatch) lines.push(`             per batch: ${budget.perBatch}`);
  if (budget.minHealthy) lines.push(`             minHealthy: ${budget.minHealthy}`);
  lines.push(`             when exceeded: ${budget.onExceeded}`);
  lines.push(`   a failed target: ${fleet.onTargetFailure === 'rollback' ? 'rolled back at once' : 'kept as it is (onTargetFailure: keep)'}`);
  lines.push(
    `   at best:  ${d(fleetBestCaseMs(fleet, stage.soakMs))}: per batch, ceil(targets / ${fleet.maxParallel}) × soak ${d(stage.soakMs)}, then the bake; commands taken as instant`,
  );
  return lines;
}

/** A fleet stage in `plan --json`: every default applied, budgets both as written and resolved. */
export function fleetDocument(fleet: Fleet, soakMs: number, checkDocument: (check: Check) => unknown) {
  const n = fleet.targets.length;
  const { perBatch, total, minHealthy } = fleet.budget;
  return {
    targets: fleet.targets.map((t) => t.name),
    batches: fleet.batches,
    maxParallel: fleet.maxParallel,
    bakeMs: fleet.bakeMs,
    firstBakeMs: fleet.firstBakeMs,
    budget: {
      perBatch,
      total,
      minHealthy,
      /** Failures tolerated over the stage; exceeded on the next. */
      totalTolerated: amountOf(total, n, 'down'),
      /** The fewest healthy targets (null: no rule). */
      minHealthyTargets: minHealthy === null ? null : amountOf(minHealthy, n, 'up'),
    },
    onBudgetExceeded: fleet.onBudgetExceeded,
    onTargetFailure: fleet.onTargetFailure,
    verify: fleet.verify,
    targetChecks: Object.fromEntries(Object.entries(fleet.targetChecks).map(([name, checks]) => [name, checks.map(checkDocument)])),
    fleetChecks: fleet.fleetChecks.map(checkDocument),
    /** Per batch: ceil(batch / maxParallel) × soak, plus the bake; commands taken as instant. */
    bestCaseMs: fleetBestCaseMs(fleet, soakMs),
  };
}

import { relative } from 'node:path';
import type { Context } from '../context.js';
import { escapeControl } from '../output/escape-control.js';
import { formatDuration } from '../plan/duration.js';
import { fleetBestCaseMs, showBatch } from '../plan/fleet/describe.js';
import { displayPath, loadPlan } from '../plan/load.js';
import { checkSampling } from '../plan/sampling.js';
import type { Plan } from '../plan/types.js';
import { parseVarFlags } from '../plan/vars.js';

export interface ValidateOptions {
  config?: string;
  var?: string[];
}

/** `rollout validate`: load the plan exactly as `run` would; print a one-line summary. */
export async function validate(options: ValidateOptions, ctx: Context): Promise<number> {
  const plan = await loadPlan({ cwd: ctx.cwd, config: options.config, env: ctx.env, signal: ctx.signal, vars: parseVarFlags(options.var ?? []) });
  const checks = plan.stages.reduce((sum, stage) => sum + stage.checks.length, 0);
  // A fleet stage soaks batch after batch and bakes between them: its least time (fleet/describe.ts), not one soak.
  const soak = plan.stages.reduce((sum, stage) => sum + (stage.fleet ? fleetBestCaseMs(stage.fleet, stage.soakMs) : stage.soakMs), 0);
  const baked = plan.stages.some((s) => s.fleet !== null);
  const c = ctx.term.color;
  ctx.term.out.write(
    `${c.green('✓')} ${escapeControl(
      `${displayPath(ctx.cwd, plan.path)}: plan "${plan.name}" is valid: ` +
        `${plan.stages.length} stage${plan.stages.length === 1 ? '' : 's'} (${plan.stages.map((s) => s.name).join(' → ')}), ` +
        targets(plan) +
        `${checks} health check${checks === 1 ? '' : 's'}, ${formatDuration(soak)} of soak${baked ? ' and bake at least' : ''}, ` +
        stops(plan)
          .map((part) => `${part}, `)
          .join('') +
        `state ${relative(ctx.cwd, plan.statePath) || plan.statePath}`,
    )}\n`,
  );
  const unselected = unselectedTargets(plan);
  if (unselected.length > 0)
    ctx.term.err.write(
      `${c.yellow('warning')}: ${escapeControl(`no stage selects target${unselected.length === 1 ? '' : 's'} ${showBatch(unselected)}`)}: ${unselected.length === 1 ? 'it is' : 'they are'} never deployed (\`targets: "*"\` on a stage takes the rest)\n`,
    );
  // Valid, but a check that cannot gather enough measurements in its soak can never pass.
  for (const stage of plan.stages)
    for (const check of stage.checks)
      for (const warning of checkSampling(check, stage.soakMs).warnings)
        ctx.term.err.write(`${c.yellow('warning')}: ${stage.name}: check ${check.name}: ${warning}\n`);
  return 0;
}

/** Targets the plan names that no stage deploys: often a stage's list or match that misses some. */
function unselectedTargets(plan: Plan): string[] {
  const selected = new Set(plan.stages.flatMap((s) => s.fleet?.targets.map((t) => t.name) ?? []));
  return plan.targets.filter((t) => !selected.has(t.name)).map((t) => t.name);
}

/** `12 targets in 3 batches over 2 stages, `: what the fleet stages deploy to (nothing without targets). */
function targets(plan: Plan): string {
  const fleets = plan.stages.flatMap((s) => (s.fleet ? [s.fleet] : []));
  if (fleets.length === 0) return '';
  const count = fleets.reduce((sum, f) => sum + f.targets.length, 0);
  const batches = fleets.reduce((sum, f) => sum + f.batches.length, 0);
  return `${count} target${count === 1 ? '' : 's'} in ${batches} batch${batches === 1 ? '' : 'es'} over ${fleets.length} stage${fleets.length === 1 ? '' : 's'}, `;
}

/** Where a run may stop or wait before it succeeds: pauses, approval gates (the last one a final sign-off) and deploy windows. */
function stops(plan: Plan): string[] {
  const parts: string[] = [];
  const paused = plan.stages.filter((s) => s.pauseMs > 0);
  if (paused.length > 0) parts.push(`pause after ${paused.map((s) => `${s.name} (${formatDuration(s.pauseMs)})`).join(', ')}`);
  const gated = plan.stages.filter((s) => s.approval !== null);
  if (gated.length > 0) {
    const last = plan.stages.at(-1);
    parts.push(`approval after ${gated.map((s) => (s === last ? `${s.name} (final sign-off)` : s.name)).join(', ')}`);
  }
  if (plan.onInconclusive === 'pause') parts.push('a gate when checks are inconclusive');
  if (plan.windows) parts.push(`deploy windows (${plan.windows.timezone}, when blocked: ${plan.windows.onBlocked})`);
  return parts;
}

import { checkKind } from '../checks/registry.js';
import type { Context } from '../context.js';
import { soakCheck } from '../engine/soak.js';
import { escapeControlDeep } from '../output/escape-control.js';
import { formatDuration } from '../plan/duration.js';
import { displayPath, loadPlan } from '../plan/load.js';
import { redactHeaders, redactValue } from '../plan/redact.js';
import { planTimeline, type Timeline } from '../plan/timeline.js';
import type { Approval, Check, Plan } from '../plan/types.js';
import { parseVarFlags } from '../plan/vars.js';
import { describeWindows, type WindowsSummary } from '../windows/describe.js';
import { fleetDocument, renderFleet } from './plan-fleet.js';

export interface PlanOptions {
  config?: string;
  var?: string[];
  json?: boolean;
}

/** `rollout plan`: the normalised plan as the engine will run it, and its timeline. Runs nothing. */
export async function plan(options: PlanOptions, ctx: Context): Promise<number> {
  const loaded = await loadPlan({ cwd: ctx.cwd, config: options.config, env: ctx.env, signal: ctx.signal, vars: parseVarFlags(options.var ?? []) });
  const timeline = planTimeline(loaded);
  const windows = loaded.windows ? describeWindows(loaded.windows, ctx.clock.now()) : null;
  if (options.json) ctx.term.out.write(`${JSON.stringify({ ...planDocument(loaded, timeline), windows }, null, 2)}\n`);
  else
    ctx.term.out.write(
      `${renderPlan(escapeControlDeep(loaded), escapeControlDeep(timeline), ctx)}${windows ? `\n\n${renderWindows(escapeControlDeep(windows), ctx)}` : ''}\n`,
    );
  return 0;
}

/** The plan as JSON: every default applied, durations in ms, secrets left out. */
export function planDocument(p: Plan, timeline: Timeline) {
  return {
    name: p.name,
    path: p.path,
    statePath: p.statePath,
    onFailure: p.onFailure,
    onInterrupt: p.onInterrupt,
    onInconclusive: p.onInconclusive,
    rollback: p.rollback,
    rollbackTimeoutMs: p.rollbackTimeoutMs,
    vars: Object.fromEntries(Object.entries(p.vars).map(([name, value]) => [name, redactValue(name, value)])),
    stages: p.stages.map((s) => ({
      name: s.name,
      index: s.index,
      deploy: s.deploy,
      rollback: s.rollback,
      timeoutMs: s.timeoutMs,
      soakMs: s.soakMs,
      health: s.checks.map(checkDocument),
      /** Wait after the stage passed, before the next one (0: none). */
      pauseMs: s.pauseMs,
      /** The gate after this stage (on the last stage: the sign-off before the run counts as succeeded), or null. */
      approval: s.approval,
      /** A stage with targets: its batches, budget and each target's checks (absent: the stage is one unit). */
      ...(s.fleet ? { fleet: fleetDocument(s.fleet, s.soakMs, checkDocument) } : {}),
    })),
    // Attributes whose names look secret are shown as vars are: `***`.
    ...(p.targets.length > 0
      ? {
          targets: p.targets.map((t) => ({
            name: t.name,
            attributes: Object.fromEntries(Object.entries(t.attributes).map(([k, v]) => [k, redactValue(k, v)])),
          })),
        }
      : {}),
    ...(p.targetsFrom !== undefined ? { targetsFrom: p.targetsFrom } : {}),
    notify: (p.notify ?? []).map((h) => ({ url: h.displayUrl, events: h.events, timeoutMs: h.timeoutMs, headers: redactHeaders(h.headers) })),
    timeline,
  };
}

function renderPlan(p: Plan, timeline: Timeline, ctx: Context): string {
  const c = ctx.term.color;
  const d = formatDuration;
  const lines = [
    `${c.bold(p.name)} (${displayPath(ctx.cwd, p.path)}): ${p.stages.length} stage${p.stages.length === 1 ? '' : 's'}, on failure: ${p.onFailure}` +
      (p.rollback ? ` with the plan's rollback: ${p.rollback}` : '') +
      (p.onInconclusive === 'pause' ? ', an inconclusive stage pauses at a gate' : ''),
  ];
  for (const [name, value] of Object.entries(p.vars)) lines.push(`  var ${name} = ${redactValue(name, value)}`);
  if (p.targetsFrom !== undefined) lines.push(`  targets from: ${p.targetsFrom} (${p.targets.length} listed now)`);
  for (const stage of p.stages) {
    lines.push('', `${stage.index + 1}. ${c.bold.cyan(stage.name)}  soak ${d(stage.soakMs)}, command timeout ${d(stage.timeoutMs)}`);
    lines.push(`   deploy:   ${stage.deploy}`);
    lines.push(`   rollback: ${p.rollback !== null ? "(the plan's rollback)" : (stage.rollback ?? c.dim('none'))}`);
    if (stage.fleet) lines.push(...renderFleet({ ...stage, fleet: stage.fleet }, c, describeCheck));
    else for (const check of stage.checks) lines.push(`   check ${describeCheck(check)}`);
    if (stage.pauseMs > 0) lines.push(`   pause:    ${d(stage.pauseMs)} before the next stage`);
    if (stage.approval) lines.push(`   approval: ${describeApproval(stage.approval, p.stages[stage.index + 1]?.name ?? null)}`);
  }
  const baked = p.stages.some((s) => s.fleet !== null && (s.fleet.bakeMs > 0 || s.fleet.firstBakeMs > 0));
  lines.push(
    '',
    c.bold('Timeline'),
    `  shortest time to full rollout: ${d(timeline.shortestMs)} of soak${baked ? ' and bake' : ''}, plus the deploy commands' own time`,
  );
  for (const t of timeline.stages) {
    const fleet = p.stages.find((s) => s.name === t.stage)?.fleet ?? null;
    if (t.detectMs === null) {
      const fails = fleet ? `only a failing deploy${fleet.verify ? ' or verify' : ''} fails a target` : 'only a failing deploy fails it';
      lines.push(`  ${t.stage}: ${t.checks.length === 0 ? 'no health checks' : 'only dryRun checks'}; ${fails}`);
      continue;
    }
    const warning = t.soakShorterThanDetect ? c.yellow(` (longer than its ${d(t.soakMs)} soak: a failure that starts late may go unnoticed)`) : '';
    const onTarget = fleet ? ' on a target' : '';
    lines.push(`  ${t.stage}: a failure${onTarget} is detected within ${d(t.detectMs)} at worst (${t.slowestCheck})${warning}`);
    for (const check of t.checks) {
      const detect = check.detectMs === null ? 'dryRun, never decides' : `within ${d(check.detectMs)}`;
      const points = check.points ? `, ${check.points.points} points per side` : '';
      lines.push(`    ${check.name}: ${detect}; ${check.measurements} measurement${check.measurements === 1 ? '' : 's'} by the soak's end${points}`);
      for (const warning of check.warnings) lines.push(c.yellow(`    warning: ${check.name}: ${warning}`));
    }
    if (t.sharedEntryPoint !== null)
      lines.push(
        c.yellow(
          `    warning: ${t.stage} only watches ${t.sharedEntryPoint}, which every stage watches; if it reaches the new slice only some of the time, failures there may go unseen. Add a check that reaches ${t.stage} directly.`,
        ),
      );
  }
  if (timeline.stages.some((t) => t.detectMs !== null))
    lines.push(c.dim('  These bounds hold for failures that every measurement sees; a failure that only some requests hit may take longer, or go unseen.'));
  for (const hook of p.notify ?? []) lines.push('', `notify ${hook.displayUrl}: ${hook.events.join(', ')}`);
  return lines.join('\n');
}

function renderWindows(w: WindowsSummary, ctx: Context): string {
  const c = ctx.term.color;
  const lines = [
    `${c.bold('Deploy windows')} (${w.timezone}; checked as each stage starts; when blocked: ${w.onBlocked}${w.maxWaitMs !== null ? ` up to ${formatDuration(w.maxWaitMs)}` : ''})`,
  ];
  for (const rule of w.allow) lines.push(`  allow ${rule}`);
  for (const rule of w.deny) lines.push(`  deny  ${rule}`);
  lines.push(
    w.openNow
      ? `  open now (${w.now})`
      : `  closed now (${w.now}): ${w.blockedBy}; ${w.nextOpen ? `next allowed ${w.nextOpen}` : 'no allowed time within a year'}`,
  );
  return lines.join('\n');
}

/** `a person promotes or aborts before full (gate open 1h, then abort): "check the dashboards"`. */
function describeApproval(approval: Approval, next: string | null): string {
  const before = next === null ? 'before the run counts as succeeded (a final sign-off)' : `before ${next}`;
  const open = approval.timeoutMs === null ? '' : ` (gate open ${formatDuration(approval.timeoutMs)}, then ${approval.onTimeout})`;
  return `a person promotes or aborts ${before}${open}${approval.message === null ? '' : `: ${approval.message}`}`;
}

/** One check as `plan --json` shows it: what `soak.started` announces, plus its timeouts and what its kind shows. */
function checkDocument(check: Check) {
  const { url: _announced, ...settings } = soakCheck(check); // `url` is the event's old name for the description
  return {
    ...settings,
    description: check.description,
    ...(checkKind(check.kind).show?.(check.spec) ?? {}),
    timeoutMs: check.timeoutMs,
    maxConsecutiveErrors: check.maxConsecutiveErrors,
  };
}

/** `smoke: run: ./smoke.sh  every 5s, timeout 2s, fails after 3 in a row, pass: result < 0.01`. */
function describeCheck(check: Check): string {
  const d = formatDuration;
  const label = check.name === check.entryPoint ? check.description : `${check.name}: ${check.description}`;
  const rules = [`every ${d(check.intervalMs)}`, `timeout ${d(check.timeoutMs)}`, `fails after ${check.failureThreshold} in a row`];
  if (check.maxFailures !== null) rules.push(`or ${check.maxFailures + 1} in all`);
  if (check.initialDelayMs > 0) rules.push(`first after ${d(check.initialDelayMs)}`);
  if (check.minSamples > 1) rules.push(`needs ${check.minSamples} samples`);
  if (check.pass !== null) rules.push(`pass: ${check.pass}`);
  if (check.fail !== null) rules.push(`fail: ${check.fail}`);
  if (check.dryRun) rules.push('dryRun (never decides)');
  return `${label}  ${rules.join(', ')}`;
}

import type { StateDocument } from '../state/document.js';
import { addPoint, type CheckDefinition, type CheckSeries, newSeries, type Outcome, type PolledRecord } from './check-series.js';
import { chartedTargets, fleetViews } from './fleet-model.js';
import { FleetSpans } from './fleet-spans.js';
import { foldRecords } from './fold-records.js';
import { laneStatus, planRollbackStatus } from './lanes.js';
import type { Bar, CommandRow, Lane, LaneStatus, ReportModel } from './model.js';
import type { LogRecord } from './records.js';

const PLAN_ROLLBACK = 'rollback (plan)';

/**
 * Folds a run's records into what the page shows. Tolerant by design: a log cut short by a crash,
 * or records of types it does not know (newer versions), still give a report of what is there.
 * Where each stage and target ended up is the folded document's word (fold-records.ts); the
 * records add when each step ran, the measurements and the commands' output.
 */
export function buildModel(records: LogRecord[]): ReportModel {
  const first = records.find((r) => r.type === 'run.started');
  if (first?.type !== 'run.started') throw new Error('the event log has no run.started record');
  const doc = foldRecords(records);
  // A fleet stage's targets are drawn in their own lanes; only some failed ones get charts.
  const fleetStage = (index: number | null) => index !== null && doc?.stages[index]?.targets !== undefined;
  const charted = doc ? chartedTargets(doc) : new Set<string>();
  const spans = new FleetSpans(first.stages);
  const time = (r: { time: string }) => Date.parse(r.time);
  const model: ReportModel = {
    runId: first.runId,
    plan: first.plan,
    status: 'unfinished',
    startedAt: time(first),
    endedAt: time(first),
    finished: false,
    failure: null,
    openings: [],
    lanes: first.stages.map((name): Lane => ({ name, status: 'pending', failed: false })),
    bars: [],
    markers: [],
    checks: [],
    commands: [],
    fleets: [],
    notes: [],
  };
  const series = new Map<string, CheckSeries>();
  const openBars = new Map<string, Bar>();
  const open = (key: string, bar: Omit<Bar, 'end' | 'state'>) => {
    const started = { ...bar, end: bar.start, state: 'open' as const };
    model.bars.push(started);
    openBars.set(key, started);
  };
  const close = (key: string, at: number, ok: boolean) => {
    const bar = openBars.get(key);
    openBars.delete(key);
    if (bar) Object.assign(bar, { end: at, state: ok ? 'ok' : 'failed' });
  };
  const laneOf = (stage: string | null, index: number | null) => {
    if (stage !== null && index !== null) return index;
    let lane = model.lanes.findIndex((l) => l.name === PLAN_ROLLBACK);
    if (lane === -1) lane = model.lanes.push({ name: PLAN_ROLLBACK, status: 'running', failed: false }) - 1;
    return lane;
  };
  const setStatus = (index: number | null, status: LaneStatus) => {
    const lane = index === null ? undefined : model.lanes[index];
    if (lane) lane.status = status;
  };

  const verdicts = new Map<string, Outcome>();
  for (const record of records) {
    const at = time(record);
    const loose = record as unknown as { type: string; index?: number; check?: string; verdict?: Outcome; target?: unknown };
    // Set on records about one target of a fleet stage: they change its lane, never the stage's bars.
    const target = typeof loose.target === 'string' ? loose.target : null;
    const seriesKey = (index: number, check: string) => `${index}\0${target ?? ''}\0${check}`;
    const chartedHere = (index: number) => target === null || charted.has(`${index}\0${target}`);
    if (loose.type === 'check.finished' && loose.verdict) verdicts.set(seriesKey(loose.index ?? -1, loose.check ?? ''), loose.verdict);
    spans.take(record, at);
    // A warning (a webhook given up on while draining) is said after the run's end: not part of its time.
    if (Number.isFinite(at) && loose.type !== 'warning') model.endedAt = Math.max(model.endedAt, at);
    switch (record.type) {
      case 'warning':
        model.notes.push(`Warning: ${record.message}`);
        break;
      case 'log.opened':
        model.openings.push(record);
        break;
      case 'run.resumed':
        model.markers.push({ time: at, kind: 'resume', label: `resumed (${record.mode === 'forward' ? 'continuing' : 'finishing the rollback'})` });
        break;
      case 'stage.started':
        setStatus(record.index, 'running');
        break;
      case 'window.waiting':
        open(`gate ${record.index}`, { lane: record.index, kind: 'gate', start: at, label: 'waiting for window' });
        break;
      case 'window.overridden':
        model.markers.push({ time: at, kind: 'override', label: `${record.stage}: deploy window overridden by ${record.by}: ${record.reason}` });
        break;
      case 'stage.blocked':
        close(`gate ${record.index}`, at, false);
        setStatus(record.index, 'blocked');
        model.markers.push({ time: at, kind: 'blocked', label: `${record.stage} blocked: ${record.message}` });
        break;
      case 'deploy.started':
        close(`gate ${record.index}`, at, true);
        if (target === null) open(`deploy ${record.index}`, { lane: record.index, kind: 'deploy', start: at, label: 'deploy' });
        model.commands.push({ stage: record.stage, target, phase: 'deploy', command: record.command, start: at, outcome: null, lines: [], droppedLines: 0 });
        break;
      case 'deploy.finished':
        if (target === null) close(`deploy ${record.index}`, at, record.exitCode === 0);
        finishCommand(model.commands, record.stage, target, 'deploy', record);
        break;
      case 'soak.started':
        // A fleet stage's soak without a target is a bake: its fleet checks; the batch bars show it.
        if (!fleetStage(record.index)) open(`soak ${record.index}`, { lane: record.index, kind: 'soak', start: at, label: 'soak' });
        if (!chartedHere(record.index)) break;
        for (const def of record.checks as CheckDefinition[]) {
          const key = seriesKey(record.index, def.name);
          if (!series.has(key)) series.set(key, newSeries(record.stage, record.index, def, target, at));
        }
        break;
      case 'check.polled': {
        if (!chartedHere(record.index)) break;
        const key = seriesKey(record.index, record.check);
        const check = series.get(key) ?? newSeries(record.stage, record.index, { name: record.check, url: '', intervalMs: 0, failureThreshold: 1 }, target);
        series.set(key, check);
        addPoint(check, record as PolledRecord, at);
        break;
      }
      case 'target.failed': {
        const check = series.get(seriesKey(record.index, record.check ?? ''));
        if (check) check.decisive = true;
        for (const s of series.values()) if (s.stageIndex === record.index && s.target === target) s.failedAt = at;
        break;
      }
      case 'stage.passed':
        close(`soak ${record.index}`, at, true);
        setStatus(record.index, 'passed');
        break;
      case 'stage.failed': {
        close(`soak ${record.index}`, at, false);
        close(`deploy ${record.index}`, at, false);
        setStatus(record.index, 'failed');
        if (model.lanes[record.index]) model.lanes[record.index]!.failed = true;
        model.failure = { stage: record.stage, reason: record.reason, time: at };
        model.markers.push({ time: at, kind: 'failure', label: `${record.stage} failed: ${record.reason}` });
        const decisive = (record as { check?: string | null }).check;
        for (const check of series.values()) {
          if (check.stageIndex !== record.index || check.target !== null) continue;
          if (decisive ? check.name === decisive : check.o[check.o.length - 1] === 'fail') check.decisive = true;
        }
        break;
      }
      case 'stage.skipped':
        setStatus(record.index, 'skipped');
        break;
      case 'rollback.step.started': {
        model.commands.push({ stage: record.stage, target, phase: 'rollback', command: record.command, start: at, outcome: null, lines: [], droppedLines: 0 });
        if (target !== null) break; // a target's undo is drawn in its own lane (fleet-spans.ts)
        const lane = laneOf(record.stage, record.index);
        open(`rollback ${lane}`, { lane, kind: 'rollback', start: at, label: 'rollback' });
        break;
      }
      case 'rollback.step.finished': {
        if (target !== null) {
          finishCommand(model.commands, record.stage, target, 'rollback', record);
          break;
        }
        const lane = laneOf(record.stage, record.index);
        const ok = record.exitCode === 0;
        close(`rollback ${lane}`, at, ok);
        finishCommand(model.commands, record.stage, null, 'rollback', record);
        setStatus(lane, ok ? 'rolled_back' : 'rollback_failed');
        for (const name of record.stages)
          setStatus(
            model.lanes.findIndex((l) => l.name === name),
            ok ? 'rolled_back' : 'rollback_failed',
          );
        break;
      }
      case 'command.tail': {
        const row = findLast(model.commands, (c) => c.stage === record.stage && c.target === (record.target ?? null) && c.phase === record.phase);
        if (row) Object.assign(row, { lines: record.lines, droppedLines: record.droppedLines });
        break;
      }
      case 'log.truncated':
        if (model.markers.some((m) => m.kind === 'truncated')) break;
        model.markers.push({ time: at, kind: 'truncated', label: 'event log full' });
        model.notes.push(
          `The event log reached its ${Math.round(record.limitBytes / 1024 ** 2)} MiB cap at ${record.time}: measurements and command output after that were not recorded.`,
        );
        break;
      case 'run.finished':
        model.status = record.status;
        model.finished = true;
        if (record.failure && !model.failure) model.failure = { ...record.failure, time: null };
        if (record.status === 'interrupted')
          model.markers.push({ time: at, kind: 'interrupt', label: `interrupted${record.signal ? ` (${record.signal})` : ''}` });
        break;
    }
  }
  if (doc) statusFromTheFold(model, doc);
  // Whatever is still open ran until the record ends (interrupted, or the process died).
  for (const key of [...openBars.keys()]) {
    const bar = openBars.get(key)!;
    openBars.delete(key);
    bar.end = model.endedAt;
  }
  spans.end(model.endedAt);
  model.bars.push(...spans.stageBars());
  if (doc) model.fleets = fleetViews(doc, spans, model.endedAt);
  // A stage's own checks, then its fleet checks, then its targets' (in the order they failed).
  model.checks = [...series.values()].sort((a, b) => a.stageIndex - b.stageIndex || Number(a.target !== null) - Number(b.target !== null));
  for (const check of model.checks) {
    const verdict = verdicts.get(`${check.stageIndex}\0${check.target ?? ''}\0${check.name}`);
    check.verdict = verdict ?? verdictOf(check, model.lanes[check.stageIndex]?.status);
  }
  if (!model.finished) model.notes.push('The record ends without the run finishing: the process was killed, or the run is still going.');
  return model;
}

/** Where each stage ended up is the run document's word: each lane reads its stage. */
function statusFromTheFold(model: ReportModel, folded: StateDocument): void {
  folded.stages.forEach((stage, index) => {
    const lane = model.lanes[index];
    if (lane?.name === stage.name) lane.status = laneStatus(stage, folded);
  });
  const plan = model.lanes.find((l) => l.name === PLAN_ROLLBACK);
  const planStatus = planRollbackStatus(folded);
  if (plan && planStatus) plan.status = planStatus;
}

function verdictOf(check: CheckSeries, stage: LaneStatus | undefined): Outcome | null {
  if (check.decisive) return 'fail';
  if (check.t.length === 0) return null;
  // A target's check is charted because its target failed: its own last word counts.
  if (check.target !== null) return check.o[check.o.length - 1] ?? null;
  // A stage that passed (even if later rolled back) passed its checks; otherwise the last word counts.
  return stage === 'passed' || stage === 'rolled_back' ? 'pass' : (check.o[check.o.length - 1] ?? null);
}

function finishCommand(
  rows: CommandRow[],
  stage: string | null,
  target: string | null,
  phase: CommandRow['phase'],
  outcome: NonNullable<CommandRow['outcome']>,
): void {
  const row = findLast(rows, (c) => c.stage === stage && c.target === target && c.phase === phase && c.outcome === null);
  if (row)
    row.outcome = { exitCode: outcome.exitCode, signal: outcome.signal, timedOut: outcome.timedOut, durationMs: outcome.durationMs, error: outcome.error };
}

function findLast<T>(items: T[], match: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (match(items[i]!)) return items[i];
  return undefined;
}

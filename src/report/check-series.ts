import type { Outcome } from '../checks/kind.js';
import { presentationOf } from '../checks/presentation.js';
import { boundsOf, type ConditionBounds } from '../conditions/bounds.js';
import type { CheckPolled } from '../engine/events.js';
import { addLook, type ComparisonSeries, comparisonOf, newComparison } from './comparison-series.js';
import { type ChartCondition, conditionText, type Threshold, thresholdOf } from './threshold.js';

export type { Outcome } from '../checks/kind.js';

/** A check's definition as `soak.started` announces it; the contract's fields are optional (older runs lack them). */
export interface CheckDefinition {
  name: string;
  /** Absent in logs written by 0.1.0, which name it `url`. */
  description?: string;
  url: string;
  intervalMs: number;
  failureThreshold: number;
  kind?: string;
  pass?: string | null;
  fail?: string | null;
  bounds?: { pass: ConditionBounds | null; fail: ConditionBounds | null };
  dryRun?: boolean;
}

/** `check.polled` as recorded: the measurement fields arrived with check kinds (issue 8). */
export type PolledRecord = CheckPolled & {
  kind?: string;
  outcome?: Outcome;
  value?: unknown;
  display?: string;
  condition?: string | null;
  reason?: string | null;
  dryRun?: boolean;
};

/** One check in one stage, with every measurement of it: columns, to keep the page small. */
export interface CheckSeries {
  stage: string;
  stageIndex: number;
  /** The deploy target it measured, in a fleet stage (null: the stage's own check, or a fleet check). */
  target: string | null;
  /** When its soak began (null: its measurements came without a `soak.started`). */
  soakStart: number | null;
  /** When its target failed: the chart's failing moment (a stage's check uses the stage's failure). */
  failedAt: number | null;
  name: string;
  kind: string;
  describe: string;
  pass: string | null;
  fail: string | null;
  dryRun: boolean;
  failureThreshold: number;
  intervalMs: number;
  threshold: Threshold | null;
  /** What the y axis shows, and its unit ('' for a plain number). */
  valueLabel: string;
  unit: string;
  /** The field of each measured value that is plotted ([] for the value itself). */
  plot: string[];
  t: number[];
  v: (number | null)[];
  o: Outcome[];
  /** Display text and reason of measurements worth a word (not a plain pass), by index. */
  notes: Record<number, string>;
  counts: Record<Outcome, number>;
  verdict: Outcome | null;
  /** This check's failure decided its stage. */
  decisive: boolean;
  /** Both sides of a comparison check, look by look (its `v` is then the canary's centre). */
  compare: ComparisonSeries | null;
}

export function newSeries(stage: string, stageIndex: number, def: CheckDefinition, target: string | null = null, soakStart: number | null = null): CheckSeries {
  const threshold = thresholdOf(chartCondition(def.pass, def.bounds?.pass), chartCondition(def.fail, def.bounds?.fail));
  // Before check kinds (issue 8) every check was an HTTP check.
  const kind = def.kind ?? 'http';
  return {
    stage,
    stageIndex,
    target,
    soakStart,
    failedAt: null,
    name: def.name,
    kind,
    describe: def.description ?? def.url,
    pass: def.pass ?? null,
    fail: def.fail ?? null,
    dryRun: def.dryRun ?? false,
    failureThreshold: def.failureThreshold,
    intervalMs: def.intervalMs,
    threshold,
    ...axisOf(kind, threshold),
    t: [],
    v: [],
    o: [],
    notes: {},
    counts: { pass: 0, fail: 0, inconclusive: 0, error: 0 },
    verdict: null,
    decisive: false,
    compare: null,
  };
}

/** Adds one measurement. Before check kinds, a poll's value is its latency and `ok` its outcome. */
export function addPoint(series: CheckSeries, polled: PolledRecord, time: number): void {
  const outcome: Outcome = polled.outcome ?? (polled.ok ? 'pass' : 'fail');
  if (polled.condition && series.pass === null && series.fail === null && !series.threshold) {
    // A log whose `soak.started` predates the conditions' fields: the deciding condition names one.
    const { which, text } = conditionText(polled.condition);
    const condition = chartCondition(text, undefined);
    series.threshold = thresholdOf(which === 'fail' ? null : condition, which === 'fail' ? condition : null);
    Object.assign(series, axisOf(series.kind, series.threshold));
  }
  // Before check kinds a poll's record had no value: what it measured was its latency.
  const display = polled.display ?? describePoll(polled);
  const reason = polled.reason ?? polled.error?.message ?? null;
  const detail = 'value' in polled ? comparisonOf(polled.value) : null;
  if (detail && !series.compare) {
    series.compare = newComparison();
    series.valueLabel = 'canary and baseline';
  }
  const value = detail
    ? addLook(series.compare as ComparisonSeries, detail, reason ?? display)
    : 'value' in polled
      ? plotValue(polled.value, series.plot)
      : (polled as { latencyMs: number }).latencyMs;
  const index = series.t.length;
  series.t.push(time);
  series.v.push(value);
  series.o.push(outcome);
  series.counts[outcome]++;
  if (outcome !== 'pass' || value === null)
    series.notes[index] = !reason || display.includes(reason) ? display : reason.includes(display) ? reason : `${display} — ${reason}`;
}

function describePoll(polled: PolledRecord): string {
  if (polled.error) return `${polled.error.kind}: ${polled.error.message}`;
  return polled.status === null ? `${polled.latencyMs} ms` : `HTTP ${polled.status} in ${polled.latencyMs} ms`;
}

/** A condition as the chart reads it: its bounds as the plan compiled them, else (older logs) as the compiler reads its text. */
function chartCondition(text: string | null | undefined, bounds: ConditionBounds | null | undefined): ChartCondition {
  if (!text) return null;
  return { bounds: bounds === undefined ? boundsOf(text) : bounds };
}

/** What is plotted and how the axis is named: the field a threshold compares, else what the kind declares. */
function axisOf(kind: string, threshold: Threshold | null): Pick<CheckSeries, 'valueLabel' | 'unit' | 'plot'> {
  if (threshold?.path.length) return { valueLabel: `result.${threshold.path.join('.')}`, unit: '', plot: threshold.path };
  const shown = presentationOf(kind);
  return { valueLabel: shown.label, unit: shown.unit, plot: shown.plot };
}

/** A number to plot: the compared field of an object, a list's largest entry, true/false as 1/0. */
export function plotValue(value: unknown, path: string[]): number | null {
  let current = value;
  for (const key of path)
    current = current !== null && typeof current === 'object' && Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined;
  if (typeof current === 'number') return Number.isFinite(current) ? current : null;
  if (typeof current === 'boolean') return current ? 1 : 0;
  if (typeof current === 'string' && current.trim() !== '' && Number.isFinite(Number(current))) return Number(current);
  if (Array.isArray(current)) {
    const numbers = current.map((item) => plotValue(item, [])).filter((n): n is number => n !== null);
    return numbers.length ? Math.max(...numbers) : null;
  }
  return null;
}

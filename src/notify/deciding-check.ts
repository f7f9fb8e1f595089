import type { JsonValue } from '../engine/events.js';
import type { CheckState, MeasurementState, StageState } from '../state/document.js';

/** The check that failed a stage, as a webhook carries it. */
export interface DecidingCheck {
  name: string;
  /** The check's last measurement: HTTP status (http checks), why it was not a pass, how long it took. */
  status: number | null;
  error: string | null;
  latencyMs: number;
  /** The deciding measurement: its value, short display, outcome and the condition that judged it. */
  value: unknown;
  display: string;
  outcome: string;
  condition: string | null;
}

/**
 * Where a measurement's value comes from: the state keeps only its display (a response's headers and
 * body, a query's series are the event log's), so the notifier looks the value up among the
 * measurements it heard. `at` is the measurement's time, as the document records it.
 */
export type MeasuredValue = (stage: string, check: string, at: string) => JsonValue | undefined;

/**
 * The named check of a stage, from the reduced document: its last measurement that was not a pass
 * decides (what a fail or inconclusive verdict rests on). Null when the stage has no such check or
 * it never measured anything.
 */
export function decidingCheck(stage: StageState, name: string, measured: MeasuredValue): DecidingCheck | null {
  const check = stage.checkResults.checks.find((c) => c.name === name);
  const deciding = check && lastBad(check);
  if (!check || !deciding) return null;
  return {
    name: check.name,
    status: check.lastStatus,
    error: check.lastError?.message ?? null,
    latencyMs: check.lastLatencyMs ?? 0,
    // A 0.1.0 document kept the value itself.
    value: measured(stage.name, check.name, deciding.at) ?? deciding.value ?? null,
    display: deciding.display,
    outcome: deciding.outcome,
    condition: deciding.condition,
  };
}

/** The latest measurement that was not a pass, in a document of any version (0.1.0 kept a `recent` list). */
function lastBad(check: CheckState): MeasurementState | null {
  if (check.lastBad !== undefined) return check.lastBad;
  return check.recent?.findLast((m) => m.outcome !== 'pass') ?? null;
}

/** Whether the check's last measurement was a comparison with a baseline (its reason already explains the value). */
export function wasCompared(stage: StageState, name: string): boolean {
  return stage.checkResults.checks.find((c) => c.name === name)?.lastError?.kind === 'compare';
}

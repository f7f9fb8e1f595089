import type { JsonValue } from '../engine/events.js';
import type { CheckState, MeasurementState, StageState } from '../state/document.js';

/** The check that failed a stage, as a webhook carries it: its deciding measurement. */
export interface DecidingCheck {
  name: string;
  /** HTTP status (http checks), why the measurement was not a pass, how long it took. */
  status: number | null;
  error: string | null;
  latencyMs: number;
  value: unknown;
  display: string;
  outcome: string;
  /** The condition that judged it. */
  condition: string | null;
}

/** What the state does not keep of a measurement it summarises: the event log's (`check.polled`). */
export interface MeasurementDetail {
  value: JsonValue;
  status: number | null;
  latencyMs: number;
  /** Uncut (the state cuts texts at SUMMARY_TEXT_MAX). */
  error: string | null;
}

/**
 * Where a measurement's detail comes from: the state keeps its display, outcome and condition, not
 * its value (a response's headers and body, a query's series are the event log's), so the notifier
 * looks it up among the measurements it heard. `at` is the measurement's time, as the document records it.
 */
export type MeasuredDetail = (stage: string, check: string, at: string) => MeasurementDetail | undefined;

/**
 * The named check of a stage, from the reduced document: its last measurement that was not a pass
 * decides (what a fail or inconclusive verdict rests on). Null when the stage has no such check or
 * it never measured anything. Without the measurement's detail (a command that did not hear it,
 * such as a resume), status, error and latency are the check's last measurement's, as the state has them.
 */
export function decidingCheck(stage: StageState, name: string, measured: MeasuredDetail): DecidingCheck | null {
  const check = stage.checkResults.checks.find((c) => c.name === name);
  const deciding = check && lastBad(check);
  if (!check || !deciding) return null;
  const detail = measured(stage.name, check.name, deciding.at);
  return {
    name: check.name,
    status: detail ? detail.status : check.lastStatus,
    error: detail ? detail.error : (check.lastError?.message ?? null),
    latencyMs: detail?.latencyMs ?? check.lastLatencyMs ?? 0,
    // A 0.1.0 document kept the value itself.
    value: detail?.value ?? deciding.value ?? null,
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

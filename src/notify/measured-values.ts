import type { RolloutEvent } from '../engine/events.js';
import type { MeasuredDetail, MeasurementDetail } from './deciding-check.js';

/**
 * The detail of the measurements a webhook may quote as deciding. The state keeps a measurement's
 * display, not its value (a response's headers and body, a query's series: the event log's), so the
 * notifier keeps, per check of a stage, the detail of its latest measurement that was not a pass —
 * the one the document's `lastBad` names. Bounded: one per check (values are size-bounded).
 * Which check and which measurement decided is the document's to say, never this.
 */
export class MeasuredValues {
  private readonly latest = new Map<string, MeasurementDetail & { at: string }>();

  hear(event: RolloutEvent): void {
    // A target's checks are its own: a fleet stage's failure quotes its targets, not their values.
    if (event.type !== 'check.polled' || event.outcome === 'pass' || event.target !== undefined) return;
    const { value, status, latencyMs } = event;
    this.latest.set(key(event.stage, event.check), { at: event.time, value, status, latencyMs, error: event.error?.message ?? null });
  }

  readonly detailOf: MeasuredDetail = (stage, check, at) => {
    const heard = this.latest.get(key(stage, check));
    if (heard?.at !== at) return undefined;
    const { at: _at, ...detail } = heard;
    return detail;
  };
}

function key(stage: string, check: string): string {
  return JSON.stringify([stage, check]);
}

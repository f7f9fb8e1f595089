import type { JsonValue, RolloutEvent } from '../engine/events.js';
import type { MeasuredValue } from './deciding-check.js';

/**
 * The values of the measurements a webhook may quote as deciding. The state keeps a measurement's
 * display, not its value (a response's headers and body, a query's series: the event log's), so the
 * notifier keeps, per check of a stage, the value of its latest measurement that was not a pass —
 * the one the document's `lastBad` names. Bounded: one value per check (values are size-bounded).
 * Which check and which measurement decided is the document's to say, never this.
 */
export class MeasuredValues {
  private readonly latest = new Map<string, { at: string; value: JsonValue }>();

  hear(event: RolloutEvent): void {
    // A target's checks are its own: a fleet stage's failure quotes its targets, not their values.
    if (event.type !== 'check.polled' || event.outcome === 'pass' || event.target !== undefined) return;
    this.latest.set(key(event.stage, event.check), { at: event.time, value: event.value });
  }

  readonly valueOf: MeasuredValue = (stage, check, at) => {
    const heard = this.latest.get(key(stage, check));
    return heard?.at === at ? heard.value : undefined;
  };
}

function key(stage: string, check: string): string {
  return JSON.stringify([stage, check]);
}

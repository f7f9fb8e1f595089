import type { RolloutEvent } from '../engine/events.js';
import { applyEvent, initialState } from '../run/reduce.js';
import type { StateDocument } from '../state/document.js';
import type { LogRecord } from './records.js';

/**
 * The run document the records fold to, with the one reducer the state store and every reader use
 * (src/run/reduce.ts): where each stage and each target ended up is its word. Null without `run.started`.
 */
export function foldRecords(records: LogRecord[]): StateDocument | null {
  let doc: StateDocument | null = null;
  for (const record of records as unknown as RolloutEvent[]) {
    if (record.type === 'run.started') doc = initialState(record);
    else if (doc) applyEvent(doc, record); // log-only records (log.opened, command.tail, …) fold to nothing
  }
  return doc;
}

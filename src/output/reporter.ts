import type { RolloutEvent } from '../engine/events.js';
import type { StateDocument } from '../state/document.js';

/** Renders events for a person or a machine. `handle` may return a promise to apply backpressure. */
export interface Reporter {
  handle(event: RolloutEvent): void | Promise<void>;
  /**
   * Renders a warning. Warnings of the run are `warning` events (they reach `handle`, which calls
   * this, and the event log); called directly only for a reporter's own trouble (a CI file it
   * cannot write) and before any run exists.
   */
  warn(message: string): void;
  close(): void;
  /** Ends a half-written line of command output, so a marker line written next stands on its own. */
  endPartialLines?(): void;
  /**
   * Under GitHub Actions: a deploy printed `::add-mask::` with this (%-escaped) value; say it again
   * where the runner acts on it. Only vendors that have such a command implement it.
   */
  addMask?(escaped: string): void;
  /**
   * The run's document as the state store folds it (src/run/reduce.ts, the one fold): a reporter
   * that reports the outcome (CI job summaries, outputs) reads it instead of folding events again.
   */
  follow?(document: () => StateDocument | null): void;
}

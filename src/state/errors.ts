import { ExitCode, RolloutError } from '../errors.js';
import type { Expected } from './backend.js';

/** Exit codes of the state layer (README and docs/state-backends.md list them). */
export const StateExit = {
  /** The state could not be recorded: the run stopped, its record was saved elsewhere. */
  writeFailed: ExitCode.rollbackFailed,
  /** Another run took the lock (lease) while this one held it: stopped at once. */
  leaseLost: ExitCode.leaseLost,
} as const;

/** A write whose compare-and-swap condition no longer holds: someone else wrote in between. */
export class StaleWriteError extends RolloutError {
  constructor(location: string, expected: Expected, stored: Expected) {
    const what = (e: Expected) => (e === null ? 'no record' : `lineage ${e.lineage.slice(0, 8)}… serial ${e.serial}`);
    super(`the state in ${location} changed under this run (expected ${what(expected)}, found ${what(stored)}); the write was refused.`, StateExit.writeFailed);
  }
}

/** This run no longer holds the lease: someone took it over (it expired, or was cut off). */
export class LeaseLostError extends RolloutError {
  constructor(message: string) {
    super(message, StateExit.leaseLost);
  }
}

/** The state store could not be reached or written (after retrying, where that makes sense). */
export class StateUnavailableError extends RolloutError {
  constructor(message: string, exitCode: number = StateExit.writeFailed) {
    super(message, exitCode);
  }
}

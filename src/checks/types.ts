import type { PollError } from '../engine/events.js';
import type { HealthCheck } from '../plan/types.js';

export interface PollResult {
  ok: boolean;
  /** HTTP status, when a response arrived. */
  status: number | null;
  latencyMs: number;
  error: PollError | null;
}

/** Polls a check once; must settle within the check's timeout (plus scheduling slack). */
export type Poller = (check: HealthCheck, signal: AbortSignal) => Promise<PollResult>;

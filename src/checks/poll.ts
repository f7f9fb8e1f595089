import type { HealthCheck } from '../plan/types.js';
import { pollHttp } from './http.js';
import type { PollResult } from './types.js';

/** Dispatches a poll to the check's kind. New kinds (command, metric query) plug in here. */
export function pollCheck(check: HealthCheck, signal: AbortSignal): Promise<PollResult> {
  switch (check.kind) {
    case 'http':
      return pollHttp(check, signal);
  }
}

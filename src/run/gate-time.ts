import type { Gate } from '../engine/events.js';
import type { Decision } from './actions.js';

/** Whether a gate's time is up at `now` (a gate with no expiry never is). */
export function isExpired(gate: Gate, now: number): boolean {
  return gate.expiresAt !== null && now >= Date.parse(gate.expiresAt);
}

/** The decision an expired gate takes by itself, in the words the state and events record. */
export function timeoutDecision(gate: Gate): Decision {
  return { decision: gate.onTimeout, by: 'timeout', reason: `gate ${gate.id} expired at ${gate.expiresAt}` };
}

import type { RolloutEvent } from '../engine/events.js';
import { refOf, type UnitRef } from './ref.js';

export type { UnitRef };

/*
 * Whatever belongs to a running command — its process group, its output prefix, the secret
 * redactor's held-back bytes — is keyed by its unit (ref.ts), never by the stage alone: several
 * units may run at once.
 */

/**
 * A unit's key: its stage name, or `stage/target`. A `/` or `%` inside a name is %-escaped, so
 * stage `a/b` and stage `a` target `b` never share a key. The run as a whole (what no stage owns:
 * the plan-level rollback) is `''`, which no stage name can be.
 */
export function unitKey(ref: UnitRef | null): string {
  if (ref === null) return '';
  const stage = escapeKeyPart(ref.stage);
  return ref.target === undefined ? stage : `${stage}/${escapeKeyPart(ref.target)}`;
}

/** `stage`, or `stage | target`: the unit's name before its command output in the log (` | ` follows). */
export function unitLabel(ref: UnitRef | null): string {
  if (ref === null) return 'rollback';
  return ref.target === undefined ? ref.stage : `${ref.stage} | ${ref.target}`;
}

/** The unit an event is about (its `ref`, or for an event recorded before refs existed, what `refOf` reads), or null for the run as a whole. */
export function eventUnit(event: RolloutEvent): UnitRef | null {
  const stamped = (event as { ref?: UnitRef | null }).ref;
  return stamped === undefined ? refOf(event) : stamped;
}

function escapeKeyPart(part: string): string {
  return part.replaceAll('%', '%25').replaceAll('/', '%2F');
}

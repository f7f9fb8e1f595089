import type { RolloutEvent } from '../engine/events.js';

/**
 * A unit of work: what one command at a time runs for. Today a stage; once a stage deploys to
 * several targets (hosts), one target of a stage. Several units may run at once, so whatever
 * belongs to a running command — its process group, its output prefix, the secret redactor's
 * held-back bytes — is keyed by its unit, never by the stage alone.
 */
export interface UnitRef {
  stage: string;
  target?: string;
}

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

/**
 * The unit an event is about, or null when it is about the run as a whole (`run.*`,
 * `rollback.started`/`finished`, the plan-level rollback step). Read from `stage` (and `target`
 * when present) until events carry a `ref`.
 */
export function eventUnit(event: RolloutEvent): UnitRef | null {
  // Its stage is where the run goes on from, not a unit the event is about.
  if (event.type === 'run.resumed') return null;
  const { stage, target } = event as { stage?: unknown; target?: unknown };
  if (typeof stage !== 'string') return null;
  return typeof target === 'string' ? { stage, target } : { stage };
}

function escapeKeyPart(part: string): string {
  return part.replaceAll('%', '%25').replaceAll('/', '%2F');
}

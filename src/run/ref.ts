import type { RolloutEvent } from '../engine/events.js';

/**
 * The unit of work an event or an action is about. Today a unit is a stage; once a stage has several
 * deploy targets, `target` names one of them (and a unit is `stage/target`). Everything that keys
 * per unit keys by a ref, never by a stage index.
 */
export interface UnitRef {
  stage: string;
  target?: string;
}

/** The unit an event is about, or null for an event about the whole run (start, finish, the plan's rollback). */
export function refOf(event: RolloutEvent): UnitRef | null {
  switch (event.type) {
    case 'run.started':
    case 'run.resumed':
    case 'rollback.started':
    case 'rollback.finished':
    case 'run.finished':
      return null;
    case 'rollback.step.started':
    case 'rollback.step.finished':
    case 'command.output':
      return event.stage === null ? null : { stage: event.stage };
    default:
      return { stage: event.stage };
  }
}

export function sameRef(a: UnitRef, b: UnitRef): boolean {
  return a.stage === b.stage && a.target === b.target;
}

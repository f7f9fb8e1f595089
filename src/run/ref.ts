import type { EventType, RolloutEvent } from '../engine/events.js';

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
    case 'warning':
      return null;
    case 'rollback.step.started':
    case 'rollback.step.finished':
    case 'command.output':
      return event.stage === null ? null : unit(event.stage, event);
    default:
      return unit(event.stage, event);
  }
}

/** A stage's unit; an event about one target of a stage (fleets) names it, until then every unit is a stage. */
function unit(stage: string, event: RolloutEvent): UnitRef {
  const target = (event as { target?: unknown }).target;
  return typeof target === 'string' ? { stage, target } : { stage };
}

export function sameRef(a: UnitRef, b: UnitRef): boolean {
  return a.stage === b.stage && a.target === b.target;
}

/** Which events are about a unit of work (and carry its `ref`); the others are about the whole run. */
const ABOUT_A_UNIT = {
  warning: false,
  'run.started': false,
  'run.resumed': false,
  'stage.started': true,
  'deploy.started': true,
  'deploy.finished': true,
  'soak.started': true,
  'check.polled': true,
  'check.finished': true,
  'stage.passed': true,
  'stage.failed': true,
  'stage.skipped': true,
  'stage.blocked': true,
  'stage.pausing': true,
  'gate.opened': true,
  'gate.decided': true,
  'window.waiting': true,
  'window.overridden': true,
  'rollback.started': false,
  // The plan-level rollback's steps are about no one unit: their ref is null.
  'rollback.step.started': true,
  'rollback.step.finished': true,
  'rollback.step.skipped': true,
  'rollback.finished': false,
  'run.finished': false,
  'command.output': false,
  'batch.started': true,
  'target.started': true,
  'verify.finished': true,
  'target.passed': true,
  'target.failed': true,
  'target.retrying': true,
  'batch.baking': true,
  'batch.finished': true,
} as const satisfies Record<EventType, boolean>;

/** Every event type there is (the table above must name each, so the compiler keeps this whole). */
export const EVENT_TYPES = Object.keys(ABOUT_A_UNIT) as EventType[];

/** The event with its unit's `ref` stamped on, as the engine emits it (events about the whole run unchanged). */
export function withRef(event: RolloutEvent): RolloutEvent {
  return ABOUT_A_UNIT[event.type] ? ({ ...event, ref: refOf(event) } as RolloutEvent) : event;
}

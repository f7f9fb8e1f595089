import type { Gate } from '../engine/events.js';

/**
 * Where a gate stands, in words: an approval or inconclusive gate waits `after` the stage that
 * passed; a window gate (onBlocked: pause) waits `before` the stage its window keeps from starting.
 */
export function gatePlace(gate: Pick<Gate, 'kind' | 'stage'>, asText: (s: string) => string = (s) => s): string {
  return `${gate.kind === 'window' ? 'before' : 'after'} ${asText(gate.stage)}`;
}

/** The commands that decide a gate; a window gate is promoted once its window opens, or overridden on the record. */
export function gateCommands(gate: Pick<Gate, 'kind' | 'id'>, stateFlag = ''): string {
  const promote = `rollout promote${stateFlag} --gate ${gate.id}`;
  const abort = `rollout abort${stateFlag} --reason "…"`;
  if (gate.kind === 'window')
    return `continue once the window is open with: ${promote} --reason "…"   (or now: ${promote} --override-window --reason "…")   or undo with: ${abort}`;
  return `continue with: ${promote} --reason "…"   or undo with: ${abort}`;
}

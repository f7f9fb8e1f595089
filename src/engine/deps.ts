import type { Measurement } from '../checks/kind.js';
import type { Clock } from '../clock.js';
import type { CommandResult, CommandSpec } from '../exec/run-command.js';
import type { Check, Stage } from '../plan/types.js';
import type { Emit } from './events.js';
import type { Look } from './looks.js';

/** Everything the engine touches outside itself. The CLI passes the real things; tests may pass fakes. */
export interface EngineDeps {
  runId: string;
  clock: Clock;
  /** Base environment for commands (the CLI passes its own). */
  env: Readonly<Record<string, string | undefined>>;
  exec: (spec: CommandSpec) => Promise<CommandResult>;
  /** Takes one measurement of a check; settles within the check's timeout (plus scheduling slack). */
  measure: (check: Check, stage: Stage, signal: AbortSignal, look?: Look) => Promise<Measurement>;
  emit: Emit;
  /** Aborted on the first SIGINT/SIGTERM: the engine stops, terminating what runs. */
  signal: AbortSignal;
  /** Aborted on the second signal: stops even the rollback that `onInterrupt: rollback` starts. */
  hardSignal: AbortSignal;
  /** `bytes` random bytes as hex: gate ids and nonces. Injected so the engine stays deterministic in tests. */
  randomHex: (bytes: number) => string;
}

/** A gate's id: readable (the stage's name) and unique (a random suffix). */
export function gateId(stageName: string, deps: Pick<EngineDeps, 'randomHex'>): string {
  return `${stageName.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 40)}-${deps.randomHex(3)}`;
}

/** Which signal stopped the run, for the state file and the exit code (130 vs 143). */
export function interruptSignal(deps: Pick<EngineDeps, 'signal'>, status: string): string | null {
  return status === 'interrupted' && typeof deps.signal.reason === 'string' ? deps.signal.reason : null;
}

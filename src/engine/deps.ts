import type { Poller } from '../checks/types.js';
import { type Clock, isoTime } from '../clock.js';
import type { CommandResult, CommandSpec } from '../exec/run-command.js';
import type { Emit, EmitInput, RolloutEvent } from './events.js';

/** Everything the engine touches outside itself. The CLI passes the real things; tests may pass fakes. */
export interface EngineDeps {
  runId: string;
  clock: Clock;
  /** Base environment for commands (the CLI passes its own). */
  env: Readonly<Record<string, string | undefined>>;
  exec: (spec: CommandSpec) => Promise<CommandResult>;
  poll: Poller;
  emit: Emit;
  /** Aborted on SIGINT/SIGTERM: the engine stops, terminating what runs. */
  signal: AbortSignal;
  /** SIGTERM-to-SIGKILL grace for commands being stopped. */
  killGraceMs: number;
}

/** Stamps time and run id on events. */
export function eventEmitter(deps: Pick<EngineDeps, 'clock' | 'emit' | 'runId'>): EmitInput {
  return (event) => deps.emit({ ...event, time: isoTime(deps.clock.now()), runId: deps.runId } as RolloutEvent);
}

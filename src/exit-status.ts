import type { RunStatus } from './engine/events.js';
import { ExitCode } from './errors.js';

/** Every terminal status maps to exactly one exit code. */
export function exitCodeFor(status: Exclude<RunStatus, 'running'>, interruptedBy?: unknown): number {
  switch (status) {
    case 'succeeded':
      return ExitCode.ok;
    case 'failed':
    case 'rolled_back':
      return ExitCode.failed;
    case 'rollback_failed':
      return ExitCode.rollbackFailed;
    case 'interrupted':
      return interruptedBy === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
    case 'blocked':
      return ExitCode.blocked;
    case 'paused':
      return ExitCode.paused;
  }
}

/** `rollout rollback` succeeds when every rollback did: its goal is the undo, not the rollout. */
export function rollbackExitCode(status: Exclude<RunStatus, 'running'>, interruptedBy?: unknown): number {
  return status === 'rolled_back' ? ExitCode.ok : exitCodeFor(status, interruptedBy);
}

import type { StageState, TargetState, TargetStatus } from '../state/document.js';

/** A target of a fleet stage before its batch reaches it. */
export function pendingTarget(name: string, batch: number): TargetState {
  return {
    name,
    batch,
    status: 'pending',
    startedAt: null,
    finishedAt: null,
    attempts: 0,
    reason: null,
    failed: false,
    deploy: { command: null, exitCode: null, signal: null, timedOut: false, durationMs: null },
    verify: null,
    checkResults: { polls: 0, failures: 0, lastError: null, checks: [] },
    rollback: { command: null, exitCode: null, durationMs: null, timedOut: false, skipped: null },
  };
}

export function targetOf(stage: StageState, name: string): TargetState | undefined {
  return stage.targets?.find((t) => t.name === name);
}

/** Target statuses whose deploy started and that are not undone: what a rollback must undo. */
const DEPLOYED = {
  pending: false,
  deploying: true,
  verifying: true,
  soaking: true,
  updated: true,
  failed: true,
  rolling_back: true,
  rolled_back: false,
  rollback_failed: true,
  skipped: false,
} as const satisfies Record<TargetStatus, boolean>;

export function isTargetDeployed(target: TargetState): boolean {
  return DEPLOYED[target.status];
}

/** Target statuses whose turn is under way: a process that died left them mid-way, and they are deployed again. */
const IN_FLIGHT = {
  pending: false,
  deploying: true,
  verifying: true,
  soaking: true,
  updated: false,
  failed: false,
  rolling_back: false,
  rolled_back: false,
  rollback_failed: false,
  skipped: false,
} as const satisfies Record<TargetStatus, boolean>;

export function isInFlight(target: TargetState): boolean {
  return IN_FLIGHT[target.status];
}

export function undoneStatus(ok: boolean): TargetStatus {
  return ok ? 'rolled_back' : 'rollback_failed';
}

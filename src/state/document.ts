import type { PollError, RunStatus } from '../engine/events.js';

/** The state file's shape. Version 1; additive changes only within a version. */
export type StageStatus = 'pending' | 'deploying' | 'soaking' | 'succeeded' | 'failed' | 'rolling_back' | 'rolled_back' | 'rollback_failed' | 'skipped';

export interface CheckState {
  name: string;
  url: string;
  polls: number;
  failures: number;
  consecutiveFailures: number;
  lastOk: boolean | null;
  lastStatus: number | null;
  lastLatencyMs: number | null;
  lastError: PollError | null;
  lastPolledAt: string | null;
}

export interface StageState {
  name: string;
  status: StageStatus;
  startedAt: string | null;
  finishedAt: string | null;
  deploy: { command: string | null; exitCode: number | null; signal: string | null; timedOut: boolean; durationMs: number | null };
  soak: { ms: number | null; startedAt: string | null };
  health: { polls: number; failures: number; lastError: string | null; checks: CheckState[] };
  rollback: { command: string | null; exitCode: number | null; durationMs: number | null; timedOut: boolean; skipped: string | null };
}

export interface StateDocument {
  version: 1;
  runId: string;
  /** Fixed for a run's whole life, across resumes; tells two runs with a reused state path apart. */
  lineage: string;
  /** Increases with every write of this document. */
  serial: number;
  /** `vars` are the effective values (plan defaults and --var), so a resume deploys the same thing. */
  plan: { name: string; path: string; sha256: string; vars: Record<string, string> };
  status: RunStatus;
  /** The signal that interrupted the run (`SIGINT` or `SIGTERM`), when status is `interrupted`. */
  interruptedBy: string | null;
  /** How many times `rollout resume` continued this run. */
  resumes: number;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
  stages: StageState[];
  failure: { stage: string; reason: string } | null;
  /** When status is `blocked`: the stage a deploy window kept from starting, and when it may. */
  blocked?: { stage: string; rule: string; nextOpenAt: string | null; message: string } | null;
  /** Window rules overridden with `--override-window`, with who and why. */
  windowOverrides?: { stage: string; rule: string; reason: string; by: string; at: string }[];
  /** The plan-level rollback command's outcome, when the plan has one and it ran. */
  rollback: { command: string; exitCode: number | null; durationMs: number | null; timedOut: boolean } | null;
}

import type { CommandOutcome, Phase, RunStatus } from '../engine/events.js';
import type { TargetStatus } from '../state/document.js';
import type { CheckSeries } from './check-series.js';
import type { LogOpened, OutputLine } from './records.js';

/**
 * Everything the page shows, folded from a run's recorded events (see build-model.ts). Plain
 * data: times are epoch milliseconds.
 */
export interface ReportModel {
  runId: string;
  plan: { name: string; path: string; sha256: string; vars: Record<string, string> };
  /** `unfinished` when the log ends without `run.finished` (the process died, or is still going). */
  status: RunStatus | 'unfinished';
  startedAt: number;
  /** When the run ended, or the last thing recorded. */
  endedAt: number;
  finished: boolean;
  failure: { stage: string; reason: string; time: number | null } | null;
  /** Each process that worked on the run: `rollout run`, then any `resume` or `rollback`. */
  openings: LogOpened[];
  lanes: Lane[];
  bars: Bar[];
  markers: Marker[];
  checks: CheckSeries[];
  commands: CommandRow[];
  /** Fleet stages' targets, batch by batch: the swimlanes below the timeline (render-fleet.ts). */
  fleets: FleetView[];
  /** Things the reader should know about the record itself (truncation, missing events). */
  notes: string[];
}

export type LaneStatus = 'pending' | 'running' | 'passed' | 'failed' | 'skipped' | 'blocked' | 'rolled_back' | 'rollback_failed';

export interface Lane {
  /** A stage name, or `rollback (plan)` for the plan-level rollback command. */
  name: string;
  status: LaneStatus;
  /** The stage failed (it may have been rolled back since): the timeline marks it. */
  failed: boolean;
}

/** One stretch of time on the timeline; `gate`: waiting for a deploy window to open; `batch`/`bake`: a fleet stage's. */
export interface Bar {
  lane: number;
  kind: 'deploy' | 'soak' | 'rollback' | 'pause' | 'gate' | 'batch' | 'bake';
  start: number;
  end: number;
  state: 'ok' | 'failed' | 'open';
  label: string;
}

export interface Marker {
  time: number;
  kind: 'failure' | 'interrupt' | 'resume' | 'truncated' | 'blocked' | 'override';
  label: string;
}

export interface CommandRow {
  stage: string | null;
  /** The deploy target it ran for, in a fleet stage. */
  target: string | null;
  phase: Phase;
  command: string;
  start: number;
  outcome: CommandOutcome | null;
  lines: OutputLine[];
  droppedLines: number;
}

/** One fleet stage as the swimlane draws it: the folded document's targets, with their times from the log. */
export interface FleetView {
  stage: string;
  index: number;
  batches: BatchView[];
  counts: { targets: number; updated: number; failed: number };
}

export interface BatchView {
  /** 1-based, of `of`. */
  batch: number;
  of: number;
  /** The bake after the batch, while the fleet checks are measured (null: none recorded). */
  bake: Span | null;
  /** From `batch.finished`: failures still tolerated (null: no limit, or not finished). */
  budgetLeft: number | null;
  targets: TargetLane[];
}

export interface TargetLane {
  name: string;
  status: TargetStatus;
  /** It failed (it may have been rolled back since). */
  failed: boolean;
  reason: string | null;
  attempts: number;
  /** Its checks' counts in words (`health: 5 pass`), from the document: what its lane says of them without a chart. */
  checks: string;
  spans: Span[];
}

/** A target's deploy, verify, checks (its soak) or rollback; a batch's bake. */
export interface Span {
  kind: 'deploy' | 'verify' | 'soak' | 'rollback' | 'bake';
  start: number;
  end: number;
  state: 'ok' | 'failed' | 'open';
}

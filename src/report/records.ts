import type { CommandOutput, Phase, RolloutEvent } from '../engine/events.js';

/**
 * What the event log holds, one JSON object a line: the engine's events as emitted (already
 * redacted), except raw command output, which is kept only as the last lines of each command.
 * Readers must ignore record types they do not know (later versions add pauses and gates).
 */
export type LogRecord = Exclude<RolloutEvent, CommandOutput> | LogOpened | CommandTail | LogTruncated;

/** Who and where: written each time a process opens the log (`run`, then maybe `resume`, `rollback`). */
export interface Origin {
  host: string;
  user: string | null;
  /** The CI job that ran the command, when the CI says where it is. */
  ci: { provider: string; url: string | null; job: string | null } | null;
}

export interface LogOpened {
  type: 'log.opened';
  time: string;
  runId: string;
  command: string;
  origin: Origin;
}

export interface OutputLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

/** The last lines a deploy or rollback command printed, written just before its `finished` event. */
export interface CommandTail {
  type: 'command.tail';
  time: string;
  runId: string;
  stage: string | null;
  /** The deploy target the command ran for, in a fleet stage (absent otherwise, and in older logs). */
  target?: string;
  phase: Phase;
  lines: OutputLine[];
  /** Lines printed before those kept. */
  droppedLines: number;
}

/** The log reached its size cap: measurements and output after `time` were not recorded. */
export interface LogTruncated {
  type: 'log.truncated';
  time: string;
  runId: string;
  limitBytes: number;
}

import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { RolloutEvent } from '../engine/events.js';
import { OutputTails } from './output-tail.js';
import type { LogOpened, LogRecord } from './records.js';

/**
 * Where a run's events are kept for `rollout report`. A seam: the file store below keeps them
 * beside the state file; another state backend can keep them elsewhere by implementing this.
 */
export interface EventLogStore {
  /** Opens (or reopens, for `resume` and `rollback`) the log of one run. */
  open(opened: LogOpened, onError: (message: string) => void): EventLog;
  /** The run's records in order, or null when this store has no log for it. */
  read(runId: string): LogRecord[] | null;
  /** Run ids with a log, oldest first. */
  runs(): string[];
}

export interface EventLog {
  /** Takes every (already redacted) event; never throws, never blocks the engine. */
  append(event: RolloutEvent): void;
  close(): void;
}

/** Beyond this, measurements and output are dropped (with a note); stage transitions still go in. */
export const LOG_CAP_BYTES = 16 * 1024 ** 2;
/** Hard stop: nothing is written past this, whatever it is. */
const HARD_CAP_BYTES = LOG_CAP_BYTES + 1024 ** 2;
/** Logs of older runs beside the same state file are removed when a new run starts. */
export const KEEP_RUNS = 10;

/** `<state>.events-<runId>.ndjson`, beside the state file, like its `.lock` and `.unfinished-*` files. */
export function fileEventLogStore(statePath: string): EventLogStore {
  const dir = dirname(statePath);
  const prefix = `${basename(statePath)}.events-`;
  const pathOf = (runId: string) => join(dir, `${prefix}${runId}.ndjson`);
  const runs = () =>
    (existsSync(dir) ? readdirSync(dir) : [])
      .filter((name) => name.startsWith(prefix) && name.endsWith('.ndjson'))
      .map((name) => name.slice(prefix.length, -'.ndjson'.length))
      .sort();
  return {
    runs,
    read(runId) {
      const path = pathOf(runId);
      if (!/^[\w.-]+$/.test(runId) || !existsSync(path)) return null;
      return parseLog(readFileSync(path, 'utf8'));
    },
    open(opened, onError) {
      const path = pathOf(opened.runId);
      if (!existsSync(path)) for (const old of runs().slice(0, -(KEEP_RUNS - 1) || undefined)) rmSync(pathOf(old), { force: true });
      return new FileEventLog(path, opened, onError);
    },
  };
}

/** Lines that do not parse (a crash mid-write leaves at most the last one torn) are skipped. */
export function parseLog(text: string): LogRecord[] {
  const records: LogRecord[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      records.push(JSON.parse(line) as LogRecord);
    } catch {
      // torn last line
    }
  }
  return records;
}

/** Appends buffered lines once per event-loop turn, and at once when the run ends or closes. */
class FileEventLog implements EventLog {
  private fd: number | null;
  private bytes: number;
  private buffer: string[] = [];
  /** Characters buffered since the last flush (counted in `bytes` until the flush knows their size). */
  private pendingChars = 0;
  private scheduled: NodeJS.Immediate | undefined;
  /** This process has dropped a measurement and said so (once per process: a resume says it again). */
  private truncated = false;
  private readonly tails = new OutputTails();

  constructor(
    private readonly path: string,
    private readonly opened: LogOpened,
    private readonly onError: (message: string) => void,
  ) {
    this.fd = this.attempt(() => openSync(path, 'a', 0o600));
    this.bytes = this.fd === null ? 0 : fstatSync(this.fd).size;
    this.write(opened);
  }

  append(event: RolloutEvent): void {
    if (event.type === 'command.output') {
      if (this.bytes < LOG_CAP_BYTES) this.tails.push(event);
      return;
    }
    if (event.type === 'deploy.finished' || event.type === 'rollback.step.finished') {
      this.writeTail(event.stage, event.target ?? null, event.type === 'deploy.finished' ? 'deploy' : 'rollback', event.time);
    }
    if (event.type === 'check.polled' && this.bytes >= LOG_CAP_BYTES) {
      if (!this.truncated) this.write({ type: 'log.truncated', time: event.time, runId: event.runId, limitBytes: LOG_CAP_BYTES });
      this.truncated = true;
      return;
    }
    this.write(event);
    if (event.type === 'run.finished') this.flush();
  }

  close(): void {
    for (const { stage, target, phase } of this.tails.keys()) this.writeTail(stage, target, phase, this.opened.time);
    this.flush();
    if (this.fd !== null) this.attempt(() => closeSync(this.fd!));
    this.fd = null;
  }

  private writeTail(stage: string | null, target: string | null, phase: 'deploy' | 'rollback', time: string): void {
    const tail = this.tails.take(stage, target, phase);
    if (tail) this.write({ type: 'command.tail', time, runId: this.opened.runId, stage, ...(target === null ? {} : { target }), phase, ...tail });
  }

  private write(record: LogRecord): void {
    if (this.fd === null || this.bytes >= HARD_CAP_BYTES) return;
    // Counted in characters until the flush measures the joined text in bytes: measuring each line
    // would copy it (JSON.stringify's result is a rope that Buffer.byteLength flattens), per event.
    const line = JSON.stringify(record);
    this.bytes += line.length + 1;
    this.pendingChars += line.length + 1;
    this.buffer.push(line);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.fd === null || this.buffer.length === 0) return;
    this.buffer.push(''); // the last line's newline, without a second copy of the text to add it
    const text = this.buffer.join('\n');
    this.buffer = [];
    this.bytes += Buffer.byteLength(text) - this.pendingChars;
    this.pendingChars = 0;
    const fd = this.fd;
    this.attempt(() => writeSync(fd, text));
  }

  /** A log that cannot be written must not stop the rollout: say so once and stop logging. */
  private attempt<T>(action: () => T): T | null {
    try {
      return action();
    } catch (error) {
      this.fd = null;
      this.onError(`the event log ${this.path} cannot be written (${(error as Error).message}); \`rollout report\` will lack this run's details`);
      return null;
    }
  }
}

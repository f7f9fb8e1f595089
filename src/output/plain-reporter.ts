import { once } from 'node:events';
import type { Clock } from '../clock.js';
import type { CommandOutput, RolloutEvent } from '../engine/events.js';
import { eventUnit, unitKey, unitLabel } from '../run/unit-key.js';
import type { StateDocument } from '../state/document.js';
import { describeEvent } from './describe.js';
import { escapeControl, escapeControlDeep } from './escape-control.js';
import { FleetLog } from './fleet-log.js';
import { measurementLine } from './measurement.js';
import { LinePrefixer } from './prefix-lines.js';
import type { Reporter } from './reporter.js';
import { SoakStatus } from './soak-status.js';
import type { Terminal } from './terminal.js';

export interface ReporterOptions {
  term: Terminal;
  clock: Clock;
  /** Plain mode: a progress line at least this often during a soak, so CI logs never look hung. */
  heartbeatMs?: number;
  /** Print every poll, healthy ones too (`--verbose`). */
  verbose?: boolean;
}

/**
 * Timestamped lines on stderr, for CI logs and pipes: one per transition, failed polls as they
 * happen, and a heartbeat during soaks and while a fleet stage's batch is deployed (fleet-log.ts
 * says what a fleet's log shows: failures one by one, successes counted per batch). Command output is streamed with a `stage | ` prefix
 * (`stage | target | ` for a target), one prefixer per unit and stream; when another unit's output
 * (or a line of ours) comes while a line is half-written, that line is ended first, so lines of
 * commands running at once are never glued together.
 * Every reporter but `--json` renders events through here, their quoted text escaped
 * (escape-control.ts) before it meets a colour code.
 */
export class PlainReporter implements Reporter {
  protected readonly term: Terminal;
  protected readonly clock: Clock;
  protected soak: SoakStatus | null = null;
  protected readonly fleet: FleetLog;
  /** The run's document as the state store folds it (src/run/reduce.ts), when a store is followed. */
  protected document: () => StateDocument | null = () => null;
  private ticking = false;
  private runStartMs: number | null = null;
  private readonly prefixers = new Map<string, LinePrefixer>();
  /** The prefixer whose line is half-written on the terminal, if any: only one can be. */
  private open: LinePrefixer | null = null;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly heartbeatMs: number;
  private readonly verbose: boolean;

  constructor(options: ReporterOptions) {
    this.term = options.term;
    this.clock = options.clock;
    this.heartbeatMs = options.heartbeatMs ?? 10_000;
    this.verbose = options.verbose ?? false;
    this.fleet = new FleetLog(this.verbose);
  }

  follow(document: () => StateDocument | null): void {
    this.document = document;
  }

  handle(raw: RolloutEvent): void | Promise<void> {
    if (raw.type === 'command.output') return this.writeOutput(raw);
    // Before the run starts or after it ends as often as during it: no timestamp, and no effect on elapsed times.
    if (raw.type === 'warning') return this.warn(raw.message);
    // What an event quotes (names, reasons, bodies) is shown, never obeyed; command output is relayed as is.
    const event = escapeControlDeep(raw);
    this.endPartialLines();
    this.runStartMs ??= Date.parse(event.time);
    const doc = this.document();
    this.fleet.see(event, doc);
    // A target's soak is one of many running at once: the batch's progress speaks for them (fleet-log.ts).
    if (event.type === 'soak.started' && event.target === undefined) this.startSoak(new SoakStatus(event, Date.parse(event.time)));
    if (event.type === 'check.polled') {
      if (event.target === undefined) this.soak?.record(event);
      if (!event.ok || this.verbose) {
        const threshold =
          event.target === undefined
            ? this.soak?.event.checks.find((c) => c.name === event.check)?.failureThreshold
            : this.fleet.threshold(event.stage, event.check);
        const who = `${this.term.color.bold.cyan(event.stage)}${event.target === undefined ? '' : ` ${this.term.color.bold(event.target)}`}`;
        this.line(event.time, `${who} ${measurementLine(event, this.term.color, threshold)}`);
      }
    }
    if (['stage.passed', 'stage.failed', 'run.finished', 'batch.finished'].includes(event.type)) this.endSoak();
    // Before the event's lines: a spinner that ends must be gone before the line saying why.
    this.syncTicking();
    const text = this.fleet.shows(event, doc) ? describeEvent(event, this.term.color, 'stage' in event && this.fleet.isFleet(event.stage, doc)) : null;
    if (text !== null) this.line(event.time, text);
    for (const line of this.fleet.after(event, doc, this.term.color)) this.line(event.time, line);
    if (commandEnds(event)) this.dropPrefixers(unitKey(eventUnit(event)));
  }

  /** Renders a warning (a `warning` event, or the reporter's own trouble writing a CI file). */
  warn(message: string): void {
    this.print(`${this.term.color.yellow('warning:')} ${escapeControl(message)}`);
  }

  close(): void {
    this.endSoak();
    this.fleet.underWay = null;
    this.syncTicking();
    this.endPartialLines();
  }

  protected startSoak(status: SoakStatus): void {
    this.soak = status;
  }

  protected endSoak(): void {
    this.soak = null;
  }

  /** Something is under way (a soak, a fleet's batch): tick while it is, stop when nothing is. */
  private syncTicking(): void {
    const live = this.soak !== null || this.fleet.live;
    if (live === this.ticking) return;
    this.ticking = live;
    if (live) this.startTicking();
    else this.stopTicking();
  }

  protected startTicking(): void {
    this.heartbeat = setInterval(() => this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
  }

  protected stopTicking(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** What is under way, in a line: the soak (a fleet's bake included), else the batch being deployed. */
  protected liveText(now: number): string | null {
    if (this.soak) return `${this.term.color.bold.cyan(this.soak.event.stage)} soaking: ${this.soak.describe(now, this.term.color)}`;
    return this.fleet.liveText(this.document(), this.term.color);
  }

  protected beat(): void {
    const now = this.clock.now();
    const text = this.liveText(now);
    if (text !== null) this.line(new Date(now).toISOString(), text);
  }

  protected line(time: string, text: string): void {
    this.print(`${this.term.color.dim(`[${this.elapsed(time)}]`)} ${text}`);
  }

  protected print(text: string): void {
    // A warning may come between two chunks of a command's line: it gets a line of its own.
    this.endPartialLines();
    this.term.err.write(`${text}\n`);
  }

  private elapsed(time: string): string {
    const ms = Math.max(0, Date.parse(time) - (this.runStartMs ?? Date.parse(time)));
    const total = Math.floor(ms / 1000);
    const h = Math.floor(total / 3600);
    const mm = String(Math.floor((total % 3600) / 60)).padStart(2, '0');
    const ss = String(total % 60).padStart(2, '0');
    return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
  }

  protected writeOutput(event: CommandOutput): void | Promise<void> {
    const unit = eventUnit(event);
    const key = `${unitKey(unit)}\0${event.stream}`;
    let prefixer = this.prefixers.get(key);
    if (!prefixer) {
      prefixer = new LinePrefixer(this.term.color.dim(`${escapeControl(unitLabel(unit))} | `));
      this.prefixers.set(key, prefixer);
    }
    if (this.open !== prefixer) this.endPartialLines();
    const out = prefixer.transform(event.chunk);
    this.open = prefixer.midLine ? prefixer : null;
    // A stream on a file descriptor (process.stderr) is done with a buffer when its write calls
    // back; a JavaScript stream (a test's) may still hold it then, so its buffers are never reused.
    const writesToFd = typeof (this.term.err as { fd?: unknown }).fd === 'number';
    const more = this.term.err.write(out, (error) => {
      if (!error && writesToFd) prefixer.recycle(out);
    });
    if (!more) return drained(this.term.err);
  }

  endPartialLines(): void {
    const newline = this.open?.finish();
    this.open = null;
    if (newline) this.term.err.write(newline);
  }

  /**
   * A unit's command ended: its prefixers (and their output buffers, 96 KiB each) go. With 500
   * targets, keeping every target's would hold ~100 MB for the rest of the run.
   */
  private dropPrefixers(unit: string): void {
    for (const stream of ['stdout', 'stderr']) {
      const prefixer = this.prefixers.get(`${unit}\0${stream}`);
      if (prefixer === this.open) this.endPartialLines();
      this.prefixers.delete(`${unit}\0${stream}`);
    }
  }
}

/** Events after which a unit's command has printed all it will (its output always comes first: redact-events.ts). */
function commandEnds(event: RolloutEvent): boolean {
  return ['deploy.finished', 'verify.finished', 'rollback.step.finished', 'target.passed', 'target.failed'].includes(event.type);
}

/** Resolves when the stream can take more, or is gone. */
async function drained(stream: NodeJS.WritableStream): Promise<void> {
  const controller = new AbortController();
  await Promise.race([once(stream, 'drain', controller), once(stream, 'close', controller)]).catch(() => undefined);
  controller.abort();
}

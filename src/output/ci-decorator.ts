import type { RolloutEvent } from '../engine/events.js';
import type { StateDocument } from '../state/document.js';
import { escapeControlDeep } from './escape-control.js';
import type { Reporter } from './reporter.js';

/**
 * A reporter that wraps another and adds a CI vendor's markers around what it prints. Markers go
 * to stderr, the stream command output goes to, so they frame that output in the log exactly.
 * It reads the run's document as the state store folds it, so a vendor can report the outcome
 * (job summary, outputs, annotation) of the whole run when this command's part of it finishes.
 */
export abstract class CiDecorator implements Reporter {
  private document: () => StateDocument | null = () => null;
  /** How long this command's part of the run took (the `run.finished` event's duration). */
  protected tookMs: number | undefined;

  constructor(
    protected readonly inner: Reporter,
    protected readonly err: NodeJS.WritableStream,
    /** Fold command output into groups/sections; off in --quiet, where output is shown only on failure. */
    protected readonly folds = true,
  ) {}

  handle(raw: RolloutEvent): void | Promise<void> {
    if (raw.type === 'command.output') return this.inner.handle(raw);
    // The vendor may mark a warning its own way (GitHub's ::warning annotation).
    if (raw.type === 'warning') return this.warn(raw.message);
    // The vendor's markers, annotations and summary quote the event: escaped (escape-control.ts). The
    // wrapped reporter gets it as it is: it escapes what it prints itself, and --json keeps the data.
    const event = escapeControlDeep(raw);
    if (event.type === 'run.finished') this.tookMs = event.durationMs;
    this.before(event);
    const result = this.inner.handle(raw);
    this.after(event);
    const doc = event.type === 'run.finished' ? this.document() : null;
    // Quoted in markers and summaries: escaped, as the events are.
    if (doc) this.finish(escapeControlDeep(structuredClone(doc)));
    return result;
  }

  warn(message: string): void {
    this.inner.warn(message);
  }

  close(): void {
    this.inner.close();
  }

  endPartialLines(): void {
    this.inner.endPartialLines?.();
  }

  follow(document: () => StateDocument | null): void {
    this.document = document;
    this.inner.follow?.(document);
  }

  /** Called before the wrapped reporter sees a (non-output) event. */
  protected before(_event: RolloutEvent): void {}
  /** Called after the wrapped reporter has printed an event. */
  protected after(_event: RolloutEvent): void {}
  /** Called once the run has finished, with its final record. */
  protected finish(_doc: StateDocument): void {}

  protected mark(text: string): void {
    this.inner.endPartialLines?.();
    this.err.write(`${text}\n`);
  }
}

/**
 * Whether a command event is the start or the end of a block of command output. A target's
 * commands are not: several run at once, and a vendor's groups cannot overlap; they are inside
 * their batch's block (`batchBlock`).
 */
export function commandBlock(event: RolloutEvent): { edge: 'start' | 'end'; who: string; phase: 'deploy' | 'rollback'; command?: string } | null {
  if ('target' in event && event.target !== undefined) return null;
  switch (event.type) {
    case 'deploy.started':
      return { edge: 'start', who: event.stage, phase: 'deploy', command: event.command };
    case 'deploy.finished':
      return { edge: 'end', who: event.stage, phase: 'deploy' };
    case 'rollback.step.started':
      return { edge: 'start', who: event.stage ?? 'plan', phase: 'rollback', command: event.command };
    case 'rollback.step.finished':
      return { edge: 'end', who: event.stage ?? 'plan', phase: 'rollback' };
    default:
      return null;
  }
}

/** A command as a one-line title: a multi-line command must not spill out of a group header. */
export function oneLine(command: string, max = 120): string {
  const flat = command
    .replace(/[\r\n]+/g, ' ↵ ')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must go
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * A fleet stage's batch as one block of the log: its targets' output, their failures and the bake
 * are inside. It ends with the batch, or with whatever ends the stage first (a budget exceeded
 * mid-batch); an end where no block is open is ignored by the vendors.
 */
export function batchBlock(event: RolloutEvent): { edge: 'start'; title: string } | { edge: 'end' } | null {
  switch (event.type) {
    case 'batch.started':
      return {
        edge: 'start',
        title: `${event.stage} batch ${event.batch}/${event.batches}: ${event.targets.length} target${event.targets.length === 1 ? '' : 's'}`,
      };
    case 'batch.finished':
    case 'stage.passed':
    case 'stage.failed':
    case 'rollback.started':
    case 'run.finished':
      return { edge: 'end' };
    default:
      return null;
  }
}

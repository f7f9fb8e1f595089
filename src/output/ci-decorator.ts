import type { RolloutEvent } from '../engine/events.js';
import type { StateDocument } from '../state/document.js';
import type { Reporter } from './reporter.js';

/**
 * A reporter that wraps another and adds a CI vendor's markers around what it prints. Markers go
 * to stderr, the stream command output goes to, so they frame that output in the log exactly.
 */
export abstract class CiDecorator implements Reporter {
  constructor(
    protected readonly inner: Reporter,
    protected readonly err: NodeJS.WritableStream,
    /** Fold command output into groups/sections; off in --quiet, where output is shown only on failure. */
    protected readonly folds = true,
  ) {}

  handle(event: RolloutEvent): void | Promise<void> {
    if (event.type === 'command.output') return this.inner.handle(event);
    this.before(event);
    const result = this.inner.handle(event);
    this.after(event);
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

  continueRun(doc: StateDocument): void {
    this.inner.continueRun?.(doc);
  }

  /** Called before the wrapped reporter sees a (non-output) event. */
  protected before(_event: RolloutEvent): void {}
  /** Called after the wrapped reporter has printed an event. */
  protected after(_event: RolloutEvent): void {}

  protected mark(text: string): void {
    this.inner.endPartialLines?.();
    this.err.write(`${text}\n`);
  }
}

/** Whether a command event is the start or the end of a block of command output. */
export function commandBlock(event: RolloutEvent): { edge: 'start' | 'end'; who: string; phase: 'deploy' | 'rollback'; command?: string } | null {
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

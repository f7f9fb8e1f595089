import { once } from 'node:events';
import type { RolloutEvent } from '../engine/events.js';
import { terminalSafeJson } from './escape-control.js';
import { PlainReporter, type ReporterOptions } from './plain-reporter.js';

/**
 * `--json`: one JSON object per event on stdout (newline-delimited), and nothing else there.
 * Command output is bytes, not an event a machine can use: it goes to stderr, prefixed as in plain
 * mode, so a pipeline can still read it in the log.
 */
export class JsonReporter extends PlainReporter {
  private outGone = false;

  constructor(options: ReporterOptions) {
    super(options);
    // A reader that goes away (`| head -1`) must not take the rollout down with it.
    this.term.out.on('error', () => {
      this.outGone = true;
    });
  }

  override handle(event: RolloutEvent): void | Promise<void> {
    if (event.type === 'command.output') return this.writeOutput(event);
    // On stderr, as before warnings were events: stdout stays the run's steps, `run.finished` last.
    if (event.type === 'warning') return this.warn(event.message);
    this.endPartialLines();
    if (this.outGone) return;
    const { type, time, runId, ...fields } = event;
    if (!this.term.out.write(`${terminalSafeJson({ type, time, runId, ...fields })}\n`)) return drainedOrClosed(this.term.out);
  }

  override close(): void {
    this.endPartialLines();
  }
}

async function drainedOrClosed(stream: NodeJS.WritableStream): Promise<void> {
  const controller = new AbortController();
  await Promise.race([once(stream, 'drain', controller), once(stream, 'close', controller)]).catch(() => undefined);
  controller.abort();
}

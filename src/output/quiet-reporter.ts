import type { CommandOutput, RolloutEvent } from '../engine/events.js';
import { PlainReporter } from './plain-reporter.js';
import type { SoakStatus } from './soak-status.js';

/** Command output kept per command in `--quiet` mode, replayed only if the command fails. */
const TAIL_BYTES = 64 * 1024;

/**
 * `--quiet`: only failures and the final result. Command output is held back (its last 64 KiB)
 * and printed only when that command fails, because then it is the most useful thing in the log.
 */
export class QuietReporter extends PlainReporter {
  private showing = false;
  private tail: CommandOutput[] = [];
  private tailBytes = 0;

  override handle(event: RolloutEvent): void | Promise<void> {
    if (event.type === 'command.output') {
      this.keep(event);
      return;
    }
    if (event.type === 'deploy.started' || event.type === 'rollback.step.started') this.dropTail();
    this.showing = shownWhenQuiet(event);
    if (this.showing && (event.type === 'deploy.finished' || event.type === 'rollback.step.finished')) {
      for (const output of this.tail) this.writeOutput(output);
      this.dropTail();
    }
    return super.handle(event);
  }

  protected override line(time: string, text: string): void {
    if (this.showing) super.line(time, text);
  }

  // No heartbeat: quiet means quiet until something goes wrong.
  protected override startSoak(status: SoakStatus): void {
    this.soak = status;
  }

  private keep(event: CommandOutput): void {
    this.tail.push(event);
    this.tailBytes += event.chunk.byteLength;
    while (this.tailBytes > TAIL_BYTES && this.tail.length > 1) this.tailBytes -= this.tail.shift()?.chunk.byteLength ?? 0;
  }

  private dropTail(): void {
    this.tail = [];
    this.tailBytes = 0;
  }
}

function failedCommand(o: { exitCode: number | null; timedOut: boolean; error?: string }): boolean {
  return o.exitCode !== 0 || o.timedOut || o.error !== undefined;
}

export function shownWhenQuiet(event: RolloutEvent): boolean {
  switch (event.type) {
    case 'stage.failed':
    case 'run.finished':
      return true;
    case 'deploy.finished':
    case 'rollback.step.finished':
      return failedCommand(event);
    case 'rollback.finished':
      return !event.ok;
    default:
      return false;
  }
}

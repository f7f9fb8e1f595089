import type { CommandOutput, RolloutEvent } from '../engine/events.js';
import { eventUnit, unitKey } from '../run/unit-key.js';
import { PlainReporter } from './plain-reporter.js';

/** Command output kept per command in `--quiet` mode, replayed only if the command fails. */
const TAIL_BYTES = 64 * 1024;

/**
 * `--quiet`: only failures and the final result. Command output is held back (its last 64 KiB,
 * per unit: commands may run at once) and printed only when that command fails, because then it
 * is the most useful thing in the log.
 */
export class QuietReporter extends PlainReporter {
  private showing = false;
  private readonly tails = new Map<string, { events: CommandOutput[]; bytes: number }>();

  override handle(event: RolloutEvent): void | Promise<void> {
    if (event.type === 'command.output') {
      this.keep(event);
      return;
    }
    const unit = unitKey(eventUnit(event));
    if (event.type === 'deploy.started' || event.type === 'rollback.step.started') this.tails.delete(unit);
    this.showing = shownWhenQuiet(event);
    // A target's turn ends: what its verify printed is shown if it failed, and with 500 targets no tail is kept past its turn.
    if (event.type === 'deploy.finished' || event.type === 'rollback.step.finished' || event.type === 'target.failed' || event.type === 'target.passed') {
      if (this.showing) for (const output of this.tails.get(unit)?.events ?? []) this.writeOutput(output);
      this.tails.delete(unit);
    }
    return super.handle(event);
  }

  protected override line(time: string, text: string): void {
    if (this.showing) super.line(time, text);
  }

  // No heartbeat: quiet means quiet until something goes wrong.
  protected override startTicking(): void {}
  protected override stopTicking(): void {}

  private keep(event: CommandOutput): void {
    const unit = unitKey(eventUnit(event));
    let tail = this.tails.get(unit);
    if (!tail) {
      tail = { events: [], bytes: 0 };
      this.tails.set(unit, tail);
    }
    tail.events.push(event);
    tail.bytes += event.chunk.byteLength;
    while (tail.bytes > TAIL_BYTES && tail.events.length > 1) tail.bytes -= tail.events.shift()?.chunk.byteLength ?? 0;
  }
}

function failedCommand(o: { exitCode: number | null; timedOut: boolean; error?: string }): boolean {
  return o.exitCode !== 0 || o.timedOut || o.error !== undefined;
}

export function shownWhenQuiet(event: RolloutEvent): boolean {
  switch (event.type) {
    case 'stage.failed':
    case 'target.failed':
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

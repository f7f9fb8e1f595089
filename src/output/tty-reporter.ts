import ora, { type Ora } from 'ora';
import type { RolloutEvent } from '../engine/events.js';
import { progressBar } from './fleet-progress.js';
import { PlainReporter, type ReporterOptions } from './plain-reporter.js';

/**
 * For a person at a terminal: the same transition lines, plus one live line while something is
 * under way: a spinner during each soak showing the time left and each check's last result and
 * latency, and a progress bar for a fleet stage's batch being deployed (its counts and the
 * targets in flight). Only on a terminal outside CI (create-reporter.ts).
 */
export class TtyReporter extends PlainReporter {
  private spinner: Ora | null = null;
  private ticker: NodeJS.Timeout | undefined;

  constructor(options: ReporterOptions) {
    super({ ...options, heartbeatMs: 60_000 });
  }

  override handle(event: RolloutEvent): void | Promise<void> {
    const result = super.handle(event);
    // A soak's poll shows at once; a fleet's counts every tick (counting 500 targets on each of their events would cost more than the rest of the run).
    if (event.type === 'check.polled' && event.target === undefined) this.refresh();
    return result;
  }

  protected override startTicking(): void {
    this.spinner = ora({ stream: this.term.err as NodeJS.WriteStream, discardStdin: false, isEnabled: true }).start();
    this.refresh();
    this.ticker = setInterval(() => this.refresh(), 250);
    this.ticker.unref();
  }

  protected override stopTicking(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    this.spinner?.stop();
    this.spinner = null;
  }

  // A spinner says it better than a heartbeat line.
  protected override beat(): void {}

  protected override print(text: string): void {
    if (!this.spinner) {
      super.print(text);
      return;
    }
    this.spinner.clear();
    super.print(text);
    this.spinner.render();
  }

  private refresh(): void {
    if (!this.spinner) return;
    const text = this.liveText(this.clock.now());
    if (text === null) return;
    const batch = this.soak ? null : this.fleet.batchTargets(this.document());
    if (!batch) {
      this.spinner.text = text;
      return;
    }
    const busy = this.fleet.inFlight(this.document());
    this.spinner.text = `${progressBar(batch, this.term.color)} ${text}${busy ? this.term.color.dim(` · now: ${busy}`) : ''}`;
  }
}

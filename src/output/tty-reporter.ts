import ora, { type Ora } from 'ora';
import type { RolloutEvent } from '../engine/events.js';
import { PlainReporter, type ReporterOptions } from './plain-reporter.js';
import type { SoakStatus } from './soak-status.js';

/**
 * For a person at a terminal: the same transition lines, plus a spinner during each soak showing
 * the time left and each check's last result and latency.
 */
export class TtyReporter extends PlainReporter {
  private spinner: Ora | null = null;
  private ticker: NodeJS.Timeout | undefined;

  constructor(options: ReporterOptions) {
    super({ ...options, heartbeatMs: 60_000 });
  }

  override handle(event: RolloutEvent): void | Promise<void> {
    const result = super.handle(event);
    if (event.type === 'check.polled') this.refresh();
    return result;
  }

  protected override startSoak(status: SoakStatus): void {
    super.startSoak(status);
    this.spinner = ora({ stream: this.term.err as NodeJS.WriteStream, discardStdin: false, isEnabled: true }).start();
    this.refresh();
    this.ticker = setInterval(() => this.refresh(), 250);
    this.ticker.unref();
  }

  protected override endSoak(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    this.spinner?.stop();
    this.spinner = null;
    super.endSoak();
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
    if (!this.spinner || !this.soak) return;
    this.spinner.text = `${this.term.color.bold.cyan(this.soak.event.stage)} soaking: ${this.soak.describe(this.clock.now(), this.term.color)}`;
  }
}

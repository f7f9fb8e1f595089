import type { RolloutEvent } from '../engine/events.js';
import { CiDecorator, commandBlock } from './ci-decorator.js';

const ERASE = '\u001b[0K';

/**
 * GitLab CI (`GITLAB_CI=true`): each deploy and rollback command's output in its own collapsible
 * log section (`section_start` / `section_end`), collapsed once it has finished.
 */
export class GitLabSections extends CiDecorator {
  private open: string | null = null;
  private lastTime = '';

  protected override before(event: RolloutEvent): void {
    this.lastTime = event.time;
    const block = commandBlock(event);
    if (block?.edge === 'end' && this.open !== null) {
      this.mark(`${ERASE}section_end:${unixTime(event.time)}:${this.open}\r${ERASE}`);
      this.open = null;
    }
  }

  protected override after(event: RolloutEvent): void {
    const block = commandBlock(event);
    if (block?.edge !== 'start' || !this.folds) return;
    const name = sectionName(`rollout_${block.who}_${block.phase}`);
    this.open = name;
    this.mark(`${ERASE}section_start:${unixTime(event.time)}:${name}[collapsed=true]\r${ERASE}${block.who} ${block.phase}: ${block.command ?? ''}`);
  }

  override close(): void {
    if (this.open !== null) this.mark(`${ERASE}section_end:${unixTime(this.lastTime)}:${this.open}\r${ERASE}`);
    this.open = null;
    super.close();
  }
}

function unixTime(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/** GitLab section names allow letters, digits, `_`, `.` and `-` only. */
export function sectionName(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100);
}

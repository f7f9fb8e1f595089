import { randomUUID } from 'node:crypto';
import type { RolloutEvent } from '../engine/events.js';
import { writeFileAtomic } from './atomic-write.js';
import type { StateDocument } from './document.js';
import { applyEvent, initialState } from './reduce.js';

export { readState } from './read-state.js';

/** Poll results are coalesced: at most one write per this interval while only counters change. */
const PROGRESS_FLUSH_MS = 1000;

/**
 * Transitions after which a command starts, or the run ends: written before the engine goes on,
 * so what is on disk is never behind what was done (a crash right after a deploy starts still
 * shows it started). The others (a deploy finishing, a stage passing) are written within one
 * event-loop turn, together with whatever follows them at once: back-to-back transitions cost
 * one write instead of five. A crash in that turn can only make `resume` redo what it may redo
 * anyway: soak a stage again, or deploy again the stage that was in progress.
 */
const WRITE_AT_ONCE = new Set<RolloutEvent['type']>([
  'run.started',
  'run.resumed',
  'deploy.started',
  'rollback.started',
  'rollback.step.started',
  'run.finished',
]);

/**
 * Listens to engine events and keeps the state file current (see WRITE_AT_ONCE). Each write
 * bumps `serial` and keeps the previous snapshot as `.bak`.
 */
export class StateStore {
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private dirty = false;

  constructor(
    readonly path: string,
    private doc: StateDocument | null = null,
    /** Applied to the document before it reaches disk (secret redaction). */
    private readonly sanitise: (text: string) => string = (text) => text,
  ) {}

  get document(): StateDocument | null {
    return this.doc;
  }

  readonly handle = (event: RolloutEvent): void => {
    if (event.type === 'run.started') this.doc = { ...initialState(event), lineage: randomUUID(), serial: 0 };
    if (!this.doc) return;
    const change = applyEvent(this.doc, event);
    if (change === 'transition' && WRITE_AT_ONCE.has(event.type)) this.flush();
    else if (change === 'transition') {
      this.dirty = true;
      this.immediate ??= setImmediate(() => this.flush());
    } else if (change === 'progress') {
      this.dirty = true;
      this.timer ??= setTimeout(() => this.flush(), PROGRESS_FLUSH_MS);
    }
  };

  flush(): void {
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty = false;
    if (!this.doc) return;
    this.doc.serial++;
    writeFileAtomic(this.path, this.sanitise(`${JSON.stringify(this.doc, null, 2)}\n`), { backup: true });
  }

  close(): void {
    if (this.dirty || this.timer || this.immediate) this.flush();
  }
}

/** Keeps an unfinished run's record beside the state file before a new run replaces it. */
export function archiveUnfinished(path: string, doc: StateDocument): string {
  const archive = `${path}.unfinished-${doc.runId}.json`;
  writeFileAtomic(archive, `${JSON.stringify(doc, null, 2)}\n`);
  return archive;
}

import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { type RunSummary, summarise } from '../backend.js';
import type { StateDocument } from '../document.js';
import { readState } from '../read-state.js';

/** Past runs of a local state file: one JSON file per run in `<state>.history/`, the newest `keep` kept. */
export class FileHistory {
  private readonly dir: string;

  constructor(
    private readonly statePath: string,
    private readonly keep: number,
  ) {
    this.dir = `${statePath}.history`;
  }

  /** Copies the current record into the history before a new run replaces it. */
  keepCurrent(): void {
    const current = readState(this.statePath);
    if (!current) return;
    writeFileAtomic(join(this.dir, `${safeName(current.runId)}.json`), `${JSON.stringify(current, null, 2)}\n`);
    this.prune();
  }

  private prune(): void {
    const files = this.files();
    for (const file of files.slice(0, Math.max(0, files.length - this.keep))) rmSync(join(this.dir, file), { force: true });
  }

  /** Run ids sort by start time, so names sort oldest first. */
  private files(): string[] {
    try {
      return readdirSync(this.dir)
        .filter((name) => name.endsWith('.json'))
        .sort();
    } catch {
      return [];
    }
  }

  read(runId: string): StateDocument | null {
    const doc = readState(join(this.dir, `${safeName(runId)}.json`));
    if (doc) return doc;
    return readState(`${this.statePath}.unfinished-${safeName(runId)}.json`);
  }

  list(current: StateDocument | null, limit: number): RunSummary[] {
    const runs = new Map<string, RunSummary>();
    if (current) runs.set(current.runId, summarise(current));
    for (const file of this.files().reverse()) {
      if (runs.size >= limit) break;
      try {
        const doc = readState(join(this.dir, file));
        if (doc && !runs.has(doc.runId)) runs.set(doc.runId, summarise(doc));
      } catch {
        // A damaged past record does not hide the others.
      }
    }
    return [...runs.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, limit);
  }
}

/** Run ids are ours, but a document pushed by hand could hold anything: keep it a file name. */
function safeName(runId: string): string {
  return runId.replace(/[^A-Za-z0-9._-]/g, '_');
}

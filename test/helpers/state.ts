import fs from 'node:fs/promises';
import path from 'node:path';
import type { StageState, StateDocument } from '../../src/state/document.js';

export type { StageState, StateDocument };

/** Where a run keeps its state when neither the plan nor `--state` says otherwise. */
export function defaultStatePath(planDir: string): string {
  return path.join(planDir, '.rollout', 'state.json');
}

export function lockPath(statePath: string): string {
  return `${statePath}.lock`;
}

export async function readState(file: string): Promise<StateDocument> {
  return JSON.parse(await fs.readFile(file, 'utf8')) as StateDocument;
}

/** The stage called `name`; throws (failing the test) when the state has no such stage. */
export function stageOf(state: StateDocument, name: string): StageState {
  const found = state.stages.find((s) => s.name === name);
  if (!found) throw new Error(`state has no stage "${name}"; stages: ${state.stages.map((s) => s.name).join(', ')}`);
  return found;
}

/**
 * Polls the state file until `predicate` holds. A missing file is retried; a file that exists
 * but is not valid JSON fails at once, since the state must be rewritten atomically.
 */
export async function waitForState(file: string, predicate: (state: StateDocument) => boolean, timeoutMs = 30_000): Promise<StateDocument> {
  const deadline = Date.now() + timeoutMs;
  let last: StateDocument | undefined;
  while (Date.now() < deadline) {
    try {
      last = await readState(file);
      if (predicate(last)) return last;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`state ${file} did not reach the expected condition in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

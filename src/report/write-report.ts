import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../state/atomic-write.js';
import { readState } from '../state/store.js';
import { version } from '../version.js';
import { buildModel } from './build-model.js';
import { type EventLogStore, fileEventLogStore } from './event-log.js';
import type { ReportModel } from './model.js';
import { modelFromState } from './model-from-state.js';
import { renderReport } from './render-page.js';

export interface ReportSource {
  statePath: string;
  /** Defaults to the state file's run, else the newest logged run. */
  runId?: string;
  /** Defaults to the file store beside the state file. */
  store?: EventLogStore;
}

/** A run's page model: from its event log, else (the state file's own run only) from its state document. */
export function loadRun(source: ReportSource): { runId: string; model: ReportModel; fromState: boolean } {
  const store = source.store ?? fileEventLogStore(source.statePath);
  const doc = readState(source.statePath);
  const runId = source.runId ?? doc?.runId ?? store.runs().at(-1);
  if (!runId)
    throw new InputError(`no recorded run at ${source.statePath}: nothing has run with this state file yet (run \`rollout run\`, or pass --state FILE).`);
  const logged = store.read(runId);
  if (logged?.some((r) => r.type === 'run.started')) return { runId, model: buildModel(logged), fromState: false };
  if (doc?.runId === runId) return { runId, model: modelFromState(doc), fromState: true };
  const known = store.runs();
  throw new InputError(
    `no event log for run ${runId} beside ${source.statePath}. ${known.length ? `Runs with a log: ${known.slice(-5).join(', ')}.` : 'No run there has a log yet.'}`,
  );
}

/** Renders the run's report to `out` (atomically: a reader never sees half a page). */
export function writeReport(source: ReportSource, out: (runId: string) => string, now: number): { runId: string; path: string; bytes: number } {
  const { runId, model, fromState } = loadRun(source);
  if (fromState) model.notes = ['No event log was found for this run: the report is rebuilt from its state file, without measurements or command output.'];
  const page = renderReport(model, { generatedAt: now, version });
  const path = out(runId);
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, page);
  return { runId, path, bytes: Buffer.byteLength(page) };
}

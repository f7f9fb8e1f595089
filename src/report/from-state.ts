import type { StateDocument } from '../state/document.js';
import type { LogRecord } from './records.js';

/**
 * Records rebuilt from a state file, for a run that has no event log (it ran before logs were
 * kept, or its log was rotated away): stages and commands on the timeline, no measurements.
 */
export function recordsFromState(doc: StateDocument): LogRecord[] {
  const base = { runId: doc.runId };
  const records: LogRecord[] = [{ ...base, type: 'run.started', time: doc.startedAt, plan: doc.plan, stages: doc.stages.map((s) => s.name) }];
  doc.stages.forEach((stage, index) => {
    const ref = { ...base, stage: stage.name, index };
    if (stage.status === 'skipped') records.push({ ...ref, type: 'stage.skipped', time: stage.finishedAt ?? doc.updatedAt });
    if (!stage.startedAt) return;
    records.push({ ...ref, type: 'stage.started', time: stage.startedAt });
    const deploy = stage.deploy;
    if (deploy.command) {
      records.push({ ...ref, type: 'deploy.started', time: stage.startedAt, command: deploy.command });
      if (deploy.durationMs !== null) {
        const time = new Date(Date.parse(stage.startedAt) + deploy.durationMs).toISOString();
        records.push({
          ...ref,
          type: 'deploy.finished',
          time,
          exitCode: deploy.exitCode,
          signal: deploy.signal,
          timedOut: deploy.timedOut,
          durationMs: deploy.durationMs,
        });
      }
    }
    if (stage.soak.startedAt) records.push({ ...ref, type: 'soak.started', time: stage.soak.startedAt, soakMs: stage.soak.ms ?? 0, checks: [] });
    const end = stage.finishedAt ?? doc.finishedAt ?? doc.updatedAt;
    const duration = Date.parse(end) - Date.parse(stage.startedAt);
    const failed = doc.failure?.stage === stage.name;
    if (failed) records.push({ ...ref, type: 'stage.failed', time: end, reason: doc.failure!.reason, durationMs: duration, check: null, value: null });
    else if (stage.finishedAt) records.push({ ...ref, type: 'stage.passed', time: end, durationMs: duration, inconclusive: [] });
  });
  if (doc.finishedAt && doc.status !== 'running') {
    records.push({ ...base, type: 'run.finished', time: doc.finishedAt, status: doc.status, durationMs: 0, failure: doc.failure, signal: doc.interruptedBy });
  }
  return records.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
}

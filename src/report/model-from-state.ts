import type { StateDocument } from '../state/document.js';
import { fleetViews } from './fleet-model.js';
import { laneStatus } from './lanes.js';
import type { Bar, ReportModel } from './model.js';

/**
 * The page for a run that has no event log (it ran before logs were kept, or its log was rotated
 * away), read straight from its state document: stages and commands on the timeline, no measurements.
 */
export function modelFromState(doc: StateDocument): ReportModel {
  const time = (iso: string | null) => (iso === null ? null : Date.parse(iso));
  const endedAt = time(doc.finishedAt) ?? time(doc.updatedAt) ?? Date.parse(doc.startedAt);
  const bars: Bar[] = [];
  doc.stages.forEach((stage, lane) => {
    const started = time(stage.startedAt);
    if (started === null) return;
    const end = time(stage.finishedAt) ?? endedAt;
    const failed = doc.failure?.stage === stage.name;
    const deployEnd = stage.deploy.durationMs === null ? end : started + stage.deploy.durationMs;
    if (stage.deploy.command) bars.push({ lane, kind: 'deploy', start: started, end: deployEnd, state: deployState(stage.deploy, failed), label: 'deploy' });
    const soaked = time(stage.soak.startedAt);
    // A fleet stage's soak is its last bake; its targets' lanes show its batches.
    if (soaked !== null && !stage.targets)
      bars.push({ lane, kind: 'soak', start: soaked, end, state: failed ? 'failed' : stage.finishedAt ? 'ok' : 'open', label: 'soak' });
  });
  const finished = doc.finishedAt !== null && doc.status !== 'running';
  const failedStage = doc.stages.find((s) => s.name === doc.failure?.stage);
  const failedAt = failedStage ? (time(failedStage.finishedAt) ?? endedAt) : null;
  const markers: ReportModel['markers'] = [];
  if (doc.failure && failedAt !== null) markers.push({ time: failedAt, kind: 'failure', label: `${doc.failure.stage} failed: ${doc.failure.reason}` });
  if (finished && doc.status === 'interrupted')
    markers.push({ time: endedAt, kind: 'interrupt', label: `interrupted${doc.interruptedBy ? ` (${doc.interruptedBy})` : ''}` });
  return {
    runId: doc.runId,
    plan: doc.plan,
    status: finished ? doc.status : 'unfinished',
    startedAt: Date.parse(doc.startedAt),
    endedAt,
    finished,
    failure: doc.failure ? { stage: doc.failure.stage, reason: doc.failure.reason, time: failedAt } : null,
    openings: [],
    lanes: doc.stages.map((stage) => ({ name: stage.name, status: laneStatus(stage, doc), failed: doc.failure?.stage === stage.name })),
    bars,
    markers,
    checks: [],
    commands: [],
    fleets: fleetViews(doc, null, endedAt),
    notes: finished ? [] : ['The record ends without the run finishing: the process was killed, or the run is still going.'],
  };
}

function deployState(deploy: StateDocument['stages'][number]['deploy'], failed: boolean): Bar['state'] {
  if (deploy.durationMs === null) return failed ? 'failed' : 'open';
  return deploy.exitCode === 0 ? 'ok' : 'failed';
}

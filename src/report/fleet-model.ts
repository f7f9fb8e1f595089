import type { StateDocument, TargetState } from '../state/document.js';
import type { FleetSpans } from './fleet-spans.js';
import type { BatchView, FleetView, Span } from './model.js';

/**
 * At most this many failed targets get their checks charted (the first to fail):
 * a fleet of 500 must not make a page of 500 charts. Every target keeps its lane and its reason.
 */
export const MAX_TARGET_CHARTS = 24;

/**
 * The fleet stages of the folded run document (src/run/reduce.ts), each target in its batch: its
 * status and reason are the document's word; when each step ran comes from the event log's
 * spans, or — for a run with no log — from the document's own times.
 */
export function fleetViews(doc: StateDocument, spans: FleetSpans | null, endedAt: number): FleetView[] {
  const views: FleetView[] = [];
  doc.stages.forEach((stage, index) => {
    if (!stage.targets || !stage.fleet) return;
    const batches: BatchView[] = Array.from({ length: stage.fleet.batches }, (_, i) => ({
      batch: i + 1,
      of: stage.fleet!.batches,
      bake: spans?.bakeOf(index, i + 1) ?? null,
      budgetLeft: spans?.budgetOf(index, i + 1) ?? null,
      targets: [],
    }));
    for (const target of stage.targets) {
      batches[target.batch - 1]?.targets.push({
        name: target.name,
        status: target.status,
        failed: target.failed,
        reason: target.reason,
        attempts: target.attempts,
        checks: checkWords(target),
        spans: spans?.spansOf(index, target.name) ?? spansFromDocument(target, endedAt),
      });
    }
    views.push({
      stage: stage.name,
      index,
      batches,
      counts: {
        targets: stage.targets.length,
        updated: stage.targets.filter((t) => t.status === 'updated').length,
        failed: stage.targets.filter((t) => t.failed).length,
      },
    });
  });
  return views;
}

/**
 * `<stage index>\0<target>` of the failed targets whose checks are charted: the first
 * MAX_TARGET_CHARTS to fail among those whose checks ran (a failed deploy has nothing to chart).
 */
export function chartedTargets(doc: StateDocument): Set<string> {
  const failed = doc.stages.flatMap((stage, index) =>
    (stage.targets ?? []).filter((t) => t.failed && t.checkResults.checks.length > 0).map((t) => ({ key: `${index}\0${t.name}`, at: t.finishedAt ?? '' })),
  );
  failed.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return new Set(failed.slice(0, MAX_TARGET_CHARTS).map((f) => f.key));
}

/**
 * A target's steps as its document records them, for a run with no event log: the deploy from its
 * start for its duration, then its checks until it finished; its rollback, right after, for its duration.
 */
function spansFromDocument(target: TargetState, endedAt: number): Span[] {
  const started = target.startedAt === null ? null : Date.parse(target.startedAt);
  if (started === null) return [];
  const finished = target.finishedAt === null ? null : Date.parse(target.finishedAt);
  const spans: Span[] = [];
  const deploy = target.deploy;
  const deployEnd = deploy.durationMs === null ? (finished ?? endedAt) : started + deploy.durationMs;
  const deployOk = deploy.exitCode === 0 && !deploy.timedOut;
  spans.push({
    kind: 'deploy',
    start: started,
    end: deployEnd,
    state: deploy.durationMs === null ? (finished ? 'failed' : 'open') : deployOk ? 'ok' : 'failed',
  });
  if (deployOk && (finished ?? endedAt) > deployEnd) {
    spans.push({ kind: 'soak', start: deployEnd, end: finished ?? endedAt, state: finished === null ? 'open' : target.failed ? 'failed' : 'ok' });
  }
  const rollback = target.rollback;
  if (rollback.command !== null && finished !== null) {
    const ok = rollback.exitCode === 0 && !rollback.timedOut;
    spans.push({
      kind: 'rollback',
      start: finished,
      end: finished + (rollback.durationMs ?? 0),
      state: rollback.durationMs === null ? 'open' : ok ? 'ok' : 'failed',
    });
  }
  return spans;
}

/** `health: 5 pass; latency: 4 pass, 1 inconclusive`: each check's measurements by outcome. */
function checkWords(target: TargetState): string {
  return target.checkResults.checks
    .map((check) => {
      const counts = Object.entries(check.counts ?? {}).filter(([, n]) => n > 0);
      return `${check.name}: ${counts.length ? counts.map(([outcome, n]) => `${n} ${outcome}`).join(', ') : 'no measurement'}`;
    })
    .join('; ');
}

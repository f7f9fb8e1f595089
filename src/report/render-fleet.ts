import { MAX_TARGET_CHARTS } from './fleet-model.js';
import { clockTime, formatDuration, statusWords } from './format.js';
import { type Html, html } from './html.js';
import type { BatchView, FleetView, ReportModel, Span, TargetLane } from './model.js';
import { renderAxis } from './render-timeline.js';

const SPAN_WORD: Record<Span['kind'], string> = { deploy: 'deploy', verify: 'verify', soak: 'checks', rollback: 'rollback', bake: 'bake' };

/**
 * A fleet stage's swimlane: one lane per target, grouped by batch, its deploy, verify, checks and
 * rollback as bars coloured by outcome, a failed target marked with its reason; each batch
 * labelled (`batch 2/4`) and followed by its bake. Plain HTML and CSS, like the timeline: 500
 * lanes are a few hundred KB and lay out at once. Target names and reasons come from outside:
 * they go through `html`, like everything else.
 */
export function renderFleets(model: ReportModel): Html {
  if (model.fleets.length === 0) return html``;
  return html`<section id="targets" aria-labelledby="targets-title">
  <h2 id="targets-title">Targets</h2>
  <p class="fleet-note">One lane per target, grouped by batch. Checks are charted only for the fleet checks and for failed targets (the first ${MAX_TARGET_CHARTS} to fail whose checks ran): a page of hundreds of charts would not open. Every target's outcome is in its lane.</p>
  ${model.fleets.map((fleet) => renderFleet(fleet, model.startedAt))}
  <ul class="legend">
    <li><i class="swatch bar-deploy"></i>deploy</li><li><i class="swatch bar-verify"></i>verify</li><li><i class="swatch bar-soak"></i>checks (soak)</li>
    <li><i class="swatch bar-rollback"></i>rollback</li><li><i class="swatch bar-bake"></i>bake (fleet checks)</li><li><i class="swatch swatch-failed"></i>failed</li>
    <li><i class="swatch bar-rollback bar-later"></i>at the right edge: after the batch (the run's rollback)</li>
  </ul>
</section>`;
}

function renderFleet(fleet: FleetView, runStart: number): Html {
  const failed = fleet.batches.flatMap((b) => b.targets.filter((t) => t.failed).map((t) => ({ target: t, batch: b })));
  const { targets } = fleet.counts;
  return html`<div class="fleet" data-stage="${fleet.stage}">
  <h3>${fleet.stage} <span class="fleet-counts">${targets} target${targets === 1 ? '' : 's'} · ${countWords(fleet.batches.flatMap((b) => b.targets))}</span></h3>
  ${failed.length ? renderFailed(failed) : ''}
  <div class="gantt fleet-gantt">
    ${fleet.batches.map((batch) => renderBatch(batch, runStart))}
  </div>
</div>`;
}

/** The failed targets first, in words: the lanes below show where. */
function renderFailed(failed: { target: TargetLane; batch: BatchView }[]): Html {
  return html`<table class="failed-targets">
    <thead><tr><th>failed target</th><th>batch</th><th>now</th><th>reason</th></tr></thead>
    <tbody>${failed.map(
      ({ target, batch }) =>
        html`<tr data-target="${target.name}"><td class="tname-cell">${target.name}</td><td class="num">${batch.batch}/${batch.of}</td><td>${statusWords(target.status)}</td><td class="reason">${target.reason ?? 'no reason recorded'}</td></tr>`,
    )}</tbody>
  </table>`;
}

/**
 * A batch on its own time axis, from its first deploy to the end of its bake: on the stage's
 * axis a target's few seconds among hours of batches would be a dot. Ticks count from the run's
 * start. What starts after the batch (the run's rollback, later) sits at the axis' right edge,
 * its title saying when.
 */
function renderBatch(batch: BatchView, runStart: number): Html {
  const all = [...batch.targets.flatMap((t) => t.spans), ...(batch.bake ? [batch.bake] : [])];
  const from = all.reduce((min, s) => Math.min(min, s.start), Number.POSITIVE_INFINITY);
  const cutoff = batch.bake?.end ?? all.filter((s) => s.kind !== 'rollback').reduce((max, s) => Math.max(max, s.end), from);
  const span = Math.max(1, all.filter((s) => s.start <= cutoff).reduce((max, s) => Math.max(max, s.end), from) - from);
  const budget = batch.budgetLeft === null ? '' : ` · ${batch.budgetLeft} more failure${batch.budgetLeft === 1 ? '' : 's'} tolerated after it`;
  const bar = (s: Span, title: string) => {
    if (s.start > cutoff) return html`<i class="bar bar-${s.kind} bar-${s.state} bar-later" title="later: ${title}"></i>`;
    const width = ((s.end - s.start) / span) * 100;
    return html`<i class="bar bar-${s.kind} bar-${s.state}" style="left:${(((s.start - from) / span) * 100).toFixed(2)}%;width:${width.toFixed(2)}%" title="${title}"></i>`;
  };
  return html`<div class="batch" data-batch="${batch.batch}">
  <div class="batch-head"><strong class="batch-label">batch ${batch.batch}/${batch.of}</strong> · ${batch.targets.length} target${batch.targets.length === 1 ? '' : 's'} · ${all.length ? html`${countWords(batch.targets)}${budget}${batch.bake ? ` · bake ${formatDuration(batch.bake.end - batch.bake.start)}` : ''}` : 'not reached'}</div>
  ${all.length ? renderAxis(from, span, runStart) : ''}
  ${batch.targets.map(
    (
      target,
    ) => html`<div class="tlane${target.failed || target.status === 'rollback_failed' ? ' lane-failing' : ''}" data-target="${target.name}" data-status="${target.status}">
  <div class="tname" title="${target.name}${target.reason ? `: ${target.reason}` : ''}"><span class="name">${target.name}</span> <span class="lane-status">${laneWords(target)}</span></div>
  <div class="track">${target.spans.map((s) => bar(s, `${spanTitle(s, target.name)}${s.kind === 'soak' && target.checks ? ` — ${target.checks}` : ''}`))}</div>
</div>`,
  )}
  ${batch.bake ? html`<div class="tlane bake-lane"><div class="tname"><span class="lane-status">bake</span></div><div class="track">${bar(batch.bake, spanTitle(batch.bake, `batch ${batch.batch}`))}</div></div>` : ''}
</div>`;
}

/** `148 updated, 1 rolled back, 1 failed`: where the targets that did not fail are now, then the failed ones. */
function countWords(targets: TargetLane[]): Html {
  const counts = new Map<string, number>();
  for (const t of targets) if (!t.failed) counts.set(statusWords(t.status), (counts.get(statusWords(t.status)) ?? 0) + 1);
  const words = [...counts].sort(([a], [b]) => Number(b === 'updated') - Number(a === 'updated')).map(([status, n]) => `${n} ${status}`);
  const failed = targets.filter((t) => t.failed).length;
  return html`${words.join(', ')}${failed ? html`${words.length ? ', ' : ''}<span class="count-fail">${failed} failed</span>` : ''}`;
}

function laneWords(target: TargetLane): string {
  const status = statusWords(target.status);
  const again = target.attempts > 1 ? ` (attempt ${target.attempts})` : '';
  if (!target.failed) return `${status}${again}`;
  return `✕ ${target.status === 'failed' ? '' : `${status}: `}${target.reason ?? 'failed'}${again}`;
}

function spanTitle(span: Span, of: string): string {
  const how = span.state === 'failed' ? ' — failed' : span.state === 'open' ? ' — did not finish' : '';
  return `${SPAN_WORD[span.kind]} ${of}: ${clockTime(span.start)}, ${formatDuration(span.end - span.start)}${how}`;
}

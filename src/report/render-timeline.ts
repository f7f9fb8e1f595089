import { clockTime, formatDuration, offset, statusWords } from './format.js';
import { type Html, html } from './html.js';
import type { Bar, ReportModel } from './model.js';

const STEPS_S = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/**
 * The Gantt-like timeline: one lane per stage (plus the plan's rollback when it ran), bars for
 * deploy, soak and rollback (pauses and gates later), and a line where the run failed or stopped.
 * Pure HTML and CSS: it needs no script, so it shows even if charts cannot be drawn.
 */
export function renderTimeline(model: ReportModel): Html {
  const span = Math.max(1, model.endedAt - model.startedAt);
  const pct = (ms: number) => `${(((ms - model.startedAt) / span) * 100).toFixed(3)}%`;
  const share = (bar: Bar) => ((bar.end - bar.start) / span) * 100;
  const markers = model.markers.map(
    (m) => html`<div class="marker marker-${m.kind}" style="left:${pct(m.time)}" title="${clockTime(m.time)} ${m.label}"></div>`,
  );
  const lanes = model.lanes.map((lane, index) => {
    const bars = model.bars.filter((b) => b.lane === index);
    const failed = lane.failed || lane.status === 'rollback_failed';
    return html`<div class="lane lane-${lane.status}${failed ? ' lane-failing' : ''}" data-stage="${lane.name}" data-status="${lane.status}">
      <div class="lane-name"><span class="name" title="${lane.name}">${lane.name}</span><span class="lane-status">${failed ? '✕ ' : ''}${lane.failed && lane.status !== 'failed' ? `failed, ${statusWords(lane.status)}` : statusWords(lane.status)}</span></div>
      <div class="track">${markers}${bars.map(
        (bar) =>
          html`<div class="bar bar-${bar.kind} bar-${bar.state}" data-kind="${bar.kind}" style="left:${pct(bar.start)};width:${share(bar).toFixed(3)}%" title="${bar.label} ${lane.name}: ${clockTime(bar.start)}, ${formatDuration(bar.end - bar.start)}${bar.state === 'failed' ? ' — failed' : bar.state === 'open' ? ' — did not finish' : ''}">${share(bar) >= 5 ? html`<span>${bar.label}</span>` : ''}</div>`,
      )}${note(lane.status) ? html`<span class="lane-note">${note(lane.status)}</span>` : ''}</div>
    </div>`;
  });
  return html`<section id="timeline" aria-labelledby="timeline-title">
  <h2 id="timeline-title">Timeline</h2>
  <div class="gantt">
    ${renderAxis(model.startedAt, span, model.startedAt)}
    ${lanes}
  </div>
  <ul class="legend">
    <li><i class="swatch bar-deploy"></i>deploy</li><li><i class="swatch bar-soak"></i>soak</li><li><i class="swatch bar-rollback"></i>rollback</li>
    <li><i class="swatch swatch-failed"></i>failed</li><li><i class="swatch marker-failure"></i>failing moment</li>
    ${model.markers.some((m) => m.kind === 'interrupt') ? html`<li><i class="swatch marker-interrupt"></i>interrupted</li>` : ''}
    ${model.markers.some((m) => m.kind === 'resume') ? html`<li><i class="swatch marker-resume"></i>resumed</li>` : ''}
    ${model.bars.some((b) => b.kind === 'batch') ? html`<li><i class="swatch bar-batch"></i>batch (its targets deploying)</li><li><i class="swatch bar-bake"></i>bake (fleet checks)</li>` : ''}
    ${model.bars.some((b) => b.kind === 'gate') ? html`<li><i class="swatch bar-gate"></i>waiting for a deploy window</li>` : ''}
    ${model.markers.some((m) => m.kind === 'blocked') ? html`<li><i class="swatch marker-blocked"></i>blocked by a deploy window</li>` : ''}
  </ul>
</section>`;
}

/** The time axis over `span` ms from `from`: round offsets from the run's start, the first as a clock time. */
export function renderAxis(from: number, span: number, runStart: number): Html {
  const pct = (ms: number) => `${(((ms - from) / span) * 100).toFixed(3)}%`;
  return html`<div class="axis"><div class="lane-name"></div><div class="track">${ticks(from, span).map(
    (t) => html`<span class="tick" style="left:${pct(t)}" title="${clockTime(t)}">${t === runStart ? clockTime(t) : offset(t, runStart)}</span>`,
  )}</div></div>`;
}

/** Round offsets from the start, at most about eight of them. */
function ticks(start: number, span: number): number[] {
  const step = (STEPS_S.find((s) => span / 1000 / s <= 8) ?? 86400) * 1000;
  const out: number[] = [];
  for (let t = 0; t <= span; t += step) out.push(start + t);
  return out;
}

function note(status: string): string | null {
  return status === 'skipped' ? 'skipped: never deployed' : status === 'pending' ? 'not reached' : status === 'blocked' ? 'blocked by a deploy window' : null;
}

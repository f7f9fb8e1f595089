import { clockTime, dateTime, formatDuration, statusWords } from './format.js';
import { type Html, html, safeHref } from './html.js';
import type { ReportModel } from './model.js';

/** Plan, outcome, who and where, how long: what a reviewer reads first. */
export function renderHeader(model: ReportModel): Html {
  const first = model.openings[0];
  const ci = model.openings.map((o) => o.origin.ci).find((c) => c !== null) ?? null;
  const href = safeHref(ci?.url);
  const who = first ? [first.origin.user, first.origin.host].filter(Boolean).join(' on ') : null;
  const later = model.openings
    .slice(1)
    .map((o) => html`<li><code>${o.command}</code> at ${clockTime(Date.parse(o.time))}${o.origin.user ? ` by ${o.origin.user}` : ''} on ${o.origin.host}</li>`);
  const vars = Object.entries(model.plan.vars);
  return html`<header class="page-head status-${model.status}">
  <p class="eyebrow">rolloutctl · run report</p>
  <h1><span class="plan-name">${model.plan.name}</span> <span class="badge badge-${model.status}" data-testid="outcome">${statusWords(model.status)}</span></h1>
  ${renderVerdict(model)}
  <dl class="facts">
    <div><dt>Run</dt><dd><code>${model.runId}</code></dd></div>
    <div><dt>Started</dt><dd>${dateTime(model.startedAt)}</dd></div>
    <div><dt>${model.finished ? 'Finished' : 'Last record'}</dt><dd>${dateTime(model.endedAt)}</dd></div>
    <div><dt>Duration</dt><dd>${formatDuration(model.endedAt - model.startedAt)}</dd></div>
    ${who ? html`<div><dt>Ran by</dt><dd>${who}${first ? html` · <code>${first.command}</code>` : ''}</dd></div>` : ''}
    ${ci ? html`<div><dt>CI job</dt><dd>${href ? html`<a href="${href}" rel="noreferrer noopener">${ci.provider}${ci.job ? ` · ${ci.job}` : ''}</a>` : `${ci.provider}${ci.job ? ` · ${ci.job}` : ''}`}</dd></div>` : ''}
    <div><dt>Plan file</dt><dd><code>${model.plan.path}</code> <span class="dim">sha256 ${model.plan.sha256.slice(0, 12)}</span></dd></div>
  </dl>
  ${later.length ? html`<details class="later"><summary>Continued by ${later.length} later command${later.length > 1 ? 's' : ''}</summary><ul>${later}</ul></details>` : ''}
  ${vars.length ? html`<details class="vars"><summary>Vars (${vars.length})</summary><dl>${vars.map(([k, v]) => html`<div><dt><code>${k}</code></dt><dd><code>${v}</code></dd></div>`)}</dl></details>` : ''}
</header>`;
}

function renderVerdict(model: ReportModel): Html {
  if (model.failure) {
    const when = model.failure.time === null ? '' : ` at ${clockTime(model.failure.time)}`;
    return html`<p class="verdict verdict-bad">Stage <strong>${model.failure.stage}</strong> failed${when}: ${model.failure.reason}</p>`;
  }
  if (model.status === 'succeeded') return html`<p class="verdict verdict-good">Every stage deployed and passed its soak.</p>`;
  if (model.status === 'interrupted')
    return html`<p class="verdict verdict-warn">The run was interrupted; <code>rollout resume</code> or <code>rollout rollback</code> can finish it.</p>`;
  if (model.status === 'blocked') {
    const blocked = model.markers.find((m) => m.kind === 'blocked');
    return html`<p class="verdict verdict-warn">${blocked ? blocked.label : 'A deploy window blocked the next stage'}; <code>rollout resume</code> continues it.</p>`;
  }
  if (!model.finished) return html`<p class="verdict verdict-warn">The record ends before the run finished.</p>`;
  return html``;
}

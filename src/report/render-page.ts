import { contentSecurityPolicy, uplotAssets } from './assets.js';
import type { CheckSeries } from './check-series.js';
import { CLIENT_SCRIPT } from './client-script.js';
import { dateTime } from './format.js';
import { Html, html, jsonForScript } from './html.js';
import type { ReportModel } from './model.js';
import { renderChecks } from './render-checks.js';
import { renderCommands } from './render-commands.js';
import { renderFleets } from './render-fleet.js';
import { renderHeader } from './render-header.js';
import { renderTimeline } from './render-timeline.js';
import { STYLES } from './styles.js';

const OUTCOME_CODE = { pass: 'p', fail: 'f', inconclusive: 'i', error: 'e' } as const;

/**
 * The whole report as one HTML document: inline CSS, inlined uPlot, the chart data as JSON, and a
 * Content-Security-Policy that lets nothing load from anywhere. Opens from file:// with no server.
 */
export function renderReport(model: ReportModel, meta: { generatedAt: number; version: string }): string {
  const uplot = uplotAssets();
  const csp = contentSecurityPolicy([uplot.js, CLIENT_SCRIPT]);
  const title = `${model.plan.name} · ${model.runId} · ${model.status.replaceAll('_', ' ')}`;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${new Html(uplot.css)}</style>
<style>${new Html(STYLES)}</style>
</head>
<body>
<main>
${renderHeader(model)}
${model.notes.length ? html`<div class="notes">${model.notes.map((n) => html`<p>${n}</p>`)}</div>` : ''}
${renderTimeline(model)}
${renderFleets(model)}
${renderChecks(model)}
${renderCommands(model)}
<footer>Written by rolloutctl ${meta.version} at ${dateTime(meta.generatedAt)} from the run's event log. Secrets are redacted as in every rolloutctl output. This page loads nothing from the network; charts by uPlot ${uplot.version} (MIT), inlined.</footer>
</main>
<script type="application/json" id="report-data">${new Html(jsonForScript(chartData(model)))}</script>
<script>${new Html(uplot.js)}</script>
<script>${new Html(CLIENT_SCRIPT)}</script>
</body>
</html>
`;
  return page.text;
}

/** Columns per check, times relative to the run's start: small, and all the script needs. */
function chartData(model: ReportModel) {
  return {
    start: model.startedAt,
    end: model.endedAt,
    checks: model.checks.map((check: CheckSeries) => ({
      t: check.t.map((t) => t - model.startedAt),
      v: check.v,
      o: check.o.map((o) => OUTCOME_CODE[o]).join(''),
      notes: check.notes,
      lines: check.threshold?.lines ?? [],
      bad: check.threshold?.bad ?? [],
      unsure: check.threshold?.unsure ?? [],
      label: check.valueLabel,
      unit: check.unit,
      interval: check.intervalMs,
      cmp: check.compare && { b: check.compare.b, c: check.compare.c, lo: check.compare.lo, hi: check.compare.hi, allowed: check.compare.allowed },
      failAt: failAt(model, check),
      failLabel: check.target === null ? 'stage failed' : 'target failed',
    })),
  };
}

/** The chart's failing moment: its target's failure, or its stage's. */
function failAt(model: ReportModel, check: CheckSeries): number | null {
  if (check.target !== null) return check.failedAt === null ? null : check.failedAt - model.startedAt;
  return model.failure?.time != null && model.failure.stage === check.stage ? model.failure.time - model.startedAt : null;
}

import { presentationOf } from '../checks/presentation.js';
import type { CheckSeries, Outcome } from './check-series.js';
import { MAX_TARGET_CHARTS } from './fleet-model.js';
import { clockTime, formatDuration, formatNumber, offset } from './format.js';
import { type Html, html } from './html.js';
import type { ReportModel } from './model.js';

const OUTCOMES: Outcome[] = ['pass', 'fail', 'inconclusive', 'error'];

/**
 * One card per check per stage: what it measures, its condition, its counts, and how it failed in
 * words; the chart itself is drawn by the page's script into `.chart` from the embedded data.
 */
export function renderChecks(model: ReportModel): Html {
  if (model.checks.length === 0)
    return html`<section id="checks"><h2>Checks</h2>${model.fleets.length ? fleetNote(model) : html`<p class="dim">No health check ran in this run.</p>`}</section>`;
  return html`<section id="checks" aria-labelledby="checks-title">
  <h2 id="checks-title">Checks</h2>
  ${fleetNote(model)}
  <ul class="legend">${OUTCOMES.map((o) => html`<li><i class="dot dot-${o}"></i>${o}</li>`)}<li><i class="swatch swatch-band"></i>failing range</li>${model.checks.some((c) => c.threshold?.unsure.length) ? html`<li><i class="swatch swatch-unsure"></i>inconclusive range</li>` : ''}<li><i class="swatch swatch-threshold"></i>threshold</li>${model.checks.some((c) => c.compare) ? html`<li><i class="swatch swatch-canary"></i>canary</li><li><i class="swatch swatch-baseline"></i>baseline</li><li><i class="swatch swatch-interval"></i>interval</li><li><i class="swatch swatch-allowed"></i>allowed band</li>` : ''}</ul>
  <div class="check-grid">${model.checks.map((check, i) => renderCheck(check, i, model))}</div>
</section>`;
}

function renderCheck(check: CheckSeries, index: number, model: ReportModel): Html {
  const conditions = [check.pass ? `pass: ${check.pass}` : null, check.fail ? `fail: ${check.fail}` : null].filter(Boolean).join(' · ');
  // A comparison's rule is its own verdict on both sides, not the kind's plain rule (e.g. a command's exit code).
  const rule = conditions || (check.compare ? 'judged canary against baseline' : presentationOf(check.kind).rule);
  const every = check.intervalMs > 0 ? ` · every ${formatDuration(check.intervalMs)}` : '';
  return html`<article class="check verdict-${check.verdict ?? 'none'}${check.decisive ? ' decisive' : ''}" data-check="${index}" data-stage="${check.stage}"${check.target === null ? '' : html` data-target="${check.target}"`} data-name="${check.name}" data-points="${check.t.length}">
  <header>
    <h3><span class="stage-tag">${check.stage}</span>${unitTag(check, model)} ${check.name}</h3>
    <span class="badge badge-${check.verdict ?? 'none'}">${check.decisive ? `failed the ${check.target === null ? 'stage' : 'target'}` : (check.verdict ?? 'no data')}</span>
  </header>
  <p class="describe"><span class="kind">${check.kind}</span> ${check.describe && check.describe !== check.name ? html`<code>${check.describe}</code>` : ''}${check.dryRun ? html` <span class="badge badge-none">dry run</span>` : ''}</p>
  <p class="rule">${rule} · ${check.failureThreshold} failure${check.failureThreshold === 1 ? '' : 's'} in a row fail${check.failureThreshold === 1 ? 's' : ''} the ${check.target === null ? 'stage' : 'target'}${every}</p>
  ${explain(check, model)}
  ${check.compare ? html`<p class="compare-explain">Canary against baseline (${check.compare.centre} per look; shaded: the shift's interval around the baseline; dashed: the allowed effect): <q>${check.compare.text}</q></p>` : ''}
  <p class="counts">${check.t.length} measurement${check.t.length === 1 ? '' : 's'}: ${OUTCOMES.filter((o) => check.counts[o] > 0).map((o) => html`<span class="count count-${o}">${check.counts[o]} ${o}</span> `)}</p>
  <div class="chart" id="chart-${index}" role="img" aria-label="${check.valueLabel} of ${check.name} in ${check.stage} over time"></div>
  <p class="readout" id="readout-${index}">Point at the chart for each measurement.</p>
</article>`;
}

/** A target's check names its target; a fleet stage's own check is a fleet check. */
function unitTag(check: CheckSeries, model: ReportModel): Html {
  if (check.target !== null) return html`<span class="stage-tag target-tag">${check.target}</span>`;
  return model.fleets.some((f) => f.index === check.stageIndex) ? html`<span class="stage-tag target-tag">fleet</span>` : html``;
}

/** Which checks of a fleet are charted, and why not all. */
function fleetNote(model: ReportModel): Html {
  if (model.fleets.length === 0) return html``;
  const failed = model.fleets.reduce((n, f) => n + f.counts.failed, 0);
  const charted = new Set(model.checks.filter((c) => c.target !== null).map((c) => `${c.stageIndex}\0${c.target}`)).size;
  const which =
    failed === 0
      ? '; no target failed'
      : ` (${charted} of ${failed} failed target${failed === 1 ? '' : 's'}: at most ${MAX_TARGET_CHARTS}, the first to fail whose checks ran)`;
  return html`<p class="fleet-note">In fleet stages, only the fleet checks and the checks of failed targets are charted${which}; each target's outcome is in its lane under Targets.</p>`;
}

/** For the check that failed its stage: when, how far into the soak, and by how much. */
function explain(check: CheckSeries, model: ReportModel): Html {
  if (!check.decisive) return html``;
  const last = check.o.length - 1;
  let first = last;
  while (first > 0 && check.o[first - 1] !== 'pass') first--;
  const at = check.t[first];
  if (at === undefined) return html``;
  const value = check.v[last];
  const limit = check.threshold?.lines;
  const by =
    value !== null && value !== undefined && limit?.length
      ? `; last value ${formatNumber(value)} against ${limit.map(formatNumber).join(' / ')}`
      : value !== null && value !== undefined && !check.threshold
        ? `; last value ${formatNumber(value)}${check.unit ? ` ${check.unit}` : ` (${check.valueLabel})`}`
        : '';
  const note = check.notes[last];
  const soakStart = check.soakStart ?? model.bars.find((b) => b.kind === 'soak' && b.lane === check.stageIndex)?.start ?? model.startedAt;
  const from = `${clockTime(at)} (${offset(at, soakStart)} into the soak)`;
  return html`<p class="explain">${VERDICT_OPENING[check.verdict ?? 'fail']} ${from}, ${inARow(check.o.slice(first, last + 1))}${by}${note ? html`: <q>${note}</q>` : ''}.</p>`;
}

/** How the verdict reads: an inconclusive check did not fail, it never showed health. */
const VERDICT_OPENING: Record<Outcome, string> = {
  fail: 'Failing from',
  inconclusive: 'Inconclusive from',
  error: 'Not measurable from',
  pass: 'From',
};

const OUTCOME_WORD: Record<Outcome, string> = { fail: 'failed', inconclusive: 'inconclusive', error: 'unmeasurable', pass: 'passing' };

/** `3 failed measurements in a row`, `4 inconclusive measurements in a row`, `2 failed and 1 unmeasurable …`. */
function inARow(outcomes: Outcome[]): string {
  const kinds = OUTCOMES.filter((o) => outcomes.includes(o)).map((o) => `${outcomes.filter((x) => x === o).length} ${OUTCOME_WORD[o]}`);
  const words = kinds.length > 1 ? `${kinds.slice(0, -1).join(', ')} and ${kinds.at(-1)}` : (kinds[0] ?? '0');
  return `${words} measurement${outcomes.length === 1 ? '' : 's'} in a row`;
}

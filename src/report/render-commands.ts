import { clockTime, formatDuration } from './format.js';
import { type Html, html } from './html.js';
import type { CommandRow, ReportModel } from './model.js';

/**
 * Deploy and rollback commands in the order they ran: one row each with its exit code and
 * duration, and under it the last lines of its output (open when the command failed). A fleet's
 * targets that were updated are left out when their command went well: 500 rows of `exit 0` would
 * bury the ones that matter (each target's lane shows it ran).
 */
export function renderCommands(model: ReportModel): Html {
  if (model.commands.length === 0) return html`<section id="commands"><h2>Commands</h2><p class="dim">No command ran.</p></section>`;
  const failed = new Set(model.fleets.flatMap((f) => f.batches.flatMap((b) => b.targets.filter((t) => t.failed).map((t) => `${f.stage}\0${t.name}`))));
  const shown = model.commands.filter((row) => row.target === null || row.outcome?.exitCode !== 0 || failed.has(`${row.stage}\0${row.target}`));
  const left = model.commands.length - shown.length;
  return html`<section id="commands" aria-labelledby="commands-title">
  <h2 id="commands-title">Commands</h2>
  ${left ? html`<p class="fleet-note" data-left-out="${left}">${left} command${left === 1 ? '' : 's'} of targets that did not fail, each exiting 0, ${left === 1 ? 'is' : 'are'} not listed.</p>` : ''}
  <table class="commands">
    <thead><tr><th>phase</th><th>stage</th><th>command</th><th>result</th><th>duration</th><th>started</th></tr></thead>
    <tbody>${shown.map(renderCommand)}</tbody>
  </table>
</section>`;
}

function renderCommand(row: CommandRow): Html {
  const outcome = row.outcome;
  const ok = outcome?.exitCode === 0;
  const result = !outcome
    ? 'did not finish'
    : outcome.error
      ? `could not start: ${outcome.error}`
      : outcome.timedOut
        ? `timed out${outcome.signal ? ` (${outcome.signal})` : ''}`
        : outcome.signal
          ? `killed by ${outcome.signal}`
          : `exit ${outcome.exitCode}`;
  const output = row.lines.length
    ? html`<tr class="output-row"><td colspan="6"><details${ok ? '' : ' open'}><summary>Last ${row.lines.length} line${row.lines.length === 1 ? '' : 's'} of output${row.droppedLines ? ` (${row.droppedLines} earlier not kept)` : ''}</summary><pre class="output">${row.lines.map(
        (line) => html`<span class="${line.stream}">${line.text}</span>\n`,
      )}</pre></details></td></tr>`
    : '';
  return html`<tr class="command ${ok ? 'command-ok' : 'command-bad'}" data-phase="${row.phase}" data-stage="${row.stage ?? ''}"${row.target === null ? '' : html` data-target="${row.target}"`}>
    <td><span class="phase phase-${row.phase}">${row.phase}</span></td>
    <td class="stage-cell">${row.stage ?? 'whole plan'}${row.target === null ? '' : html` <span class="target-tag">${row.target}</span>`}</td>
    <td><code>${row.command}</code></td>
    <td><span class="badge ${ok ? 'badge-pass' : 'badge-fail'}">${result}</span></td>
    <td class="num">${outcome ? formatDuration(outcome.durationMs) : '—'}</td>
    <td class="num dim">${clockTime(row.start)}</td>
  </tr>${output}`;
}

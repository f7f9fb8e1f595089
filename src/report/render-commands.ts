import { clockTime, formatDuration } from './format.js';
import { type Html, html } from './html.js';
import type { CommandRow, ReportModel } from './model.js';

/** Deploy and rollback commands in the order they ran, with exit codes, durations and last output lines. */
export function renderCommands(model: ReportModel): Html {
  if (model.commands.length === 0) return html`<section id="commands"><h2>Commands</h2><p class="dim">No command ran.</p></section>`;
  return html`<section id="commands" aria-labelledby="commands-title">
  <h2 id="commands-title">Commands</h2>
  ${model.commands.map(renderCommand)}
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
  return html`<article class="command ${ok ? 'command-ok' : 'command-bad'}" data-phase="${row.phase}" data-stage="${row.stage ?? ''}">
  <header>
    <span class="phase phase-${row.phase}">${row.phase}</span>
    <strong>${row.stage ?? 'whole plan'}</strong>
    <span class="badge ${ok ? 'badge-pass' : 'badge-fail'}">${result}</span>
    <span class="dim">${clockTime(row.start)}${outcome ? ` · ${formatDuration(outcome.durationMs)}` : ''}</span>
  </header>
  <pre class="cmdline"><code>$ ${row.command}</code></pre>
  ${
    row.lines.length
      ? html`<details${ok ? '' : ' open'}><summary>Last ${row.lines.length} line${row.lines.length === 1 ? '' : 's'} of output${row.droppedLines ? ` (${row.droppedLines} earlier not kept)` : ''}</summary><pre class="output">${row.lines.map(
          (line) => html`<span class="${line.stream}">${line.text}</span>\n`,
        )}</pre></details>`
      : html`<p class="dim">No output.</p>`
  }
</article>`;
}

import type { ChalkInstance } from 'chalk';
import type { RunStatus } from '../engine/events.js';
import type { StageState } from '../state/document.js';
import { escapeControl } from './escape-control.js';
import { nameList, progressText, type TargetGroup } from './fleet-progress.js';
import { fleetView, sameDetail } from './fleet-view.js';

/** Targets named per group at most: past that, a count (500 failures are a pattern, not a list to read). */
export const MAX_NAMED = 20;

const GROUP_COLOR = {
  failed: (c) => c.red,
  'rollback failed': (c) => c.red.bold,
  'rolling back': (c) => c.yellow,
  'in progress': (c) => c.cyan,
  updated: (c) => c.green,
  'rolled back': (c) => c.yellow,
  pending: (c) => c.dim,
  skipped: (c) => c.dim,
} satisfies Record<TargetGroup, (c: ChalkInstance) => ChalkInstance>;

/**
 * A fleet stage under `rollout status`'s stage table: where it is and its counts, one row per
 * batch (alike ones merged), then the targets that need a look by name with why (the head line
 * counts the rest). Stays about 20 lines with 500 targets.
 */
export function renderFleet(stage: StageState, c: ChalkInstance, runStatus?: RunStatus): string[] {
  const view = fleetView(stage, runStatus);
  if (!view) return [];
  const name = (text: string) => escapeControl(text);
  const lines = [`${c.bold(name(view.stage))}: ${view.where} · ${progressText(stage.targets ?? [])}`];
  const width = Math.max(0, ...view.batches.map((row) => row.batches.length));
  for (const row of view.batches) lines.push(`  ${c.dim('batch')} ${row.batches.padEnd(width)}  ${row.text}`);
  for (const { group, targets } of view.named) {
    lines.push(`  ${GROUP_COLOR[group](c)(`${group} (${targets.length}):`)}`);
    const alike = sameDetail(targets);
    if (alike) {
      for (const { detail, names } of alike.slice(0, MAX_NAMED)) lines.push(`    ${names.length} × ${name(detail)}: ${nameList(names.map(name))}`);
      if (alike.length > MAX_NAMED) lines.push(`    … and ${alike.length - MAX_NAMED} more reasons (\`rollout status --json\` lists every target)`);
      continue;
    }
    const shown = targets.slice(0, MAX_NAMED);
    const nameWidth = Math.max(...shown.map((t) => name(t.name).length));
    for (const target of shown) lines.push(`    ${name(target.name).padEnd(nameWidth)}  ${name(target.detail)}`);
    if (targets.length > shown.length) lines.push(`    … and ${targets.length - shown.length} more (\`rollout status --json\` lists every target)`);
  }
  return lines;
}

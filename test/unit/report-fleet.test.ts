import { describe, expect, it } from 'vitest';
import type { RolloutEvent, RunStarted } from '../../src/engine/events.js';
import { buildModel } from '../../src/report/build-model.js';
import { MAX_TARGET_CHARTS } from '../../src/report/fleet-model.js';
import { modelFromState } from '../../src/report/model-from-state.js';
import type { LogRecord } from '../../src/report/records.js';
import { renderReport } from '../../src/report/render-page.js';
import { applyEvent, initialState } from '../../src/run/reduce.js';
import { fleetRunEvents } from '../helpers/fleet-run.js';

/** Twelve targets in batches of 1, 3 and 8; the third fails its checks, the fifth its deploy, the tenth its verify. */
const small = () =>
  fleetRunEvents({
    targets: 12,
    batches: [1, 3, 8],
    maxParallel: 4,
    failing: new Map([
      [2, 'check'],
      [4, 'deploy'],
      [9, 'verify'],
    ]),
  }) as unknown as LogRecord[];

/** The run document the events fold to, with the one reducer (src/run/reduce.ts). */
function fold(events: LogRecord[]) {
  const [first, ...rest] = events as unknown as RolloutEvent[];
  const doc = initialState(first as RunStarted);
  for (const event of rest) applyEvent(doc, event);
  return doc;
}

const page = (records: LogRecord[]) => renderReport(buildModel(records), { generatedAt: 0, version: '0.0.0' });

describe('report of a fleet stage: a lane per target, grouped by batch', () => {
  it('puts each target in its batch with the status and reason the fold gives it', () => {
    const [fleet] = buildModel(small()).fleets;
    expect(fleet?.counts).toEqual({ targets: 12, updated: 9, failed: 3 });
    expect(fleet?.batches.map((b) => [`${b.batch}/${b.of}`, b.targets.map((t) => t.name)])).toEqual([
      ['1/3', ['host-001']],
      ['2/3', ['host-002', 'host-003', 'host-004']],
      ['3/3', ['host-005', 'host-006', 'host-007', 'host-008', 'host-009', 'host-010', 'host-011', 'host-012']],
    ]);
    const lanes = fleet!.batches.flatMap((b) => b.targets);
    expect(lanes.filter((t) => t.failed).map((t) => [t.name, t.status, t.reason])).toEqual([
      ['host-003', 'rolled_back', 'health: HTTP 503 3 times in a row'],
      ['host-005', 'rolled_back', 'deploy exited 1'],
      ['host-010', 'rolled_back', 'verify printed 1.4.1, expected 1.5.0'],
    ]);
    expect(fleet!.batches.map((b) => [b.bake && b.bake.end - b.bake.start, b.budgetLeft])).toEqual([
      [60_000, 50],
      [60_000, 49],
      [60_000, 47],
    ]);
  });

  it('draws each step of a target from the log: deploy, verify, checks and rollback, coloured by outcome', () => {
    const lanes = buildModel(small()).fleets[0]!.batches.flatMap((b) => b.targets);
    const steps = (name: string) => lanes.find((t) => t.name === name)!.spans.map((s) => [s.kind, s.state, (s.end - s.start) / 1000]);
    expect(steps('host-001')).toEqual([
      ['deploy', 'ok', 2],
      ['verify', 'ok', 0.3],
      ['soak', 'ok', 5],
    ]);
    // A target's checks are not charted unless it failed: its lane says what they measured.
    expect(lanes.find((t) => t.name === 'host-001')?.checks).toBe('health: 5 pass');
    expect(lanes.find((t) => t.name === 'host-003')?.checks).toBe('health: 2 pass, 3 fail');
    expect(page(small())).toMatch(/title="checks host-001: [^"]+, 5.0s — health: 5 pass"/);
    expect(steps('host-003')).toEqual([
      ['deploy', 'ok', 2],
      ['verify', 'ok', 0.3],
      ['soak', 'failed', 5],
      ['rollback', 'ok', 1.5],
    ]);
    expect(steps('host-005')).toEqual([
      ['deploy', 'failed', 2],
      ['rollback', 'ok', 1.5],
    ]);
    expect(steps('host-010')).toEqual([
      ['deploy', 'ok', 2],
      ['verify', 'failed', 0.3],
      ['rollback', 'ok', 1.5],
    ]);
  });

  it('shows the batches and bakes on the stage’s lane of the timeline, not a soak per target', () => {
    const model = buildModel(small());
    expect(model.lanes).toEqual([{ name: 'everyone', status: 'passed', failed: false }]);
    expect(model.bars.map((b) => [b.kind, b.state, b.label])).toEqual([
      ['batch', 'ok', 'batch 1/3'],
      ['bake', 'ok', 'bake 1'],
      ['batch', 'ok', 'batch 2/3'],
      ['bake', 'ok', 'bake 2'],
      ['batch', 'ok', 'batch 3/3'],
      ['bake', 'ok', 'bake 3'],
    ]);
  });

  it('charts the fleet checks and the failed targets’ checks only, the one that failed its target marked', () => {
    const model = buildModel(small());
    expect(model.checks.map((c) => [c.target, c.name, c.verdict, c.decisive, c.t.length])).toEqual([
      [null, 'error rate', 'pass', false, 18],
      ['host-003', 'health', 'fail', true, 5],
    ]);
    // Its target failed, and was rolled back, at the moment its chart marks.
    expect(model.checks[1]!.failedAt).toBe(model.commands.find((c) => c.target === 'host-003' && c.phase === 'rollback')!.start);
  });

  it(`charts at most ${MAX_TARGET_CHARTS} failed targets of 500, the first to fail, and says so`, () => {
    // Five targets fail their deploy first: they have no checks to chart, and take no place.
    const failing = new Map<number, 'check' | 'deploy'>(Array.from({ length: 40 }, (_, k) => [k * 12 + 3, 'check']));
    for (let k = 0; k < 5; k++) failing.set(k * 12 + 1, 'deploy');
    const records = fleetRunEvents({ failing }) as unknown as LogRecord[];
    const model = buildModel(records);
    expect(model.fleets[0]!.counts).toEqual({ targets: 500, updated: 455, failed: 45 });
    const charted = model.checks.filter((c) => c.target !== null).map((c) => c.target);
    expect(charted).toEqual(Array.from({ length: MAX_TARGET_CHARTS }, (_, k) => `host-${String(k * 12 + 4).padStart(3, '0')}`));
    const html = renderReport(model, { generatedAt: 0, version: '0' });
    expect(html).toContain(`(${MAX_TARGET_CHARTS} of 45 failed targets: at most ${MAX_TARGET_CHARTS}, the first to fail whose checks ran)`);
    expect(html.match(/<div class="tlane[^"]*" data-target=/g)).toHaveLength(500);
  });

  it('does not say no check ran when every target passed its checks and none is charted', () => {
    const records = fleetRunEvents({ targets: 3, batches: [3], failing: new Map() }).filter(
      (e) => !(e.type === 'soak.started' && !('target' in e)) && !(e.type === 'check.polled' && !('target' in e)),
    ) as unknown as LogRecord[];
    const html = page(records);
    expect(html).not.toContain('No health check ran');
    expect(html).toContain('only the fleet checks and the checks of failed targets are charted; no target failed;');
  });

  it('lists the commands of failed targets, and says how many went well and are left out', () => {
    const model = buildModel(small());
    expect(model.commands).toHaveLength(12 + 3);
    const html = page(small());
    const rows = [...html.matchAll(/<tr class="command [^"]*" data-phase="(\w+)" data-stage="everyone" data-target="([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(rows).toEqual(['deploy host-003', 'rollback host-003', 'deploy host-005', 'rollback host-005', 'deploy host-010', 'rollback host-010']);
    expect(html).toContain('data-left-out="9"');
  });

  it('draws the run’s rollback of a fleet stage: each target’s undo in its lane, one rollback bar on the stage’s lane', () => {
    const failedRun = fleetRunEvents({ targets: 12, batches: [1, 3, 8], maxParallel: 4, failing: new Map([[2, 'check']]), stageFails: true });
    const finished = failedRun.pop()!;
    const t = (s: number) => new Date(Date.parse(finished.time) + s * 1000).toISOString();
    const ref = { runId: finished.runId, stage: 'everyone', index: 0 };
    const undone = ['host-012', 'host-011', 'host-010'];
    const records = [
      ...failedRun,
      { type: 'rollback.started', time: t(0), runId: ref.runId, scope: 'stages', stages: ['everyone'] },
      ...undone.flatMap((target, k) => [
        { type: 'rollback.step.started', time: t(k + 1), ...ref, target, command: './deploy.sh previous' },
        {
          type: 'rollback.step.finished',
          time: t(k + 2),
          ...ref,
          target,
          stages: [],
          exitCode: target === 'host-010' ? 1 : 0,
          signal: null,
          timedOut: false,
          durationMs: 1000,
        },
      ]),
      { type: 'run.finished', time: t(4), runId: ref.runId, status: 'rollback_failed', durationMs: 0, failure: null, signal: null },
    ] as unknown as LogRecord[];
    const model = buildModel(records);
    expect(model.bars.filter((b) => b.kind === 'rollback').map((b) => [b.lane, b.state, (b.end - b.start) / 1000])).toEqual([[0, 'failed', 3]]);
    const lanes = model.fleets[0]!.batches.flatMap((b) => b.targets);
    expect(lanes.filter((l) => l.spans.some((s) => s.kind === 'rollback')).map((l) => [l.name, l.status])).toEqual([
      ['host-003', 'rolled_back'],
      ['host-010', 'rollback_failed'],
      ['host-011', 'rolled_back'],
      ['host-012', 'rolled_back'],
    ]);
    // Undone after their batch: at the right edge of the batch's axis, not stretching it to the run's end.
    const html = renderReport(model, { generatedAt: 0, version: '0' });
    expect(html.match(/title="later: rollback host-01[012]:/g)).toHaveLength(3);
    expect(html).toContain('12 targets · 8 updated, 1 rollback failed, 2 rolled back, <span class="count-fail">1 failed</span>');
  });

  it('shows a run cut short mid-batch: a deploy still running drawn open, later batches not reached', () => {
    const events = small();
    const cut = events.slice(
      0,
      events.findIndex((e) => e.type === 'deploy.finished' && (e as { target?: string }).target === 'host-004'),
    );
    const model = buildModel(cut);
    const [first, second, third] = model.fleets[0]!.batches;
    expect(first!.targets[0]!.status).toBe('updated');
    expect(second!.targets.map((t) => [t.name, t.status, t.spans.at(-1)?.kind, t.spans.at(-1)?.state])).toEqual([
      ['host-002', 'verifying', 'deploy', 'ok'],
      ['host-003', 'verifying', 'deploy', 'ok'],
      ['host-004', 'deploying', 'deploy', 'open'],
    ]);
    expect(third!.targets.every((t) => t.status === 'pending' && t.spans.length === 0)).toBe(true);
    expect(page(cut)).toMatch(/batch 3\/3<\/strong> · 8 targets · not reached/);
  });

  it('rebuilds the lanes from the folded document alone when the run has no event log', () => {
    const doc = fold(small());
    const model = modelFromState(doc);
    const [fleet] = model.fleets;
    expect(fleet?.batches.map((b) => b.targets.length)).toEqual([1, 3, 8]);
    const lanes = fleet!.batches.flatMap((b) => b.targets);
    const steps = (name: string) => lanes.find((t) => t.name === name)!.spans.map((s) => [s.kind, s.state]);
    expect(steps('host-001')).toEqual([
      ['deploy', 'ok'],
      ['soak', 'ok'],
    ]);
    expect(steps('host-005')).toEqual([
      ['deploy', 'failed'],
      ['rollback', 'ok'],
    ]);
    expect(lanes.find((t) => t.name === 'host-010')?.reason).toBe('verify printed 1.4.1, expected 1.5.0');
    expect(model.bars).toEqual([]);
  });
});

describe('report of a fleet stage: names and reasons come from outside', () => {
  const HOSTILE = 'eu-1 <img src=x onerror=alert(1)>';
  const CONTROL = 'eu-2 \x1b]0;pwned\x07\x1b[2J';
  const names = ['ok-1', HOSTILE, CONTROL, 'ok-4'];
  const records = () =>
    fleetRunEvents({
      targets: 4,
      batches: [1, 3],
      name: (i) => names[i]!,
      failing: new Map([
        [1, 'check'],
        [2, 'deploy'],
      ]),
      reason: (i) => (i === 1 ? 'body said </td><script>alert(2)</script>' : 'deploy printed \x1b[31mred\x1b[0m and "quotes"'),
    }) as unknown as LogRecord[];

  it('shows hostile target names and reasons as text, never as markup', () => {
    const html = page(records());
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>alert(2)');
    expect(html.match(/<script/g)).toHaveLength(3);
    expect(html).toContain('eu-1 &#60;img src=x onerror=alert(1)&#62;');
    expect(html).toContain('&#60;/td&#62;&#60;script&#62;alert(2)&#60;/script&#62;');
    expect(html).toContain('data-target="eu-1 &#60;img src=x onerror=alert(1)&#62;"');
  });

  it('shows control characters from outside as escapes, in lanes and in the list of failed targets', () => {
    const html = page(records());
    expect(html.includes('\x1b') || html.includes('\x07')).toBe(false);
    expect(html).toContain('eu-2 \\x1b]0;pwned\\x07\\x1b[2J');
    expect(html).toContain('deploy printed \\x1b[31mred\\x1b[0m and &#34;quotes&#34;');
  });
});

import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { renderFleet } from '../../src/output/fleet-text.js';
import { renderJobSummary } from '../../src/output/job-summary.js';
import { describeNextStep } from '../../src/output/next-step-text.js';
import { renderSummary } from '../../src/output/summary.js';
import { describeUnfinished } from '../../src/output/unfinished.js';
import { whereRunIs } from '../../src/run/where.js';
import type { StageState, TargetStatus } from '../../src/state/document.js';
import { FleetScript, fleetOf } from '../helpers/fleet-script.js';

/** `rollout status`, the summary after a run and the job summaries, on documents folded from fleet runs. */

const c = new Chalk({ level: 0 });

/** 500 targets in batches of 1 then 10: 20 batches done (web-25 failed in batch 4), batch 21 under way. */
function midway(): FleetScript {
  const run = new FleetScript({ 'one-box': [['eu-1']], everyone: fleetOf(500, [1, 10]) });
  run.stageStarted('one-box').batch('one-box', 1, 0).stagePassed('one-box').stageStarted('everyone');
  for (let b = 1; b <= 20; b++) run.batch('everyone', b, 3, b === 4 ? ['web-25'] : []);
  run.batchStarted('everyone', 21).targetPasses('everyone', 'web-192');
  run.targetFails('everyone', 'web-193', { how: 'deploy', rollback: 'failed' });
  return run.targetStarts('everyone', 'web-194').targetStarts('everyone', 'web-195', 'deploying');
}

const everyone = (run: FleetScript): StageState => run.doc().stages.find((s) => s.name === 'everyone') as StageState;

describe('a fleet stage in rollout status', () => {
  it('500 targets in about 15 lines: batches merged where alike, who needs a look named with why', () => {
    expect(renderFleet(everyone(midway()), c)).toEqual([
      'everyone: batch 21 of 51 under way · 191 of 500 updated, 2 failed, 2 in progress, 305 pending',
      '  batch 1–3    all 21 updated',
      '  batch 4      9 of 10 updated, 1 failed',
      '  batch 5–20   all 160 updated',
      '  batch 21     1 of 10 updated, 1 failed, 2 in progress, 6 pending',
      '  batch 22–51  299 pending',
      '  failed (2):',
      '    web-25   health check healthz failed 1 time in a row: HTTP 503 (expected 2xx) (rolled back)',
      '    web-193  deploy failed: exit 1 (its rollback failed too)',
      '  in progress (2):',
      '    web-194  soaking · healthz not measured yet',
      '    web-195  deploying',
    ]);
  });

  it('comes under the stage table, for every fleet stage', () => {
    const summary = renderSummary(midway().doc(), c);
    expect(summary).toContain('\n\none-box: 1 batch, all done · 1 of 1 updated\n  batch 1  updated\n\neveryone: batch 21 of 51');
    expect(summary.split('\n').length).toBeLessThan(25);
  });

  it('names at most 20 a group, then counts', () => {
    const run = new FleetScript({ everyone: [fleetOf(30, [30])[0] ?? []] }).stageStarted('everyone').batchStarted('everyone', 1);
    for (let n = 1; n <= 30; n++) run.targetFails('everyone', `web-${n}`, { rollback: 'keep', reason: `GET http://web-${n}/healthz: HTTP 503` });
    const lines = renderFleet(everyone(run), c);
    expect(lines).toContain('  failed (30):');
    expect(lines).toContain('    web-20  GET http://web-20/healthz: HTTP 503 (left as it is)');
    expect(lines).not.toContain('    web-21  GET http://web-21/healthz: HTTP 503 (left as it is)');
    expect(lines.at(-1)).toBe('    … and 10 more (`rollout status --json` lists every target)');
  });

  it('targets failing the same way are one line with their names', () => {
    const run = new FleetScript({ everyone: [fleetOf(30, [30])[0] ?? []] }).stageStarted('everyone').batchStarted('everyone', 1);
    for (let n = 1; n <= 28; n++) run.targetFails('everyone', `web-${n}`, { rollback: 'keep', reason: 'verify printed "v1", expected "v2"' });
    run.targetFails('everyone', 'web-29', { how: 'deploy' }).targetFails('everyone', 'web-30', { how: 'deploy' });
    expect(renderFleet(everyone(run), c).slice(-3)).toEqual([
      '  failed (30):',
      '    28 × verify printed "v1", expected "v2" (left as it is): web-1, web-2, web-3, web-4, web-5, web-6, web-7, web-8 and 20 more',
      '    2 × deploy failed: exit 1 (rolled back): web-29, web-30',
    ]);
    expect(renderJobSummary(run.doc())).toContain(
      '**❌ failed (30)**\n\n- 28 × verify printed "v1", expected "v2" (left as it is): web-1, web-2, web-3, web-4, web-5, web-6, web-7, web-8 and 20 more\n- 2 × deploy failed: exit 1 (rolled back): web-29, web-30',
    );
  });

  it.each([
    ['none started', (run: FleetScript) => run, 'everyone: 51 batches, none started · 0 of 500 updated, 500 pending'],
    ['all done', (run: FleetScript) => run.batch('everyone', 1, 0), 'everyone: 1 of 51 batches done · 1 of 500 updated, 499 pending'],
  ])('where the stage is: %s', (_name, step, head) => {
    const run = step(new FleetScript({ everyone: fleetOf(500, [1, 10]) }).stageStarted('everyone'));
    expect(renderFleet(everyone(run), c)[0]).toBe(head);
  });

  it('a target named with control characters or Markdown shows as written, never obeyed', () => {
    const run = new FleetScript({ everyone: [['eu\u001b[2J-1', 'a|`b`*']] }).stageStarted('everyone').batchStarted('everyone', 1);
    run.targetFails('everyone', 'eu\u001b[2J-1', { rollback: 'keep' }).targetFails('everyone', 'a|`b`*', { how: 'deploy' });
    expect(renderFleet(everyone(run), c).join('\n')).toContain('eu\\x1b[2J-1');
    expect(renderJobSummary(run.doc())).toContain('- a\\|\\`b\\`\\*: ');
  });
});

describe('a fleet stage in the job summary', () => {
  it('a row per batch (alike merged), then who needs a look', () => {
    const summary = renderJobSummary(midway().doc());
    expect(summary).toContain(
      [
        '#### everyone: batch 21 of 51 under way · 191 of 500 updated, 2 failed, 2 in progress, 305 pending',
        '',
        '| Batch | Targets | State |',
        '| --- | --- | --- |',
        '| 1–3 | 21 | all 21 updated |',
        '| 4 | 10 | 9 of 10 updated, 1 failed |',
        '| 5–20 | 160 | all 160 updated |',
        '| 21 | 10 | 1 of 10 updated, 1 failed, 2 in progress, 6 pending |',
        '| 22–51 | 299 | 299 pending |',
        '',
        '**❌ failed (2)**',
        '',
        '- web-25: health check healthz failed 1 time in a row: HTTP 503 (expected 2xx) (rolled back)',
      ].join('\n'),
    );
    expect(summary).toContain('**⏳ in progress (2)**\n\n- web-194: soaking · healthz not measured yet\n- web-195: deploying');
    expect(summary.length).toBeLessThan(3000);
  });
});

describe('what rollout resume will do with a fleet stage', () => {
  it('goes on at the batch under way: the cut-short targets again, then the pending; the failed stay failed', () => {
    const doc = midway().runFinished('interrupted').doc();
    expect(describeNextStep(whereRunIs(doc, Date.parse(doc.updatedAt)), doc)).toBe(
      '`rollout resume` will go on with everyone at batch 21 of 51: deploy again the 2 targets cut short (web-194, web-195), then deploy the 305 pending, then go on. ' +
        'The 2 targets that failed stay failed (`rollout resume --retry-failed` deploys them again).',
    );
    expect(describeUnfinished(doc)).toMatch(/It left deployed: one-box \(1 of 1 target\), everyone \(194 of 500 targets\)\./);
  });

  it('a fleet stage not started yet', () => {
    const doc = new FleetScript({ everyone: fleetOf(12, [4]) }).runFinished('interrupted').doc();
    expect(describeNextStep(whereRunIs(doc, Date.parse(doc.updatedAt)), doc)).toBe(
      '`rollout resume` will start everyone (window check, then 3 batches of its 12 targets), then go on.',
    );
  });
});

// ---- every target status, in rollout status and the job summary

type Scenario = (run: FleetScript) => FleetScript;
const inRollback: Scenario = (run) =>
  run
    .batch('everyone', 1, 0)
    .stagePassed('everyone')
    .push({ type: 'rollback.started', scope: 'stages', stages: ['everyone'] });

/**
 * Each status eu-1 can have (the others of its batch pass), how `rollout status` shows it (a line of
 * renderFleet's, or the head's count) and the job summary (a list item, or null when only counted).
 * `skipped` is null: no event makes a target skipped yet (the reducer has none; the lead's engine may add one).
 */
const TARGET_STATUSES = {
  pending: { scenario: (run) => run, status: /· 0 of 2 updated, 2 pending$/, markdown: null },
  deploying: {
    scenario: (run) => run.batchStarted('everyone', 1).targetStarts('everyone', 'eu-1', 'deploying'),
    status: '    eu-1  deploying',
    markdown: '- eu-1: deploying',
  },
  verifying: {
    scenario: (run) => run.batchStarted('everyone', 1).targetStarts('everyone', 'eu-1', 'verifying'),
    status: '    eu-1  verifying',
    markdown: '- eu-1: verifying',
  },
  soaking: {
    scenario: (run) => run.batchStarted('everyone', 1).targetStarts('everyone', 'eu-1').poll('everyone', 'eu-1', true),
    status: '    eu-1  soaking · healthz ✓ HTTP 200 in 12ms',
    markdown: '- eu-1: soaking · healthz ✓ HTTP 200 in 12ms',
  },
  updated: { scenario: (run) => run.batch('everyone', 1, 0), status: /· 2 of 2 updated$/, markdown: null },
  failed: {
    scenario: (run) => run.batchStarted('everyone', 1).targetFails('everyone', 'eu-1', { rollback: 'keep', reason: 'HTTP 503' }),
    status: '    eu-1  HTTP 503 (left as it is)',
    markdown: '- eu-1: HTTP 503 (left as it is)',
  },
  rolling_back: {
    scenario: (run) => inRollback(run).push({ type: 'rollback.step.started', stage: 'everyone', index: 0, target: 'eu-1', command: 'undo' }),
    status: '    eu-1  rolling back',
    markdown: '- eu-1: rolling back',
  },
  rolled_back: { scenario: (run) => inRollback(run).targetRollsBack('everyone', 'eu-1'), status: /· 1 of 2 updated, 1 rolled back$/, markdown: null },
  rollback_failed: {
    scenario: (run) => inRollback(run).targetRollsBack('everyone', 'eu-1', false),
    status: '    eu-1  rollback failed',
    markdown: '- eu-1: rollback failed',
  },
  skipped: null,
} satisfies Record<TargetStatus, { scenario: Scenario; status: string | RegExp; markdown: string | null } | null>;

describe('every target status shows in rollout status and the job summary', () => {
  it.each(Object.entries(TARGET_STATUSES).filter(([, view]) => view !== null))('%s', (status, view) => {
    if (view === null) return;
    const run = view.scenario(new FleetScript({ everyone: [['eu-1', 'eu-2']] }).stageStarted('everyone'));
    const doc = run.doc();
    expect(doc.stages[0]?.targets?.[0]?.status, 'the scenario really leaves eu-1 so').toBe(status);
    const lines = renderFleet(doc.stages[0] as StageState, c);
    if (typeof view.status === 'string') expect(lines).toContain(view.status);
    else expect(lines[0]).toMatch(view.status);
    const markdown = renderJobSummary(doc);
    if (view.markdown) expect(markdown.split('\n')).toContain(view.markdown);
    else expect(markdown).not.toMatch(/^- eu-1/m);
    for (const text of [lines.join('\n'), markdown]) expect(text).not.toMatch(/rolled_back|rollback_failed|rolling_back|undefined|null/);
  });
});

describe('a fleet stage that stopped mid-batch', () => {
  it('says where it stopped, not that the batch is under way', () => {
    const run = new FleetScript({ everyone: [['eu-1', 'eu-2']] }).stageStarted('everyone').batchStarted('everyone', 1);
    run.targetFails('everyone', 'eu-1', { how: 'deploy' }).stageFailed('everyone', 'failure budget exceeded', ['eu-1'], 'perBatch');
    expect(renderFleet(everyone(run), c)[0]).toBe('everyone: batch 1 of 1 stopped · 0 of 2 updated, 1 failed, 1 pending');
  });
});

describe('what rollout resume will do with a fleet stage being undone', () => {
  it('names the stages left to undo with how many of their targets are still changed', () => {
    const run = new FleetScript({ 'one-box': [['eu-1']], everyone: [['eu-2', 'eu-3', 'eu-4']] });
    run.stageStarted('one-box').batch('one-box', 1, 0).stagePassed('one-box').stageStarted('everyone').batch('everyone', 1, 0, ['eu-4']);
    run
      .stageFailed('everyone', 'failure budget exceeded', ['eu-4'], 'total')
      .push({ type: 'rollback.started', scope: 'stages', stages: ['everyone', 'one-box'] });
    run.targetRollsBack('everyone', 'eu-3').runFinished('interrupted', { stage: 'everyone', reason: 'failure budget exceeded' });
    const doc = run.doc();
    expect(describeNextStep(whereRunIs(doc, Date.parse(doc.updatedAt)), doc)).toBe(
      '`rollout resume` will finish the rollback: everyone (1 of 3 targets), one-box (1 of 1 target), newest first.',
    );
  });
});

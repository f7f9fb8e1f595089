import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RolloutEvent } from '../../src/engine/events.js';
import { PlainReporter } from '../../src/output/plain-reporter.js';
import { QuietReporter } from '../../src/output/quiet-reporter.js';
import { TtyReporter } from '../../src/output/tty-reporter.js';
import { FleetScript, fleetOf, foldEvents } from '../helpers/fleet-script.js';
import { captureTerminal, feedAll, followSession, stillClock } from '../helpers/reporter-session.js';

/** What the log says of a fleet (fleet-log.ts): failures one by one, successes counted, the live line. */

async function plainLog(events: RolloutEvent[], options: { verbose?: boolean; follow?: boolean } = {}): Promise<string> {
  const term = captureTerminal();
  await feedAll(new PlainReporter({ term, clock: stillClock, verbose: options.verbose }), events, options.follow);
  return term.text().replace(/^\[[\d:]+\] /gm, '');
}

describe('a fleet in the plain log', () => {
  it('500 targets: failures one by one, successes counted per batch', async () => {
    const batches = fleetOf(500, [1, 125]);
    const run = new FleetScript({ everyone: batches }).stageStarted('everyone');
    run.batch('everyone', 1, 2);
    run.batch('everyone', 2, 1, ['web-7']);
    for (const [i] of batches.slice(2).entries()) run.batch('everyone', i + 3, 1);
    run.stagePassed('everyone').runFinished('succeeded');
    const log = await plainLog(run.events);
    const lines = log.trimEnd().split('\n');
    // The run's first and last two lines, four a batch (start, bake, its fleet checks, done), four for the
    // failure (the failed poll, the failure, its batch's progress, its rollback): none for a target that passed.
    expect(lines.length).toBe(1 + 5 * 4 + 4 + 2);
    expect(lines).toContain('everyone batch 2/5 starting: 125 targets (web-2, web-3, web-4, web-5, web-6, web-7, web-8, web-9 and 117 more)');
    // The failure on its own line, its batch's progress after it, its own rollback after that.
    const failedAt = lines.indexOf('everyone web-7 ✗ failed: health check healthz failed 1 time in a row: HTTP 503 (expected 2xx)');
    expect(failedAt).toBeGreaterThan(0);
    expect(lines[failedAt + 1]).toBe('everyone batch 2/5: 5 of 125 updated, 1 failed, 119 pending');
    expect(lines[failedAt + 2]).toBe('everyone web-7 rolled back in 800ms');
    expect(lines).toContain('everyone batch 2/5 done: 124 of 125 updated, 1 failed (failure budget: 1 of 2 left)');
    expect(lines).toContain('everyone batch 5/5 done: 124 of 124 updated (failure budget: 1 of 2 left)');
    expect(lines).toContain('everyone measuring during the bake: error-rate');
    // No routine step of a single target.
    expect(log).not.toMatch(/web-\d+ (deploying|deployed|soaking|✓ updated|starting)/);
  });

  it("--verbose prints every target's every step", async () => {
    const run = new FleetScript({ everyone: [['eu-1', 'eu-2']] }).stageStarted('everyone').batch('everyone', 1, 0);
    const log = await plainLog(run.events, { verbose: true });
    for (const target of ['eu-1', 'eu-2'])
      for (const step of [
        'starting (batch 1)',
        'deploying: ./deploy.sh',
        'deployed in 1.0s',
        'verified: "v2"',
        'soaking 1m on 1 check: healthz',
        '✓ updated in',
      ])
        expect(log).toContain(`everyone ${target} ${step}`);
  });

  it("without a document to read, the events' own counts stand", async () => {
    const run = new FleetScript({ everyone: [['eu-1', 'eu-2']] }).stageStarted('everyone').batch('everyone', 1, null, ['eu-2']);
    const log = await plainLog(run.events, { follow: false });
    expect(log).toContain('everyone batch 1/1 done: 1 updated, 1 failed\n');
    expect(log).toContain('everyone eu-2 ✗ failed: ');
    expect(log).not.toMatch(/eu-1 /);
  });

  it("a run's rollback of a fleet stage: failures named, the rest counted once the stage is undone", async () => {
    const run = new FleetScript({ everyone: [['eu-1', 'eu-2', 'eu-3', 'eu-4']] }).stageStarted('everyone').batchStarted('everyone', 1);
    run.targetPasses('everyone', 'eu-1').targetPasses('everyone', 'eu-2').targetPasses('everyone', 'eu-3');
    run.targetFails('everyone', 'eu-4', { how: 'deploy' });
    run.stageFailed('everyone', 'failure budget exceeded: 1 failed, 0 tolerated', ['eu-4'], 'total');
    run.push({ type: 'rollback.started', scope: 'stages', stages: ['everyone'] });
    run.targetRollsBack('everyone', 'eu-3').targetRollsBack('everyone', 'eu-2', false).targetRollsBack('everyone', 'eu-1');
    run.push({ type: 'rollback.finished', ok: false, failedStages: ['everyone'] });
    run.runFinished('rollback_failed', { stage: 'everyone', reason: 'failure budget exceeded' });
    const lines = (await plainLog(run.events)).trimEnd().split('\n');
    expect(lines).toContain('everyone eu-4 deploy failed after 500ms (exit 1)');
    expect(lines).toContain('everyone ✗ failed: failure budget exceeded: 1 failed, 0 tolerated (failed: eu-4)');
    expect(lines).toContain('everyone eu-2 ✗ rollback failed (exit 1)');
    expect(lines).not.toContain('everyone eu-3 rolled back in 800ms');
    expect(lines).toContain('everyone ✗ not fully undone: 3 targets rolled back, 1 rollback failed (eu-2): a human must look');
  });
});

describe('while a batch is deployed', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A batch of 10 half done: 4 updated, 1 failed, 2 in flight, 3 pending. */
  function halfDone(): FleetScript {
    const run = new FleetScript({ everyone: [fleetOf(10, [10])[0] ?? []] }).stageStarted('everyone').batchStarted('everyone', 1);
    for (const n of [1, 2, 3, 4]) run.targetPasses('everyone', `web-${n}`);
    return run.targetFails('everyone', 'web-5', { rollback: 'keep' }).targetStarts('everyone', 'web-6', 'deploying').targetStarts('everyone', 'web-7');
  }

  it('plain: the heartbeat says how the batch is going, and stops with it', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const term = captureTerminal();
    const reporter = new PlainReporter({ term, clock: stillClock, heartbeatMs: 10_000 });
    const feed = followSession(reporter);
    const run = halfDone();
    await feed(run.events);
    const before = term.text();
    vi.advanceTimersByTime(10_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(term.text().slice(before.length)).toMatch(/^\[[\d:]+\] everyone batch 1\/1: 4 of 10 updated, 1 failed, 2 in progress, 3 pending\n$/);
    const seen = run.events.length;
    await feed(run.batchFinished('everyone', 1, 0).events.slice(seen));
    const after = term.text();
    vi.advanceTimersByTime(60_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(term.text()).toBe(after);
    reporter.close();
  });

  it('terminal: a live bar with the counts and the targets in flight', async () => {
    const term = captureTerminal({ tty: true });
    const reporter = new TtyReporter({ term, clock: stillClock });
    await followSession(reporter)(halfDone().events);
    // The spinner draws its next frame on its own timer.
    const live = () =>
      stripVTControlCharacters(term.text())
        .split(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/)
        .at(-1) ?? '';
    await vi.waitFor(() => expect(live()).toContain('now: web-6'));
    reporter.close();
    expect(live()).toMatch(/^ ████████××▒▒▒▒░░░░░░ everyone batch 1\/1: 4 of 10 updated, 1 failed, 2 in progress, 3 pending · now: web-6, web-7$/);
  });
});

describe('undoing a fleet stage', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** 6 targets updated, then the run is rolled back (as `rollout rollback` does, in a later process). */
  function deployed(): FleetScript {
    const run = new FleetScript({ everyone: [fleetOf(6, [6])[0] ?? []] }).stageStarted('everyone');
    return run.batch('everyone', 1, 0).stagePassed('everyone').runFinished('succeeded');
  }

  it('in a later process (no run.started), the heartbeat counts what is undone and the end is one line', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const run = deployed();
    const before = run.events.length;
    run.push({ type: 'run.resumed', mode: 'rollback', stage: null }).push({ type: 'rollback.started', scope: 'stages', stages: ['everyone'] });
    for (const n of [6, 5]) run.targetRollsBack('everyone', `web-${n}`);
    run.targetRollsBack('everyone', 'web-4', false);
    const cut = run.events.length;
    for (const n of [3, 2, 1]) run.targetRollsBack('everyone', `web-${n}`);
    run.push({ type: 'rollback.finished', ok: false, failedStages: ['everyone'] }).runFinished('rollback_failed');

    const term = captureTerminal();
    const reporter = new PlainReporter({ term, clock: stillClock, heartbeatMs: 10_000 });
    // The document as the store reads it back: the earlier process's events folded.
    const feed = followSession(reporter, foldEvents(run.events.slice(0, before)));
    await feed(run.events.slice(before, cut));
    const shown = term.text();
    vi.advanceTimersByTime(10_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(term.text().slice(shown.length)).toMatch(/^\[[\d:]+\] everyone rolling back: 2 rolled back, 3 to go, 1 rollback failed\n$/);
    await feed(run.events.slice(cut));
    reporter.close();
    await new Promise((resolve) => setImmediate(resolve));
    const lines = term
      .text()
      .replace(/^\[[\d:]+\] /gm, '')
      .trimEnd()
      .split('\n');
    expect(lines.filter((line) => line.includes('web-'))).toEqual([
      'everyone web-4 ✗ rollback failed (exit 1)',
      'everyone ✗ not fully undone: 5 targets rolled back, 1 rollback failed (web-4): a human must look',
    ]);
  });

  it('--quiet: a target’s failure, its own output replayed, and nothing of the targets that passed', async () => {
    const run = new FleetScript({ everyone: [['eu-1', 'eu-2']] }).stageStarted('everyone').batchStarted('everyone', 1);
    run.output('everyone', 'eu-1', 'eu-1 fine\n').targetPasses('everyone', 'eu-1');
    run.targetStarts('everyone', 'eu-2', 'deploying').output('everyone', 'eu-2', 'eu-2: disk full\n');
    run.push({ type: 'deploy.finished', stage: 'everyone', index: 0, target: 'eu-2', exitCode: 1, signal: null, timedOut: false, durationMs: 5 });
    run.push({ type: 'target.failed', stage: 'everyone', index: 0, target: 'eu-2', reason: 'deploy failed: exit 1', durationMs: 5, check: null, value: null });
    run.batchBakes('everyone', 1).batchFinished('everyone', 1, 0);
    const term = captureTerminal();
    await feedAll(new QuietReporter({ term, clock: stillClock }), run.events);
    const text = term.text().replace(/^\[[\d:]+\] /gm, '');
    expect(text).toContain('everyone | eu-2 | eu-2: disk full\n');
    expect(text).toContain('everyone eu-2 ✗ failed: deploy failed: exit 1\neveryone batch 1/1: 1 of 2 updated, 1 failed\n');
    expect(text).not.toContain('eu-1');
  });

  it('--quiet: what a failed verify printed is shown with the failure', async () => {
    const run = new FleetScript({ everyone: [['eu-1']] }).stageStarted('everyone').batchStarted('everyone', 1);
    run.targetStarts('everyone', 'eu-1', 'deploying').output('everyone', 'eu-1', 'deployed v2\n');
    run.push({ type: 'deploy.finished', stage: 'everyone', index: 0, target: 'eu-1', exitCode: 0, signal: null, timedOut: false, durationMs: 5 });
    run.output('everyone', 'eu-1', 'running v1\n');
    run.push({
      type: 'verify.finished',
      stage: 'everyone',
      index: 0,
      target: 'eu-1',
      exitCode: 0,
      signal: null,
      timedOut: false,
      durationMs: 5,
      ok: false,
      output: 'v1',
      expected: 'v2',
    });
    run.push({
      type: 'target.failed',
      stage: 'everyone',
      index: 0,
      target: 'eu-1',
      reason: 'verify printed "v1", expected "v2"',
      durationMs: 5,
      check: null,
      value: null,
    });
    const term = captureTerminal();
    await feedAll(new QuietReporter({ term, clock: stillClock }), run.events);
    const text = term.text().replace(/^\[[\d:]+\] /gm, '');
    expect(text).toContain('everyone | eu-1 | running v1\neveryone eu-1 ✗ failed: verify printed "v1", expected "v2"\n');
    expect(text).not.toContain('deployed v2');
  });
});

describe('resumed mid-batch', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a later process picks the batch under way from the document: its heartbeat counts it', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const run = new FleetScript({ everyone: [['eu-1', 'eu-2', 'eu-3']] }).stageStarted('everyone').batchStarted('everyone', 1);
    run.targetPasses('everyone', 'eu-1').targetStarts('everyone', 'eu-2', 'deploying').runFinished('interrupted');
    const term = captureTerminal();
    const reporter = new PlainReporter({ term, clock: stillClock, heartbeatMs: 10_000 });
    const feed = followSession(reporter, foldEvents(run.events));
    await feed(run.push({ type: 'run.resumed', mode: 'forward', stage: 'everyone' }).events.slice(-1));
    vi.advanceTimersByTime(10_000);
    await new Promise((resolve) => setImmediate(resolve));
    reporter.close();
    expect(term.text()).toMatch(/\] everyone batch 1\/1: 1 of 3 updated, 1 in progress, 1 pending\n$/);
  });
});

describe('resumed mid-undo', () => {
  it('a later process finishing a fleet stage’s rollback counts its targets, names none that went well', async () => {
    const run = new FleetScript({ everyone: [['eu-1', 'eu-2', 'eu-3']] }).stageStarted('everyone').batch('everyone', 1, 0, ['eu-3']);
    run.stageFailed('everyone', 'failure budget exceeded', ['eu-3'], 'total').push({ type: 'rollback.started', scope: 'stages', stages: ['everyone'] });
    run.targetRollsBack('everyone', 'eu-2').runFinished('interrupted', { stage: 'everyone', reason: 'failure budget exceeded' });
    const before = run.events.length;
    run.push({ type: 'run.resumed', mode: 'rollback', stage: null }).targetRollsBack('everyone', 'eu-1');
    run.push({ type: 'rollback.finished', ok: true, failedStages: [] }).runFinished('rolled_back', { stage: 'everyone', reason: 'failure budget exceeded' });
    const term = captureTerminal();
    const reporter = new PlainReporter({ term, clock: stillClock });
    await followSession(reporter, foldEvents(run.events.slice(0, before)))(run.events.slice(before));
    reporter.close();
    const lines = term
      .text()
      .replace(/^\[[\d:]+\] /gm, '')
      .trimEnd()
      .split('\n');
    expect(lines).not.toContain('everyone eu-1 rolled back in 800ms');
    expect(lines).toContain('everyone undone: 3 targets rolled back');
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RolloutEvent } from '../../src/engine/events.js';
import { createHttpClient, type HttpClient } from '../../src/http/client.js';
import { FAILED_TARGETS_NAMED } from '../../src/notify/fleet-targets.js';
import { Notifier } from '../../src/notify/notifier.js';
import { NOTIFY_EVENTS } from '../../src/plan/schema.js';
import { applyEvent, initialState } from '../../src/run/reduce.js';
import type { StateDocument } from '../../src/state/document.js';
import { codeBlocks } from '../helpers/markdown-blocks.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/**
 * Webhooks about fleet stages, delivered over real HTTP to a local receiver. The run is a sequence
 * of events as the engine emits them for a fleet stage (docs/fleets.md's run shape); each is folded
 * into the document by the one reducer and then heard by the notifier — the order the state store
 * and the listeners get them in a real run — so what a webhook says is what the document says.
 */

type Input = RolloutEvent extends infer E ? (E extends RolloutEvent ? Omit<E, 'time' | 'runId'> : never) : never;
const RUN = 'run-fleet';

class FleetRun {
  doc: StateDocument | null = null;
  private second = 0;
  constructor(readonly notifier: Notifier) {}

  emit(input: Input): void {
    const event = { ...input, runId: RUN, time: new Date(Date.UTC(2026, 11, 5, 1, 0, this.second++)).toISOString() } as RolloutEvent;
    if (event.type === 'run.started') this.doc = initialState(event);
    if (this.doc) applyEvent(this.doc, event);
    this.notifier.handle(event);
  }

  start(stages: string[], targets: Record<string, string[][]>): void {
    this.emit({ type: 'run.started', plan: { name: 'shop', path: '/plan.yaml', sha256: 'x', vars: {} }, stages, targets });
  }

  /** One target's turn: deploy (exit 0 or not), then updated, or failed and rolled back on its own. */
  target(stage: string, index: number, name: string, batch: number, fails: string | null): void {
    const ref = { stage, index, target: name };
    this.emit({ type: 'target.started', ...ref, batch });
    this.emit({ type: 'deploy.started', ...ref, command: './deploy.sh' });
    const exitCode = fails === null ? 0 : 1;
    this.emit({ type: 'deploy.finished', ...ref, exitCode, signal: null, timedOut: false, durationMs: 5 });
    if (fails === null) {
      this.emit({ type: 'soak.started', ...ref, soakMs: 0, checks: [] });
      this.emit({ type: 'target.passed', ...ref, durationMs: 10 });
      return;
    }
    this.emit({ type: 'target.failed', ...ref, reason: fails, durationMs: 10, check: null, value: null });
    this.emit({ type: 'rollback.step.started', ...ref, command: './deploy.sh previous' });
    this.emit({ type: 'rollback.step.finished', ...ref, stages: [], exitCode: 0, signal: null, timedOut: false, durationMs: 3 });
  }

  /** A fleet stage's batches in order; `fails` names the targets whose deploy fails, with why. */
  batches(stage: string, index: number, batches: string[][], fails: Record<string, string> = {}): void {
    this.emit({ type: 'stage.started', stage, index });
    batches.forEach((names, i) => {
      const batch = i + 1;
      this.emit({ type: 'batch.started', stage, index, batch, batches: batches.length, targets: names });
      for (const name of names) this.target(stage, index, name, batch, fails[name] ?? null);
      const failed = names.filter((n) => n in fails).length;
      this.emit({ type: 'batch.finished', stage, index, batch, batches: batches.length, updated: names.length - failed, failed, budgetLeft: null });
    });
  }
}

describe('webhooks name a fleet stage’s failed targets (real HTTP)', { timeout: 30_000 }, () => {
  let hook: WebhookReceiver;
  let http: HttpClient;
  let warnings: string[];
  let run: FleetRun;
  beforeEach(async () => {
    hook = await startWebhookReceiver('ok');
    http = createHttpClient({});
    warnings = [];
    const notifier = new Notifier({
      document: () => run.doc,
      hooks: [{ url: hook.url(), displayUrl: 'http://127.0.0.1', events: [...NOTIFY_EVENTS], headers: {}, timeoutMs: 5000 }],
      warn: (message) => warnings.push(message),
      http,
    });
    run = new FleetRun(notifier);
  });
  afterEach(async () => {
    await http.close();
    await hook.close();
  });

  const received = async () => {
    await run.notifier.drain(10_000);
    expect(warnings).toEqual([]);
    return hook.received.map((r) => r.body);
  };

  it('stage.failed and run.finished carry the failed targets with their reasons, and counts by status', async () => {
    const everyone = [['eu-2'], ['us-1', 'us-2', 'ap-1']];
    run.start(['one-box', 'everyone'], { 'one-box': [['eu-1']], everyone });
    run.batches('one-box', 0, [['eu-1']]);
    run.emit({ type: 'stage.passed', stage: 'one-box', index: 0, durationMs: 20, inconclusive: [] });
    run.batches('everyone', 1, everyone, { 'us-1': 'deploy exited 1', 'us-2': 'verify printed 1.4.1, expected 1.5.0' });
    const reason = 'failure budget exceeded: 2 targets failed, total tolerates 1';
    run.emit({
      type: 'stage.failed',
      stage: 'everyone',
      index: 1,
      reason,
      durationMs: 50,
      check: null,
      value: null,
      failedTargets: ['us-1', 'us-2'],
      budget: 'total',
    });
    // The run's rollback undoes what is still deployed, newest first.
    run.emit({ type: 'rollback.started', scope: 'stages', stages: ['everyone', 'one-box'] });
    for (const [stage, index, target] of [
      ['everyone', 1, 'ap-1'],
      ['everyone', 1, 'eu-2'],
      ['one-box', 0, 'eu-1'],
    ] as const) {
      run.emit({ type: 'rollback.step.started', stage, index, target, command: './deploy.sh previous' });
      run.emit({ type: 'rollback.step.finished', stage, index, target, stages: [], exitCode: 0, signal: null, timedOut: false, durationMs: 3 });
    }
    run.emit({ type: 'rollback.finished', ok: true, failedStages: [] });
    run.emit({ type: 'run.finished', status: 'rolled_back', durationMs: 90, failure: { stage: 'everyone', reason }, signal: null });

    const bodies = await received();
    expect(bodies.map((b) => b.event)).toEqual(['run.started', 'stage.passed', 'stage.failed', 'rollback.finished', 'run.finished']);
    const [, passed, failed, , finished] = bodies;
    expect(passed).toMatchObject({ stage: 'one-box', targets: { stage: 'one-box', total: 1, counts: { updated: 1 }, failed: [], failedCount: 0 } });
    expect(passed?.text).toBe('✅ shop: stage one-box passed in 20ms');
    expect(failed).toMatchObject({
      event: 'stage.failed',
      stage: 'everyone',
      reason,
      budget: 'total',
      targets: {
        stage: 'everyone',
        total: 4,
        // At the moment the stage failed: each failed target already rolled back on its own.
        counts: { updated: 2, rolled_back: 2 },
        failed: [
          { name: 'us-1', batch: 2, status: 'rolled_back', reason: 'deploy exited 1' },
          { name: 'us-2', batch: 2, status: 'rolled_back', reason: 'verify printed 1.4.1, expected 1.5.0' },
        ],
        failedCount: 2,
      },
    });
    expect(failed).not.toHaveProperty('check');
    expect(failed?.text).toBe(`❌ shop: stage everyone failed: ${reason} (failed targets: us-1, us-2)`);
    // docs/events-and-state.md shows this very message (its run id and time aside).
    const sample = codeBlocks('docs/events-and-state.md').find((b) => b.lang === 'json' && b.code.includes('"stage.failed"'));
    expect({ ...failed, runId: 'r', time: 't' }).toEqual({ ...JSON.parse(sample?.code ?? '{}'), runId: 'r', time: 't' });
    expect(finished).toMatchObject({
      status: 'rolled_back',
      stage: 'everyone',
      fleet: [
        { stage: 'one-box', total: 1, counts: { rolled_back: 1 }, failedCount: 0 },
        { stage: 'everyone', total: 4, counts: { rolled_back: 4 }, failedCount: 2, failed: [{ name: 'us-1' }, { name: 'us-2' }] },
      ],
    });
    expect(finished?.text).toMatch(/^↩️ failed and rolled back: rollout shop run run-fleet in .* at stage everyone: .* \(failed targets: us-1, us-2\)$/);
  });

  it(`names at most ${FAILED_TARGETS_NAMED} failed targets, in deploy order, and counts the rest`, async () => {
    const names = Array.from({ length: 25 }, (_, i) => `host-${String(i + 1).padStart(2, '0')}`);
    const batches = [names.slice(0, 5), names.slice(5)];
    run.start(['all'], { all: batches });
    run.batches('all', 0, batches, Object.fromEntries(names.map((n) => [n, `${n} refused the deploy`])));
    run.emit({ type: 'stage.failed', stage: 'all', index: 0, reason: 'every target failed', durationMs: 5, check: null, value: null, failedTargets: names });
    run.emit({ type: 'run.finished', status: 'failed', durationMs: 9, failure: { stage: 'all', reason: 'every target failed' }, signal: null });

    const [, failed, finished] = await received();
    const targets = failed?.targets as { failed: { name: string; reason: string }[]; failedCount: number; counts: object };
    expect(targets.failed.map((t) => t.name)).toEqual(names.slice(0, FAILED_TARGETS_NAMED));
    expect(targets.failed[0]?.reason).toBe('host-01 refused the deploy');
    expect(targets).toMatchObject({ failedCount: 25, counts: { rolled_back: 25 } });
    expect(failed?.text).toBe(`❌ shop: stage all failed: every target failed (failed targets: ${names.slice(0, 20).join(', ')} and 5 more)`);
    expect(finished).toMatchObject({ fleet: [{ stage: 'all', failedCount: 25 }] });
    const fleet = (finished?.fleet ?? []) as { failed: unknown[] }[];
    expect(fleet[0]?.failed).toHaveLength(FAILED_TARGETS_NAMED);
  });

  it('a fleet stage that tolerated a failure passes, and its webhook still names the failed target', async () => {
    run.start(['everyone'], { everyone: [['a', 'b', 'c']] });
    run.batches('everyone', 0, [['a', 'b', 'c']], { b: 'deploy timed out' });
    run.emit({ type: 'stage.passed', stage: 'everyone', index: 0, durationMs: 20, inconclusive: [] });
    run.emit({ type: 'run.finished', status: 'succeeded', durationMs: 30, failure: null, signal: null });

    const [, passed, finished] = await received();
    expect(passed).toMatchObject({ targets: { counts: { updated: 2, rolled_back: 1 }, failed: [{ name: 'b', reason: 'deploy timed out' }], failedCount: 1 } });
    expect(passed?.text).toBe('✅ shop: stage everyone passed in 20ms (failed target: b)');
    expect(finished).toMatchObject({ status: 'succeeded', fleet: [{ stage: 'everyone', failedCount: 1 }] });
    expect(finished?.text).not.toContain('failed target');
  });

  it('a run without fleet stages sends the payloads it always did: no targets, no fleet', async () => {
    run.start(['canary'], {});
    run.emit({ type: 'stage.started', stage: 'canary', index: 0 });
    run.emit({ type: 'deploy.started', stage: 'canary', index: 0, command: 'false' });
    run.emit({ type: 'deploy.finished', stage: 'canary', index: 0, exitCode: 1, signal: null, timedOut: false, durationMs: 5 });
    run.emit({ type: 'stage.failed', stage: 'canary', index: 0, reason: 'deploy exited 1', durationMs: 5, check: null, value: null });
    run.emit({ type: 'run.finished', status: 'failed', durationMs: 9, failure: { stage: 'canary', reason: 'deploy exited 1' }, signal: null });

    const bodies = await received();
    for (const body of bodies) {
      expect(body).not.toHaveProperty('targets');
      expect(body).not.toHaveProperty('fleet');
      expect(body).not.toHaveProperty('budget');
    }
    expect(Object.keys(bodies[1] ?? {}).sort()).toEqual(['event', 'plan', 'reason', 'runId', 'stage', 'text', 'time']);
    expect(bodies[2]?.text).toMatch(/^❌ failed: rollout shop run run-fleet in .* at stage canary: deploy exited 1$/);
  });
});

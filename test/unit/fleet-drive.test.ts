import { describe, expect, it } from 'vitest';
import { count, fleetHarness, fleetStage, percent } from './fleet-harness.js';
import { stage } from './run-harness.js';

const five = [['t1'], ['t2', 't3'], ['t4', 't5']];

describe('a fleet stage rolls out batch by batch', () => {
  it('every target healthy: each batch in order, each target updated, the run succeeded', async () => {
    const h = fleetHarness([fleetStage('fleet', 0, five)]);
    expect(await h.run()).toBe('succeeded');
    expect(h.of('batch.started').map((e) => [e.batch, e.targets])).toEqual([
      [1, ['t1']],
      [2, ['t2', 't3']],
      [3, ['t4', 't5']],
    ]);
    expect(h.commands.sort()).toEqual(['deploy@t1', 'deploy@t2', 'deploy@t3', 'deploy@t4', 'deploy@t5']);
    expect(Object.values(h.targets('fleet'))).toEqual(['updated', 'updated', 'updated', 'updated', 'updated']);
    expect(h.state().stages[0]).toMatchObject({ status: 'succeeded', fleet: { batches: 3, batch: 3, finished: 3 } });
    // A batch starts only when the one before finished.
    const order = h.events.filter((e) => e.type === 'batch.started' || e.type === 'batch.finished').map((e) => `${e.type}:${(e as { batch: number }).batch}`);
    expect(order).toEqual(['batch.started:1', 'batch.finished:1', 'batch.started:2', 'batch.finished:2', 'batch.started:3', 'batch.finished:3']);
  });

  it('maxParallel limits the deploys at once inside a batch, and the batch still uses it fully', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `h${i}`);
    const h = fleetHarness([fleetStage('fleet', 0, [names], { maxParallel: 3 })]);
    expect(await h.run()).toBe('succeeded');
    expect(h.maxConcurrent()).toBe(3);
    expect(h.commands).toHaveLength(10);
  });

  it('says each target to its commands in the environment, never in the command text', async () => {
    const h = fleetHarness([fleetStage('fleet', 0, [['eu-1']])]);
    const seen: Record<string, string | undefined>[] = [];
    const p = h.process();
    const exec = p.deps.exec;
    p.deps.exec = (spec) => {
      seen.push(spec.env);
      return exec(spec);
    };
    expect(await h.run({ kind: 'forward' }, p)).toBe('succeeded');
    expect(seen[0]).toMatchObject({ ROLLOUT_TARGET: 'eu-1', ROLLOUT_TARGET_HOST: 'eu-1.internal', ROLLOUT_BATCH: '1', ROLLOUT_STAGE: 'fleet' });
  });
});

describe('failure budgets: perBatch and total are the failures tolerated, exceeded on failure N+1', () => {
  const cases = [
    { name: 'total 0, one failure: exceeded', budget: { total: count(0) }, failing: ['deploy@t2'], status: 'rolled_back', rule: 'total' },
    { name: 'total 1, one failure: exactly reached, passes', budget: { total: count(1) }, failing: ['deploy@t2'], status: 'succeeded', rule: null },
    {
      name: 'total 1, two failures: exceeded on the 2nd',
      budget: { total: count(1) },
      failing: ['deploy@t2', 'deploy@t4'],
      status: 'rolled_back',
      rule: 'total',
    },
    { name: 'total 20% of 5 tolerates 1 (rounded down)', budget: { total: percent(20) }, failing: ['deploy@t3'], status: 'succeeded', rule: null },
    { name: 'total 39% of 5 tolerates 1, not 2', budget: { total: percent(39) }, failing: ['deploy@t3', 'deploy@t5'], status: 'rolled_back', rule: 'total' },
    {
      name: 'perBatch 1: two failures in one batch exceed it',
      budget: { total: count(5), perBatch: count(1) },
      failing: ['deploy@t4', 'deploy@t5'],
      status: 'rolled_back',
      rule: 'perBatch',
    },
    {
      name: 'perBatch 1: one failure in each of two batches does not',
      budget: { total: count(5), perBatch: count(1) },
      failing: ['deploy@t2', 'deploy@t4'],
      status: 'succeeded',
      rule: null,
    },
    {
      name: 'the last target failing fails the stage when the budget says so',
      budget: { total: count(0) },
      failing: ['deploy@t5'],
      status: 'rolled_back',
      rule: 'total',
    },
  ] as const;
  for (const c of cases) {
    it(c.name, async () => {
      const h = fleetHarness([fleetStage('fleet', 0, five, { budget: { perBatch: null, minHealthy: null, ...c.budget } })], { failing: [...c.failing] });
      expect(await h.run()).toBe(c.status);
      const failed = h.of('stage.failed');
      expect(failed.map((e) => e.budget ?? null)).toEqual(c.rule === null ? [] : [c.rule]);
      // Every failed target was rolled back on its own, at once.
      for (const who of c.failing) expect(h.commands).toContain(`undo@${who.split('@')[1]}`);
      if (c.rule !== null) expect(failed[0]?.failedTargets).toEqual(c.failing.map((w) => w.split('@')[1]).filter((t) => h.commands.includes(`deploy@${t}`)));
    });
  }

  it('a tolerated failure leaves the stage passed with the target listed failed and rolled back', async () => {
    const h = fleetHarness([fleetStage('fleet', 0, five, { budget: { perBatch: null, total: count(1), minHealthy: null } })], { failing: ['deploy@t3'] });
    expect(await h.run()).toBe('succeeded');
    expect(h.targets('fleet')).toEqual({ t1: 'updated', t2: 'updated', t3: 'rolled_back', t4: 'updated', t5: 'updated' });
    expect(h.state().stages[0]?.targets?.find((t) => t.name === 't3')).toMatchObject({ failed: true, reason: 'deploy exited with code 1' });
    expect(h.of('batch.finished').map((e) => [e.updated, e.failed, e.budgetLeft])).toEqual([
      [1, 0, 1],
      [1, 1, 0],
      [2, 0, 0],
    ]);
  });

  it('an exceeded budget starts no later batch; onBudgetExceeded: rollback-all undoes every changed target, newest first', async () => {
    const h = fleetHarness([stage('canary', 0), fleetStage('fleet', 1, five)], { failing: ['deploy@t2'] });
    expect(await h.run()).toBe('rolled_back');
    expect(h.commands).not.toContain('deploy@t4');
    const undo = h.commands.slice(h.commands.indexOf('undo@t2') + 1);
    expect(undo).toEqual(['undo@t3', 'undo@t1', 'undo canary']);
    expect(h.state().stages.map((s) => s.status)).toEqual(['rolled_back', 'rolled_back']);
  });

  it('onBudgetExceeded: rollback-stage undoes only this stage; the earlier stage stays and the run failed', async () => {
    const h = fleetHarness([stage('canary', 0), fleetStage('fleet', 1, five, { onBudgetExceeded: 'rollback-stage' })], { failing: ['deploy@t2'] });
    expect(await h.run()).toBe('failed');
    expect(h.commands).not.toContain('undo canary');
    expect(h.commands.filter((c) => c.startsWith('undo'))).toEqual(['undo@t2', 'undo@t3', 'undo@t1']);
    expect(h.state().stages.map((s) => s.status)).toEqual(['succeeded', 'rolled_back']);
  });

  it('onBudgetExceeded: stop leaves every target as it is', async () => {
    const h = fleetHarness([fleetStage('fleet', 0, five, { onBudgetExceeded: 'stop', onTargetFailure: 'keep' })], { failing: ['deploy@t2'] });
    expect(await h.run()).toBe('failed');
    expect(h.commands.filter((c) => c.startsWith('undo'))).toEqual([]);
    expect(h.targets('fleet')).toMatchObject({ t1: 'updated', t2: 'failed', t3: 'updated', t4: 'pending' });
  });

  it('minHealthy is checked before a batch: a batch that would leave too few healthy does not start', async () => {
    // 5 targets, minHealthy 4: batch 2 (2 targets) would leave 3 in service.
    const h = fleetHarness([fleetStage('fleet', 0, five, { budget: { perBatch: null, total: count(5), minHealthy: count(4) } })]);
    expect(await h.run()).toBe('rolled_back');
    expect(h.of('stage.failed')[0]).toMatchObject({ budget: 'minHealthy' });
    expect(h.of('stage.failed')[0]?.reason).toMatch(/starting batch 2 \(2 targets\) would leave 3 of 5 healthy, fewer than 4/);
    expect(h.commands).toEqual(['deploy@t1', 'undo@t1']);
  });
});

describe('verify: a target counts as updated only when it says it runs the new version', () => {
  it('a target printing the old version after a successful deploy fails', async () => {
    const h = fleetHarness([
      fleetStage('fleet', 0, [['t1', 't2']], {
        verify: { command: 'version', expect: '2.0', timeoutMs: 1000 },
        budget: { perBatch: null, total: count(1), minHealthy: null },
      }),
    ]);
    const p = h.process();
    p.deps.exec = async (spec) => {
      if (spec.command === 'version') await spec.onOutput('stdout', new TextEncoder().encode(spec.env.ROLLOUT_TARGET === 't2' ? '1.9\n' : '2.0\n'));
      return { exitCode: 0, signal: null, timedOut: false, aborted: false };
    };
    expect(await h.run({ kind: 'forward' }, p)).toBe('succeeded');
    expect(h.targets('fleet')).toEqual({ t1: 'updated', t2: 'rolled_back' });
    expect(h.of('verify.finished').map((e) => [e.target, e.ok, e.output])).toEqual([
      ['t1', true, '2.0'],
      ['t2', false, '1.9'],
    ]);
    expect(h.state().stages[0]?.targets?.[1]?.reason).toBe('verify printed "1.9", expected "2.0"');
  });
});

describe('resume, retry and rollback per target', () => {
  it('a run cut short mid-batch: resume deploys again only the targets in flight and the ones not started', async () => {
    const h = fleetHarness([fleetStage('fleet', 0, [['t1'], ['t2', 't3', 't4']], { maxParallel: 2 })], { commandMs: 1000 });
    const first = h.process();
    const running = h.begin({ kind: 'forward' }, first);
    // Cut it when batch 2's first two deploys are under way (t1 took 1s; t2 and t3 started at 1s).
    await h.clock.runUntilSettled(h.clock.sleep(1500));
    expect(h.targets('fleet')).toMatchObject({ t1: 'updated', t2: 'deploying', t3: 'deploying', t4: 'pending' });
    first.interrupt.abort('SIGTERM');
    expect(await h.clock.runUntilSettled(running)).toBe('interrupted');
    expect(h.targets('fleet')).toMatchObject({ t1: 'updated', t4: 'pending' });
    const before = h.commands.length;
    expect(await h.run()).toBe('succeeded');
    expect(h.commands.slice(before).sort()).toEqual(['deploy@t2', 'deploy@t3', 'deploy@t4']);
    expect(Object.values(h.targets('fleet'))).toEqual(['updated', 'updated', 'updated', 'updated']);
  });

  it('--retry-failed deploys again only the failed targets', async () => {
    const failing = ['deploy@t3'];
    const h = fleetHarness([fleetStage('fleet', 0, five, { onBudgetExceeded: 'stop' })], { failing });
    expect(await h.run()).toBe('failed');
    failing.length = 0; // fixed
    const before = h.commands.length;
    expect(await h.run({ kind: 'forward', retryFailed: true })).toBe('succeeded');
    expect(h.commands.slice(before)).toEqual(['deploy@t3', 'deploy@t4', 'deploy@t5']);
    expect(Object.values(h.targets('fleet'))).toEqual(['updated', 'updated', 'updated', 'updated', 'updated']);
  });

  it('rollout rollback after success undoes exactly the targets that changed, newest first', async () => {
    const h = fleetHarness([fleetStage('fleet', 0, five, { maxParallel: 1 })]);
    expect(await h.run()).toBe('succeeded');
    const before = h.commands.length;
    expect(await h.run({ kind: 'undo' })).toBe('rolled_back');
    expect(h.commands.slice(before)).toEqual(['undo@t5', 'undo@t4', 'undo@t3', 'undo@t2', 'undo@t1']);
    expect(h.state().stages[0]?.status).toBe('rolled_back');
  });
});

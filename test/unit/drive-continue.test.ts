import { describe, expect, it } from 'vitest';
import { whereRunIs } from '../../src/run/where.js';
import { approval, continueWith as continueRun, HOUR, harness, MINUTE, plan, stage, startRun } from './run-harness.js';

describe('the loop continuing a recorded run: an expired gate acts on its onTimeout', () => {
  it('onTimeout: abort rolls back what was deployed, decided by "timeout", the run rolled back', async () => {
    const h = harness(plan({ approval: approval(2 * HOUR, 'abort') }));
    expect((await h.clock.runUntilSettled(startRun(h.plan, h.process().deps))).status).toBe('paused');
    const gate = h.state().gate;
    expect(gate?.expiresAt).toBe('1970-01-01T02:00:00.000Z');

    await h.wait(HOUR); // not yet: the gate still waits, and continuing does nothing
    expect(whereRunIs(h.state(), h.clock.now())?.kind).toBe('wait');
    expect(await continueRun(h.plan, h.state(), h.process().deps)).toBe('paused');
    expect(h.of('gate.decided')).toEqual([]);

    await h.wait(HOUR);
    expect(whereRunIs(h.state(), h.clock.now())).toMatchObject({ kind: 'decide', decision: { decision: 'abort', by: 'timeout' } });
    const status = await h.clock.runUntilSettled(continueRun(h.plan, h.state(), h.process().deps));
    expect(status).toBe('rolled_back');
    expect(h.commands).toEqual(['deploy canary', 'undo canary']);
    expect(h.of('gate.decided')).toMatchObject([
      { gateId: gate?.id, decision: 'abort', by: 'timeout', reason: `gate ${gate?.id} expired at 1970-01-01T02:00:00.000Z` },
    ]);
    expect(h.state()).toMatchObject({
      status: 'rolled_back',
      failure: { stage: 'canary', reason: `gate ${gate?.id} expired at 1970-01-01T02:00:00.000Z (onTimeout: abort)` },
      gate: { decision: { decision: 'abort', by: 'timeout' } },
    });
    expect(h.state().stages.map((s) => s.status)).toEqual(['rolled_back', 'pending', 'pending']);
    expect(whereRunIs(h.state(), h.clock.now())).toBeNull();
  });

  it('onTimeout: abort with a failing rollback ends rollback_failed (exit 3)', async () => {
    const p = plan({ approval: approval(MINUTE, 'abort') });
    const h = harness(p, ['undo canary']);
    await h.clock.runUntilSettled(startRun(p, h.process().deps));
    await h.wait(MINUTE);
    expect(await h.clock.runUntilSettled(continueRun(p, h.state(), h.process().deps))).toBe('rollback_failed');
    expect(h.state().status).toBe('rollback_failed');
  });

  it('onTimeout: fail records the run failed with the expiry as its reason, undoing nothing', async () => {
    const p = plan({ approval: approval(MINUTE, 'fail') });
    const h = harness(p);
    await h.clock.runUntilSettled(startRun(p, h.process().deps));
    const gate = h.state().gate;
    await h.wait(2 * MINUTE);
    expect(await h.clock.runUntilSettled(continueRun(p, h.state(), h.process().deps))).toBe('failed');
    expect(h.commands).toEqual(['deploy canary']);
    expect(h.of('gate.decided')).toMatchObject([{ decision: 'fail', by: 'timeout' }]);
    expect(h.state()).toMatchObject({
      status: 'failed',
      failure: { stage: 'canary', reason: `gate ${gate?.id} expired at 1970-01-01T00:01:00.000Z` },
    });
    expect(h.state().stages.map((s) => s.status)).toEqual(['succeeded', 'pending', 'pending']);
  });

  it('a person may still abort an expired gate: their decision is the one recorded', async () => {
    const p = plan({ approval: approval(MINUTE, 'fail') });
    const h = harness(p);
    await h.clock.runUntilSettled(startRun(p, h.process().deps));
    await h.wait(2 * MINUTE);
    const decision = { decision: 'abort', by: 'alice', reason: 'too late' } as const;
    expect(await h.clock.runUntilSettled(continueRun(p, h.state(), h.process().deps, decision))).toBe('rolled_back');
    expect(h.of('gate.decided')).toMatchObject([{ decision: 'abort', by: 'alice' }]);
  });
});

describe('the loop continuing a recorded run: the rest of the run model', () => {
  it('a promote decision continues from the next stage in the same call', async () => {
    const p = plan({ approval: approval(null, 'abort') });
    const h = harness(p);
    await h.clock.runUntilSettled(startRun(p, h.process().deps));
    const decision = { decision: 'promote', by: 'alice', reason: 'at the terminal' } as const;
    expect(await h.clock.runUntilSettled(continueRun(p, h.state(), h.process().deps, decision))).toBe('succeeded');
    expect(h.commands).toEqual(['deploy canary', 'deploy half', 'deploy full']);
    expect(h.state().gate?.decision).toMatchObject(decision);
    expect(h.state().stages.map((s) => s.step)).toEqual(['done', 'done', 'done']);
  });

  it('a pause cut short is waited again from its start, then the run goes on', async () => {
    const p = plan({ pauseMs: 10 * MINUTE });
    const h = harness(p);
    const first = h.process();
    void h.clock.sleep(5 * MINUTE).then(() => first.interrupt.abort('SIGINT'));
    expect((await h.clock.runUntilSettled(startRun(p, first.deps))).status).toBe('interrupted');
    expect(h.state().stages[0]).toMatchObject({ status: 'succeeded', step: 'pause' });
    expect(whereRunIs(h.state(), h.clock.now())).toEqual({ kind: 'pause', ref: { stage: 'canary' }, inconclusive: [] });

    const resumedAt = h.clock.now();
    expect(await h.clock.runUntilSettled(continueRun(p, h.state(), h.process().deps))).toBe('succeeded');
    expect(h.commands).toEqual(['deploy canary', 'deploy half', 'deploy full']);
    const half = h.of('stage.started').find((e) => e.stage === 'half');
    expect(Date.parse(half?.time ?? '') - resumedAt).toBe(10 * MINUTE);
  });

  it('a rollback interrupted half-way is finished, newest first, without redoing what was undone', async () => {
    const p = plan({});
    p.stages[2] = stage('full', 2, { deploy: 'deploy full' });
    const h = harness(p, ['deploy full']);
    const first = h.process();
    // full fails; the rollback undoes full and half (interrupted as half's undo ends), never reaching canary
    first.deps.exec = async (spec) => {
      h.commands.push(spec.command);
      if (spec.command === 'undo half') first.interrupt.abort('SIGTERM');
      return { exitCode: spec.command === 'deploy full' ? 1 : 0, signal: null, timedOut: false, aborted: false };
    };
    expect((await h.clock.runUntilSettled(startRun(p, first.deps))).status).toBe('interrupted');
    expect(whereRunIs(h.state(), h.clock.now())).toMatchObject({ kind: 'undo', refs: [{ stage: 'canary' }] });
    h.commands.length = 0;
    expect(await h.clock.runUntilSettled(continueRun(p, h.state(), h.process().deps))).toBe('rolled_back');
    expect(h.commands).toEqual(['undo canary']);
    expect(h.state().stages.map((s) => s.status)).toEqual(['rolled_back', 'rolled_back', 'rolled_back']);
    expect(h.of('run.resumed').at(-1)).toMatchObject({ mode: 'rollback' });
  });
});

import { describe, expect, it } from 'vitest';
import type { EngineDeps } from '../../src/engine/deps.js';
import type { Plan } from '../../src/plan/types.js';
import type { Expected, StateBackend, StoredRecord } from '../../src/state/backend.js';
import { progressFlushMs, StateStore } from '../../src/state/store.js';
import { startRun } from './run-harness.js';
import { VirtualClock } from './virtual-clock.js';

/**
 * The engine and the store through the backend seam, in-process: the engine waits for a
 * transition's record before it starts a command, and a write that fails stops the run before
 * the next command (issue 10 item 10), whatever the backend.
 */
function plan(stages: string[]): Plan {
  return {
    version: 1,
    name: 'web',
    path: '/p/rollout.config.yml',
    dir: '/p',
    sha256: 'x',
    vars: {},
    onFailure: 'rollback',
    onInterrupt: 'stop',
    onInconclusive: 'fail',
    killGraceMs: 10,
    rollback: null,
    rollbackTimeoutMs: 1000,
    statePath: '/p/.rollout/state.json',
    windows: null,
    targets: [],
    secrets: [],
    stages: stages.map((name, index) => ({
      name,
      index,
      deploy: `deploy ${name}`,
      rollback: null,
      soakMs: 0,
      timeoutMs: 1000,
      checks: [],
      pauseMs: 0,
      approval: null,
      fleet: null,
    })),
  };
}

/** A backend whose writes are slow (to prove the engine waits) and fail from the `failAt`-th on. */
function memoryBackend(failAt = Number.POSITIVE_INFINITY) {
  const writes: { serial: number; status: string; stages: string[] }[] = [];
  let pending = 0;
  const backend = {
    location: 'memory',
    async write(record: StoredRecord, _expected: Expected) {
      pending++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      pending--;
      if (writes.length + 1 >= failAt) throw new Error('disk full');
      const doc = JSON.parse(record.text);
      writes.push({ serial: record.serial, status: doc.status, stages: doc.stages.map((s: { status: string }) => s.status) });
    },
  } as unknown as StateBackend;
  return { backend, writes, pending: () => pending };
}

function harness(failAt?: number) {
  const clock = new VirtualClock();
  const memory = memoryBackend(failAt);
  const stop = new AbortController();
  const store = new StateStore(memory.backend, null, { onFailure: (error) => stop.abort(error) });
  const started: { command: string; pendingWrites: number; recorded: number }[] = [];
  const deps: EngineDeps = {
    runId: 'r1',
    clock,
    env: {},
    exec: async (spec) => {
      started.push({ command: spec.command, pendingWrites: memory.pending(), recorded: memory.writes.length });
      return { exitCode: 0, signal: null, timedOut: false, aborted: false };
    },
    measure: async () => {
      throw new Error('these plans have no checks');
    },
    emit: (event) => store.handle(event),
    signal: stop.signal,
    hardSignal: stop.signal,
    randomHex: () => '00',
  };
  return { deps, store, memory, started, clock };
}

describe('state store behind the backend seam', () => {
  it('no command starts before its deploy.started transition is recorded; serials grow by one', async () => {
    const h = harness();
    const outcome = await h.clock.runUntilSettled(startRun(plan(['a', 'b', 'c']), h.deps));
    await h.store.close();
    expect(outcome.status).toBe('succeeded');
    expect(h.started.map((s) => s.command)).toEqual(['deploy a', 'deploy b', 'deploy c']);
    for (const s of h.started) expect(s.pendingWrites).toBe(0);
    // Each deploy starts after at least one more record than the previous one.
    expect(h.started.map((s) => s.recorded)).toEqual([...h.started.map((s) => s.recorded)].sort((x, y) => x - y));
    const serials = h.memory.writes.map((w) => w.serial);
    expect(serials).toEqual(serials.map((_, i) => i + 1));
    expect(h.memory.writes.at(-1)?.status).toBe('succeeded');
  });

  it.each([
    [1, []],
    [2, []],
    [3, ['deploy a']],
  ])('a write failing (write #%i) stops the run: commands started %j, the failure kept', async (failAt, commands) => {
    const h = harness(failAt);
    await h.clock.runUntilSettled(startRun(plan(['a', 'b', 'c']), h.deps));
    await h.store.close();
    expect(h.started.map((s) => s.command)).toEqual(commands);
    expect((h.store.failure as Error).message).toBe('disk full');
    expect(h.memory.writes).toHaveLength(failAt - 1); // nothing written after the failure
    expect(h.store.text()).toContain('"runId": "r1"'); // the run's own record, for the fallback file
  });
});

describe('running commands in the state, one per unit (issue 16 item 5)', () => {
  it('records each unit’s process group apart: one ending leaves the other, a unit’s new command replaces its old', async () => {
    const memory = memoryBackend();
    const store = new StateStore(memory.backend, null);
    await store.handle({ type: 'run.started', time: 't', runId: 'r1', plan: { name: 'p', path: '/p', sha256: 's', vars: {} }, stages: ['a', 'b'] });
    const group = (pgid: number) => ({ pgid, startTicks: '1', machine: 'm', host: 'h', command: `deploy ${pgid}` });
    const groups = () => store.document?.processGroups?.map((g) => `${g.unit}:${g.pgid}`);
    store.recordProcessGroup('a', group(10));
    store.recordProcessGroup('b', group(20));
    expect(groups()).toEqual(['a:10', 'b:20']);
    store.recordProcessGroup('a', null);
    expect(groups()).toEqual(['b:20']);
    store.recordProcessGroup('b', group(21));
    expect(groups()).toEqual(['b:21']);
    await store.close();
    expect(store.text()).toContain('"unit": "b"');
    store.recordProcessGroup('b', null);
    expect(groups()).toEqual([]);
  });

  it('writes poll counters at most once a second, and a big document less often', () => {
    expect(progressFlushMs(0)).toBe(1000);
    expect(progressFlushMs(200 * 1024)).toBe(1000);
    expect(progressFlushMs(1024 ** 2)).toBe(4000);
    expect(progressFlushMs(4 * 1024 ** 2)).toBe(16_000);
  });
});

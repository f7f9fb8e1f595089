import { describe, expect, it } from 'vitest';
import { checkWindowGate } from '../../src/commands/window-gate-check.js';
import type { RolloutEvent } from '../../src/engine/events.js';
import type { WindowOverride } from '../../src/engine/window-gate.js';
import type { Plan, Stage } from '../../src/plan/types.js';
import { compileWindows } from '../../src/windows/evaluate.js';
import type { RawWindows } from '../../src/windows/schema.js';
import { fakeDeps, MINUTE, startRun, testPlan, stage as testStage } from './run-harness.js';
import { VirtualClock } from './virtual-clock.js';

// The virtual clock starts at the epoch: Thursday 1970-01-01 00:00 UTC. Each stage soaks 20 minutes.
const stage = (name: string, index: number): Stage => testStage(name, index, { soakMs: 20 * MINUTE });

function plan(windows: RawWindows | null): Plan {
  const compiled = windows === null ? null : compileWindows(windows);
  if (compiled && !compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  return testPlan([stage('canary', 0), stage('half', 1), stage('all', 2)], { windows: compiled?.windows ?? null });
}

async function run(windows: RawWindows | null, options: { override?: WindowOverride; interruptAtMs?: number } = {}) {
  const clock = new VirtualClock();
  const events: RolloutEvent[] = [];
  const commands: string[] = [];
  const interrupt = new AbortController();
  const deps = fakeDeps(clock, {
    exec: async (spec) => {
      commands.push(spec.command);
      return { exitCode: 0, signal: null, timedOut: false, aborted: false };
    },
    emit: (event) => {
      events.push(event);
    },
    signal: interrupt.signal,
  });
  if (options.interruptAtMs !== undefined) void clock.sleep(options.interruptAtMs).then(() => interrupt.abort('SIGTERM'));
  const outcome = await clock.runUntilSettled(startRun(plan(windows), deps, { overrideWindow: options.override ?? null }), 30 * 24 * 60 * MINUTE);
  const of = <T extends RolloutEvent['type']>(type: T) => events.filter((e): e is Extract<RolloutEvent, { type: T }> => e.type === type);
  return { outcome, commands, of, clock };
}

// Open for the first 30 minutes of each Thursday (UTC): canary (t=0) and half (t=20m) start inside, all (t=40m) does not.
const closesAfterHalf: RawWindows = { allow: [{ days: ['thu'], from: '00:00', to: '00:30' }] };

describe('deploy windows in the stage loop', () => {
  const cases: [string, RawWindows | null, { override?: WindowOverride }, string, string[]][] = [
    ['no windows: every stage runs', null, {}, 'succeeded', ['deploy canary', 'deploy half', 'deploy all']],
    ['a window open all along', { allow: [{ from: '00:00', to: '23:00' }] }, {}, 'succeeded', ['deploy canary', 'deploy half', 'deploy all']],
    ['a window that closes mid-rollout stops before the next stage, rolling nothing back', closesAfterHalf, {}, 'blocked', ['deploy canary', 'deploy half']],
    ['a freeze from the start deploys nothing', { deny: [{ from: '1970-01-01', to: '1970-01-02', reason: 'freeze' }] }, {}, 'blocked', []],
    [
      'an override starts blocked stages on the record',
      closesAfterHalf,
      { override: { reason: 'hotfix INC-42', by: 'alice' } },
      'succeeded',
      ['deploy canary', 'deploy half', 'deploy all'],
    ],
    [
      'a deny inside an allow blocks only what starts inside it',
      { allow: [{ from: '00:00', to: '23:00' }], deny: [{ from: '00:15', to: '00:30', reason: 'change board' }] },
      {},
      'blocked',
      ['deploy canary'],
    ],
  ];

  it.each(cases)('%s', async (_what, windows, options, status, commands) => {
    const result = await run(windows, options);
    expect(result.outcome.status).toBe(status);
    expect(result.commands).toEqual(commands);
    expect(result.of('rollback.started')).toHaveLength(0);
  });

  it('names the rule and the next allowed time when it blocks', async () => {
    const { of } = await run(closesAfterHalf);
    expect(of('stage.blocked')).toEqual([
      expect.objectContaining({ stage: 'all', index: 2, rule: 'outside the allowed windows (thu 00:00–00:30)', nextOpenAt: '1970-01-08T00:00:00.000Z' }),
    ]);
    expect(of('run.finished')[0]).toMatchObject({ status: 'blocked', failure: null });
  });

  it('records who overrode which rule and why', async () => {
    const { of } = await run(closesAfterHalf, { override: { reason: 'hotfix INC-42', by: 'alice' } });
    expect(of('window.overridden')).toEqual([
      expect.objectContaining({ stage: 'all', reason: 'hotfix INC-42', by: 'alice', rule: expect.stringContaining('thu 00:00–00:30') }),
    ]);
  });

  it('onBlocked: wait sleeps until the window opens when that is within maxWait', async () => {
    const { outcome, of, clock, commands } = await run({ ...closesAfterHalf, onBlocked: 'wait', maxWait: '168h' });
    expect(outcome.status).toBe('succeeded');
    expect(commands).toEqual(['deploy canary', 'deploy half', 'deploy all']);
    expect(of('window.waiting')).toEqual([expect.objectContaining({ stage: 'all', until: '1970-01-08T00:00:00.000Z' })]);
    expect(clock.now()).toBe(7 * 24 * 60 * MINUTE + 20 * MINUTE);
  });

  it('onBlocked: wait gives up when the window opens after maxWait', async () => {
    const { outcome, of, commands } = await run({ ...closesAfterHalf, onBlocked: 'wait', maxWait: '144h' });
    expect(outcome.status).toBe('blocked');
    expect(commands).toEqual(['deploy canary', 'deploy half']);
    expect(of('window.waiting')).toHaveLength(0);
    expect(of('stage.blocked')[0]?.message).toContain('beyond maxWait');
  });

  it('an interrupt while waiting stops the run as interrupted', async () => {
    const { outcome, commands } = await run({ ...closesAfterHalf, onBlocked: 'wait', maxWait: '168h' }, { interruptAtMs: 3 * 24 * 60 * MINUTE });
    expect(outcome.status).toBe('interrupted');
    expect(commands).toEqual(['deploy canary', 'deploy half']);
  });
});

describe('onBlocked: pause — a gate before the blocked stage', () => {
  const paused: RawWindows = { ...closesAfterHalf, onBlocked: 'pause' };

  it('stops like an approval gate: status paused, a window gate naming the rule and the next allowed time, nothing rolled back', async () => {
    const { outcome, commands, of } = await run(paused);
    expect(outcome).toEqual({ status: 'paused', failure: null });
    expect(commands).toEqual(['deploy canary', 'deploy half']);
    expect(of('stage.blocked'), 'a pause is a gate, not a block').toHaveLength(0);
    expect(of('rollback.started')).toHaveLength(0);
    const gate = of('gate.opened')[0]?.gate;
    expect(gate).toMatchObject({
      stage: 'all',
      index: 2,
      kind: 'window',
      rule: 'outside the allowed windows (thu 00:00–00:30)',
      nextOpenAt: '1970-01-08T00:00:00.000Z',
      expiresAt: null,
      createdAt: '1970-01-01T00:40:00.000Z',
      planSha256: 'x',
    });
    expect(gate?.reason).toBe('blocked: outside the allowed windows (thu 00:00–00:30); next allowed Thu 1970-01-08 00:00 UTC');
    expect(gate?.id).toMatch(/^all-[0-9a-f]{6}$/);
    expect(of('run.finished')[0]).toMatchObject({ status: 'paused', failure: null });
  });

  it('a freeze from the first stage pauses before anything is deployed', async () => {
    const { outcome, commands, of } = await run({ deny: [{ from: '1970-01-01', to: '1970-01-02', reason: 'freeze' }], onBlocked: 'pause' });
    expect(outcome.status).toBe('paused');
    expect(commands).toEqual([]);
    expect(of('gate.opened')[0]?.gate).toMatchObject({ stage: 'canary', kind: 'window', nextOpenAt: '1970-01-03T00:00:00.000Z' });
  });

  it('an override goes through instead of pausing, on the record', async () => {
    const { outcome, of } = await run(paused, { override: { reason: 'hotfix', by: 'alice' } });
    expect(outcome.status).toBe('succeeded');
    expect(of('gate.opened')).toHaveLength(0);
    expect(of('window.overridden')).toHaveLength(1);
  });
});

describe('rollout promote on a window gate', () => {
  const windowPlan = plan({ ...closesAfterHalf, onBlocked: 'pause' });
  const gate = {
    id: 'all-abc123',
    stage: 'all',
    index: 2,
    kind: 'window' as const,
    reason: 'blocked',
    createdAt: '1970-01-01T00:40:00.000Z',
    expiresAt: null,
    onTimeout: 'abort' as const,
    nonce: 'n',
    planSha256: 'x',
  };
  const DAY = 24 * 60 * MINUTE;
  // The last column: the next allowed time a refusal names, or null when promote may go on.
  const cases: [string, number, WindowOverride | null, string | null][] = [
    ['still closed (an hour later)', 60 * MINUTE, null, 'Thu 1970-01-08 00:00 UTC'],
    ['just before it opens', 7 * DAY - 1, null, 'Thu 1970-01-08 00:00 UTC'],
    ['the window is open now (next Thursday 00:10)', 7 * DAY + 10 * MINUTE, null, null],
    ['closed again once it has passed (next Thursday 00:30)', 7 * DAY + 30 * MINUTE, null, 'Thu 1970-01-15 00:00 UTC'],
    ['closed, with --override-window --reason', 60 * MINUTE, { reason: 'hotfix', by: 'alice' }, null],
  ];

  it.each(cases)('%s', (_what, now, override, next) => {
    const decide = () => checkWindowGate(gate, windowPlan, now, override);
    if (next === null) expect(decide).not.toThrow();
    else {
      expect(decide).toThrow(
        `gate all-abc123 waits for all's deploy window, which is still closed: blocked: outside the allowed windows (thu 00:00–00:30); next allowed ${next}.`,
      );
      expect(() => decide()).toThrow(expect.objectContaining({ exitCode: 6 }));
    }
  });

  it('leaves approval and inconclusive gates to the other checks, whatever the window says', () => {
    for (const kind of ['approval', 'inconclusive'] as const) expect(() => checkWindowGate({ ...gate, kind }, windowPlan, 60 * MINUTE, null)).not.toThrow();
  });
});

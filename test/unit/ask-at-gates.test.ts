import { PassThrough } from 'node:stream';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { askAtGates } from '../../src/commands/drive-run.js';
import type { Plan } from '../../src/plan/types.js';
import { approval, HOUR, harness, MINUTE, plan, startRun } from './run-harness.js';
import type { VirtualClock } from './virtual-clock.js';

/**
 * A person at a terminal, in-process: answers typed one per question (each only once the question
 * is on the screen), the run's own engine and state behind it.
 */
async function atTerminal(rolloutPlan: Plan, answers: string[], options: { canPrompt?: boolean; beforeAnswer?: (clock: VirtualClock) => Promise<void> } = {}) {
  const h = harness(rolloutPlan);
  const { deps } = h.process();
  const input = new PassThrough();
  const out = new PassThrough();
  let screen = '';
  let asked = 0;
  out.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
    const questions = screen.split('[p/a/w]').length - 1;
    while (asked < questions) {
      const answer = answers[asked++];
      void (options.beforeAnswer?.(h.clock) ?? Promise.resolve()).then(() => (answer === undefined ? input.end() : input.write(`${answer}\n`)));
    }
  });
  const term = { out, err: new PassThrough(), isTTY: true, isCI: false, color: new Chalk({ level: 0 }), canPrompt: options.canPrompt ?? true };
  const ctx = { term, input: () => input, signal: new AbortController().signal, clock: h.clock, env: { ROLLOUT_ACTOR: 'alice' } };
  const first = await h.clock.runUntilSettled(startRun(h.plan, deps));
  const status = await h.clock.runUntilSettled(askAtGates(first.status, h.state, { plan: h.plan, deps, ctx, flags: {}, options: {} }));
  return { ...h, status, screen: () => screen, asked: () => asked };
}

describe('askAtGates: a run that reaches a gate at a terminal', () => {
  it('promote records who, "at the terminal", and goes on to the end', async () => {
    const t = await atTerminal(plan({ approval: approval(HOUR, 'abort') }), ['p']);
    expect(t.status).toBe('succeeded');
    expect(t.commands).toEqual(['deploy canary', 'deploy half', 'deploy full']);
    expect(t.state().gate?.decision).toMatchObject({ decision: 'promote', by: 'alice', reason: 'at the terminal' });
    expect(t.screen()).toContain('Waiting at gate canary-');
  });

  it('asks again at the next gate; wait there leaves the run paused at it', async () => {
    const t = await atTerminal(plan({ approval: approval(null, 'abort') }, { approval: approval(null, 'abort') }), ['promote', 'wait']);
    expect(t.status).toBe('paused');
    expect(t.asked()).toBe(2);
    expect(t.commands).toEqual(['deploy canary', 'deploy half']);
    expect(t.state()).toMatchObject({ status: 'paused', gate: { stage: 'half', decision: null } });
  });

  it('abort rolls back what was deployed', async () => {
    const t = await atTerminal(plan({ approval: approval(null, 'abort') }), ['a']);
    expect(t.status).toBe('rolled_back');
    expect(t.commands).toEqual(['deploy canary', 'undo canary']);
    expect(t.state().failure?.reason).toMatch(/^aborted at gate canary-\w+ by alice: at the terminal$/);
  });

  it('the end of input is "wait": paused, the gate undecided', async () => {
    const t = await atTerminal(plan({ approval: approval(null, 'abort') }), []);
    expect(t.status).toBe('paused');
    expect(t.state().gate?.decision).toBeNull();
  });

  it('a promote typed after the gate expired is refused and the run stays paused (resume then acts on onTimeout)', async () => {
    // The person takes two minutes to answer a gate open for one.
    const t = await atTerminal(plan({ approval: approval(MINUTE, 'abort') }), ['p'], { beforeAnswer: (clock) => clock.sleep(2 * MINUTE) });
    expect(t.status).toBe('paused');
    expect(t.screen()).toMatch(/expired at .*`rollout resume` will roll back/);
    expect(t.state().gate?.decision).toBeNull();
  });

  it('without a terminal nothing is asked', async () => {
    const t = await atTerminal(plan({ approval: approval(null, 'abort') }), ['p'], { canPrompt: false });
    expect(t.status).toBe('paused');
    expect(t.screen()).toBe('');
  });
});

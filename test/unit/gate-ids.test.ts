import { describe, expect, it } from 'vitest';
import { approval, HOUR, harness, plan, startRun } from './run-harness.js';

describe('gate ids and nonces come from the injected randomness', () => {
  it('the engine draws no randomness of its own: the same deps give the same gate', async () => {
    const gates = [];
    for (let i = 0; i < 2; i++) {
      const h = harness(plan({ approval: approval(2 * HOUR, 'abort') }));
      expect((await h.clock.runUntilSettled(startRun(h.plan, h.process().deps))).status).toBe('paused');
      gates.push(h.state().gate);
    }
    expect(gates[0]?.id).toBe('canary-000000');
    expect(gates[0]?.nonce).toBe('00000000000000000000000000000001');
    expect(gates[1]).toEqual(gates[0]);
  });
});

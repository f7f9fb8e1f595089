import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../../src/engine/events.js';
import { type NextStep, nextStep } from '../../src/engine/next-step.js';
import { describeNextStep } from '../../src/output/next-step-text.js';
import type { StageState, StageStatus, StageStep, StateDocument } from '../../src/state/document.js';
import { pendingStage } from '../../src/state/reduce.js';

const HOUR = 3600_000;
const NOW = Date.parse('2026-11-25T12:00:00Z');

/** A stage as `status/step`, e.g. `succeeded/pause`; no step: a document from before the cursor. */
function stage(name: string, spec: string): StageState {
  const [status, step] = spec.split('/') as [StageStatus, StageStep | undefined];
  const { step: _cursor, ...rest } = pendingStage(name);
  return { ...rest, status, ...(step ? { step } : {}) };
}

type GateSpec = {
  expiresInMs?: number | null;
  onTimeout?: 'abort' | 'fail';
  decided?: { decision: 'promote' | 'abort' | 'fail'; by: string; reason: string | null };
};

function doc(status: RunStatus, stages: string[], extra: { failure?: StateDocument['failure']; gate?: GateSpec } = {}): StateDocument {
  const gate = extra.gate;
  const expiresInMs = gate?.expiresInMs === undefined ? 72 * HOUR : gate.expiresInMs;
  return {
    version: 1,
    runId: 'r1',
    lineage: 'l',
    serial: 1,
    plan: { name: 'p', path: '/p/rollout.config.yml', sha256: 'x', vars: {} },
    status,
    interruptedBy: status === 'interrupted' ? 'SIGINT' : null,
    resumes: 0,
    startedAt: '2026-11-25T10:00:00Z',
    updatedAt: '2026-11-25T11:00:00Z',
    finishedAt: null,
    stages: stages.map((spec, i) => stage(['canary', 'half', 'full'][i] ?? `s${i}`, spec)),
    failure: extra.failure ?? null,
    rollback: null,
    gate: gate
      ? {
          id: 'canary-abc123',
          stage: 'canary',
          index: 0,
          reason: 'look at the dashboard',
          kind: 'approval',
          createdAt: '2026-11-25T11:00:00.000Z',
          expiresAt: expiresInMs === null ? null : new Date(NOW + expiresInMs).toISOString(),
          onTimeout: gate.onTimeout ?? 'abort',
          nonce: 'n',
          planSha256: 'x',
          decision: gate.decided ? { ...gate.decided, at: '2026-11-25T11:30:00.000Z' } : null,
        }
      : null,
  };
}

const failure = { stage: 'half', reason: 'health check failed' };

// Every (run status × stage status/step) a run can be left in, and what comes next.
const cases: [string, StateDocument, Partial<NextStep> & { kind: NextStep['kind'] }][] = [
  // finished runs
  ['succeeded', doc('succeeded', ['succeeded/done', 'succeeded/done', 'succeeded/done']), { kind: 'done', status: 'succeeded' }],
  ['failed (onFailure: stop)', doc('failed', ['succeeded/done', 'failed/done', 'skipped'], { failure }), { kind: 'done', status: 'failed' }],
  ['rolled back', doc('rolled_back', ['rolled_back/done', 'rolled_back/done', 'skipped/window'], { failure }), { kind: 'done', status: 'rolled_back' }],
  [
    'rollback failed',
    doc('rollback_failed', ['rollback_failed/done', 'rolled_back/done', 'skipped'], { failure }),
    { kind: 'done', status: 'rollback_failed' },
  ],
  // forward, from where the process stopped (interrupted) or died (running)
  ['died before the first stage', doc('running', ['pending/window', 'pending/window', 'pending/window']), { kind: 'start-stage', stageIndex: 0, deployed: [] }],
  [
    'interrupted deploying the canary',
    doc('interrupted', ['deploying/deploy', 'pending/window', 'pending/window']),
    { kind: 'start-stage', stageIndex: 0, deployed: [] },
  ],
  [
    'interrupted soaking the canary',
    doc('interrupted', ['soaking/soak', 'pending/window', 'pending/window']),
    { kind: 'resoak', stageIndex: 0, deployed: [0] },
  ],
  ['died soaking half', doc('running', ['succeeded/done', 'soaking/soak', 'pending/window']), { kind: 'resoak', stageIndex: 1, deployed: [0, 1] }],
  [
    'interrupted deploying half',
    doc('interrupted', ['succeeded/done', 'deploying/deploy', 'pending/window']),
    { kind: 'start-stage', stageIndex: 1, deployed: [0] },
  ],
  [
    'interrupted in the canary pause',
    doc('interrupted', ['succeeded/pause', 'pending/window', 'pending/window']),
    { kind: 'repause', stageIndex: 0, deployed: [0] },
  ],
  [
    'a pause that ended, then died',
    doc('running', ['succeeded/done', 'pending/window', 'pending/window']),
    { kind: 'start-stage', stageIndex: 1, deployed: [0] },
  ],
  [
    'every stage passed, the end not recorded',
    doc('running', ['succeeded/done', 'succeeded/done', 'succeeded/done']),
    { kind: 'start-stage', stageIndex: 3, deployed: [0, 1, 2] },
  ],
  // blocked by a window
  ['blocked before the canary', doc('blocked', ['pending/window', 'pending/window', 'pending/window']), { kind: 'start-stage', stageIndex: 0, deployed: [] }],
  ['blocked before half', doc('blocked', ['succeeded/done', 'pending/window', 'pending/window']), { kind: 'start-stage', stageIndex: 1, deployed: [0] }],
  // rollbacks: decided on failure, cut short, or started by onInterrupt: rollback
  [
    'died between the failure and its rollback',
    doc('running', ['succeeded/done', 'failed/done', 'skipped/window'], { failure }),
    { kind: 'rollback', deployed: [0, 1], failure },
  ],
  [
    'interrupted during the rollback',
    doc('interrupted', ['rolling_back/done', 'rolled_back/done', 'skipped/window'], { failure }),
    { kind: 'rollback', deployed: [0], failure },
  ],
  [
    'died during a plan-level rollback',
    doc('running', ['rolling_back/done', 'rolling_back/done', 'skipped'], { failure }),
    { kind: 'rollback', deployed: [0, 1] },
  ],
  [
    'onInterrupt: rollback cut short (no failure)',
    doc('interrupted', ['rollback_failed/done', 'rolled_back/done', 'pending/window']),
    { kind: 'rollback', deployed: [0], failure: null },
  ],
  // gates
  ['paused at a gate', doc('paused', ['succeeded/gate', 'pending/window', 'pending/window'], { gate: {} }), { kind: 'gate-waiting' }],
  [
    'paused at a gate with no timeout',
    doc('paused', ['succeeded/gate', 'pending/window', 'pending/window'], { gate: { expiresInMs: null } }),
    { kind: 'gate-waiting' },
  ],
  [
    'paused at an expired gate (abort)',
    doc('paused', ['succeeded/gate', 'pending/window', 'pending/window'], { gate: { expiresInMs: -1 } }),
    { kind: 'gate-expired', onTimeout: 'abort' },
  ],
  [
    'paused at a gate expiring this instant (fail)',
    doc('paused', ['succeeded/gate', 'pending/window', 'pending/window'], { gate: { expiresInMs: 0, onTimeout: 'fail' } }),
    { kind: 'gate-expired', onTimeout: 'fail' },
  ],
  ['died between the gate and the pause', doc('running', ['succeeded/gate', 'pending/window', 'pending/window'], { gate: {} }), { kind: 'gate-waiting' }],
  [
    'promoted, died before the next stage',
    doc('paused', ['succeeded/done', 'pending/window', 'pending/window'], { gate: { decided: { decision: 'promote', by: 'alice', reason: null } } }),
    { kind: 'start-stage', stageIndex: 1, deployed: [0] },
  ],
  [
    'promoted, interrupted soaking half',
    doc('interrupted', ['succeeded/done', 'soaking/soak', 'pending/window'], { gate: { decided: { decision: 'promote', by: 'alice', reason: null } } }),
    { kind: 'resoak', stageIndex: 1, deployed: [0, 1] },
  ],
  [
    'aborted, died before the rollback',
    doc('paused', ['succeeded/done', 'pending/window', 'pending/window'], { gate: { decided: { decision: 'abort', by: 'alice', reason: 'p95 up' } } }),
    { kind: 'rollback', deployed: [0], failure: { stage: 'canary', reason: 'aborted at gate canary-abc123 by alice: p95 up' } },
  ],
  [
    'expired (abort), interrupted during its rollback',
    doc('paused', ['rolling_back/done', 'pending/window', 'pending/window'], {
      gate: { expiresInMs: -HOUR, decided: { decision: 'abort', by: 'timeout', reason: 'gate canary-abc123 expired at T' } },
    }),
    { kind: 'rollback', deployed: [0], failure: { stage: 'canary', reason: 'gate canary-abc123 expired at T (onTimeout: abort)' } },
  ],
  [
    'expired (fail), died before the run was closed',
    doc('paused', ['succeeded/done', 'pending/window', 'pending/window'], {
      gate: { expiresInMs: -HOUR, onTimeout: 'fail', decided: { decision: 'fail', by: 'timeout', reason: 'gate canary-abc123 expired at T' } },
    }),
    { kind: 'fail', failure: { stage: 'canary', reason: 'gate canary-abc123 expired at T' } },
  ],
  // documents written before the step cursor existed: the status implies the step
  ['old document, soaking', doc('interrupted', ['succeeded', 'soaking', 'pending']), { kind: 'resoak', stageIndex: 1, deployed: [0, 1] }],
  ['old document, deploying', doc('running', ['succeeded', 'deploying', 'pending']), { kind: 'start-stage', stageIndex: 1, deployed: [0] }],
  ['old document, paused at a gate', doc('paused', ['succeeded', 'pending', 'pending'], { gate: {} }), { kind: 'gate-waiting' }],
];

describe('nextStep: where a run is and what comes next', () => {
  it.each(cases)('%s', (_name, state, expected) => {
    expect(nextStep(state, NOW)).toMatchObject(expected);
  });

  it('covers every kind of step and every run status', () => {
    const kinds = new Set(cases.map(([, , expected]) => expected.kind));
    const all = ['start-stage', 'resoak', 'repause', 'gate-waiting', 'gate-expired', 'rollback', 'fail', 'done'] satisfies NextStep['kind'][];
    expect([...kinds].sort()).toEqual([...all].sort());
    const statuses = new Set(cases.map(([, state]) => state.status));
    const every = ['running', 'succeeded', 'failed', 'rolled_back', 'rollback_failed', 'interrupted', 'blocked', 'paused'] satisfies RunStatus[];
    expect([...statuses].sort()).toEqual([...every].sort());
  });

  it('is pure: the document is not changed', () => {
    for (const [, state] of cases) {
      const before = JSON.stringify(state);
      nextStep(state, NOW);
      expect(JSON.stringify(state)).toBe(before);
    }
  });
});

describe('rollout status says what resume will do, from the same nextStep', () => {
  it.each([
    ['died soaking half', '`rollout resume` will soak half again from the start, without redeploying it, then go on.'],
    ['interrupted deploying half', '`rollout resume` will deploy half again (its deploy was cut short), then go on.'],
    ['interrupted in the canary pause', "`rollout resume` will wait canary's pause again from its start, then go on."],
    ['died between the failure and its rollback', '`rollout resume` will finish the rollback: half, canary, newest first.'],
    ['blocked before half', '`rollout resume` will start half (window check, deploy, soak), then go on.'],
    ['every stage passed, the end not recorded', '`rollout resume` will record the run as finished: every stage passed.'],
    ['expired (fail), died before the run was closed', '`rollout resume` will record the run failed: gate canary-abc123 expired at T.'],
    ['paused at a gate', null],
    ['succeeded', null],
  ])('%s', (name, sentence) => {
    const state = cases.find(([caseName]) => caseName === name)?.[1];
    if (!state) throw new Error(`no case ${name}`);
    expect(describeNextStep(nextStep(state, NOW), state)).toBe(sentence);
  });
});

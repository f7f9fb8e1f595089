import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../../src/engine/events.js';
import { describeNextStep } from '../../src/output/next-step-text.js';
import { type Action, type Drive, type Intent, newDrive } from '../../src/run/actions.js';
import { next, type RunPolicy } from '../../src/run/next.js';
import { pendingStage } from '../../src/run/reduce.js';
import { whereRunIs } from '../../src/run/where.js';
import type { StageState, StageStatus, StageStep, StateDocument } from '../../src/state/document.js';

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
    version: 2,
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

// Every (run status × stage status/step) a run can be left in, and what `rollout resume` starts first (past its `run.resumed`).
/** The action expected, as a pattern: only the fields named are compared. */
type Expected = ({ kind: Action['kind'] } & Record<string, unknown>) | null;

const cases: [string, StateDocument, Expected][] = [
  // finished runs
  ['succeeded', doc('succeeded', ['succeeded/done', 'succeeded/done', 'succeeded/done']), null],
  ['failed (onFailure: stop)', doc('failed', ['succeeded/done', 'failed/done', 'skipped'], { failure }), null],
  ['rolled back', doc('rolled_back', ['rolled_back/done', 'rolled_back/done', 'skipped/window'], { failure }), null],
  ['rollback failed', doc('rollback_failed', ['rollback_failed/done', 'rolled_back/done', 'skipped'], { failure }), null],
  // forward, from where the process stopped (interrupted) or died (running)
  ['died before the first stage', doc('running', ['pending/window', 'pending/window', 'pending/window']), { kind: 'deploy', ref: { stage: 'canary' } }],
  [
    'interrupted deploying the canary',
    doc('interrupted', ['deploying/deploy', 'pending/window', 'pending/window']),
    { kind: 'deploy', ref: { stage: 'canary' } },
  ],
  ['interrupted soaking the canary', doc('interrupted', ['soaking/soak', 'pending/window', 'pending/window']), { kind: 'soak', ref: { stage: 'canary' } }],
  ['died soaking half', doc('running', ['succeeded/done', 'soaking/soak', 'pending/window']), { kind: 'soak', ref: { stage: 'half' } }],
  ['interrupted deploying half', doc('interrupted', ['succeeded/done', 'deploying/deploy', 'pending/window']), { kind: 'deploy', ref: { stage: 'half' } }],
  ['interrupted in the canary pause', doc('interrupted', ['succeeded/pause', 'pending/window', 'pending/window']), { kind: 'pause', ref: { stage: 'canary' } }],
  ['a pause that ended, then died', doc('running', ['succeeded/done', 'pending/window', 'pending/window']), { kind: 'deploy', ref: { stage: 'half' } }],
  [
    'every stage passed, the end not recorded',
    doc('running', ['succeeded/done', 'succeeded/done', 'succeeded/done']),
    { kind: 'finish', status: 'succeeded', failure: null },
  ],
  // blocked by a window
  ['blocked before the canary', doc('blocked', ['pending/window', 'pending/window', 'pending/window']), { kind: 'deploy', ref: { stage: 'canary' } }],
  ['blocked before half', doc('blocked', ['succeeded/done', 'pending/window', 'pending/window']), { kind: 'deploy', ref: { stage: 'half' } }],
  // rollbacks: decided on failure, cut short, or started by onInterrupt: rollback
  [
    'died between the failure and its rollback',
    doc('running', ['succeeded/done', 'failed/done', 'skipped/window'], { failure }),
    { kind: 'undo', refs: [{ stage: 'canary' }, { stage: 'half' }], hard: false },
  ],
  [
    'interrupted during the rollback',
    doc('interrupted', ['rolling_back/done', 'rolled_back/done', 'skipped/window'], { failure }),
    { kind: 'undo', refs: [{ stage: 'canary' }], hard: false },
  ],
  [
    'died during a plan-level rollback',
    doc('running', ['rolling_back/done', 'rolling_back/done', 'skipped'], { failure }),
    { kind: 'undo', refs: [{ stage: 'canary' }, { stage: 'half' }], hard: false },
  ],
  [
    'onInterrupt: rollback cut short (no failure)',
    doc('interrupted', ['rollback_failed/done', 'rolled_back/done', 'pending/window']),
    { kind: 'undo', refs: [{ stage: 'canary' }], hard: false },
  ],
  // gates
  ['paused at a gate', doc('paused', ['succeeded/gate', 'pending/window', 'pending/window'], { gate: {} }), { kind: 'wait' }],
  [
    'paused at a gate with no timeout',
    doc('paused', ['succeeded/gate', 'pending/window', 'pending/window'], { gate: { expiresInMs: null } }),
    { kind: 'wait' },
  ],
  [
    'paused at an expired gate (abort)',
    doc('paused', ['succeeded/gate', 'pending/window', 'pending/window'], { gate: { expiresInMs: -1 } }),
    { kind: 'decide', decision: { decision: 'abort', by: 'timeout' } },
  ],
  [
    'paused at a gate expiring this instant (fail)',
    doc('paused', ['succeeded/gate', 'pending/window', 'pending/window'], { gate: { expiresInMs: 0, onTimeout: 'fail' } }),
    { kind: 'decide', decision: { decision: 'fail', by: 'timeout' } },
  ],
  ['died between the gate and the pause', doc('running', ['succeeded/gate', 'pending/window', 'pending/window'], { gate: {} }), { kind: 'wait' }],
  [
    'promoted, died before the next stage',
    doc('paused', ['succeeded/done', 'pending/window', 'pending/window'], { gate: { decided: { decision: 'promote', by: 'alice', reason: null } } }),
    { kind: 'deploy', ref: { stage: 'half' } },
  ],
  [
    'promoted, interrupted soaking half',
    doc('interrupted', ['succeeded/done', 'soaking/soak', 'pending/window'], { gate: { decided: { decision: 'promote', by: 'alice', reason: null } } }),
    { kind: 'soak', ref: { stage: 'half' } },
  ],
  [
    'aborted, died before the rollback',
    doc('paused', ['succeeded/done', 'pending/window', 'pending/window'], { gate: { decided: { decision: 'abort', by: 'alice', reason: 'p95 up' } } }),
    { kind: 'undo', refs: [{ stage: 'canary' }], hard: false },
  ],
  [
    'expired (abort), interrupted during its rollback',
    doc('paused', ['rolling_back/done', 'pending/window', 'pending/window'], {
      gate: { expiresInMs: -HOUR, decided: { decision: 'abort', by: 'timeout', reason: 'gate canary-abc123 expired at T' } },
    }),
    { kind: 'undo', refs: [{ stage: 'canary' }], hard: false },
  ],
  [
    'expired (fail), died before the run was closed',
    doc('paused', ['succeeded/done', 'pending/window', 'pending/window'], {
      gate: { expiresInMs: -HOUR, onTimeout: 'fail', decided: { decision: 'fail', by: 'timeout', reason: 'gate canary-abc123 expired at T' } },
    }),
    { kind: 'finish', status: 'failed', failure: { stage: 'canary', reason: 'gate canary-abc123 expired at T' } },
  ],
  // documents written before the step cursor existed: the status implies the step
  ['old document, soaking', doc('interrupted', ['succeeded', 'soaking', 'pending']), { kind: 'soak', ref: { stage: 'half' } }],
  ['old document, deploying', doc('running', ['succeeded', 'deploying', 'pending']), { kind: 'deploy', ref: { stage: 'half' } }],
  ['old document, paused at a gate', doc('paused', ['succeeded', 'pending', 'pending'], { gate: {} }), { kind: 'wait' }],
];

describe('whereRunIs: where a recorded run is, from the one model', () => {
  it.each(cases)('%s', (_name, state, expected) => {
    const action = whereRunIs(state, NOW);
    if (expected === null) expect(action).toBeNull();
    else expect(action).toMatchObject(expected);
  });

  it('covers every run status', () => {
    const statuses = new Set(cases.map(([, state]) => state.status));
    const every = ['running', 'succeeded', 'failed', 'rolled_back', 'rollback_failed', 'interrupted', 'blocked', 'paused'] satisfies RunStatus[];
    expect([...statuses].sort()).toEqual([...every].sort());
  });

  it('is pure: the document is not changed', () => {
    for (const [, state] of cases) {
      const before = JSON.stringify(state);
      whereRunIs(state, NOW);
      expect(JSON.stringify(state)).toBe(before);
    }
  });
});

describe('rollout status says what resume will do, from the same model', () => {
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
    expect(describeNextStep(whereRunIs(state, NOW), state)).toBe(sentence);
  });
});

const rollbackPolicy: RunPolicy = { onFailure: 'rollback', onInterrupt: 'stop' };
const forward: Intent = { kind: 'forward' };
const promote: Intent = { kind: 'decide', gateId: 'canary-abc123', decision: { decision: 'promote', by: 'alice', reason: null } };
const abort: Intent = { kind: 'decide', gateId: 'canary-abc123', decision: { decision: 'abort', by: 'alice', reason: 'p95 up' } };
const undo: Intent = { kind: 'undo' };
const drive = (intent: Intent, extra: Partial<Drive> = {}): Drive => ({ ...newDrive(intent), ...extra });

// (document × drive × intent) → every action `next` returns: the loop's own table, live and at its start.
const live: [string, StateDocument | null, Drive, RunPolicy, Action[]][] = [
  ['no document yet: start the run', null, drive(forward), rollbackPolicy, [{ kind: 'start' }]],
  [
    'a recorded run is announced first',
    doc('interrupted', ['succeeded/done', 'soaking/soak', 'pending/window']),
    drive(forward),
    rollbackPolicy,
    [{ kind: 'announce', mode: 'forward', stage: 'half' }],
  ],
  [
    'a fresh run: the canary',
    doc('running', ['pending/window', 'pending/window', 'pending/window']),
    drive(forward, { said: 'forward' }),
    rollbackPolicy,
    [{ kind: 'deploy', ref: { stage: 'canary' } }],
  ],
  [
    'deployed by this drive: soak it',
    doc('running', ['deploying/deploy', 'pending/window', 'pending/window']),
    drive(forward, { said: 'forward', deployed: ['canary'] }),
    rollbackPolicy,
    [{ kind: 'soak', ref: { stage: 'canary' } }],
  ],
  [
    'found deploying: deploy again',
    doc('running', ['deploying/deploy', 'pending/window', 'pending/window']),
    drive(forward, { said: 'forward' }),
    rollbackPolicy,
    [{ kind: 'deploy', ref: { stage: 'canary' } }],
  ],
  [
    'a pause cut short: wait it again, then the gate',
    doc('running', ['succeeded/pause', 'pending/window', 'pending/window']),
    drive(forward, { said: 'forward' }),
    rollbackPolicy,
    [{ kind: 'pause', ref: { stage: 'canary' }, inconclusive: [] }],
  ],
  [
    'a pause this drive went through: the next stage',
    doc('running', ['succeeded/pause', 'pending/window', 'pending/window']),
    drive(forward, { said: 'forward', settled: ['canary'] }),
    rollbackPolicy,
    [{ kind: 'deploy', ref: { stage: 'half' } }],
  ],
  [
    'every stage passed: finish',
    doc('running', ['succeeded/done', 'succeeded/done', 'succeeded/done']),
    drive(forward, { said: 'forward' }),
    rollbackPolicy,
    [{ kind: 'finish', status: 'succeeded', failure: null }],
  ],
  [
    'a failure leaves the rest skipped',
    doc('running', ['succeeded/done', 'failed/done', 'pending/window'], { failure }),
    drive(forward, { said: 'forward' }),
    rollbackPolicy,
    [{ kind: 'skip', refs: [{ stage: 'full' }] }],
  ],
  [
    'then rolls back what is deployed',
    doc('running', ['succeeded/done', 'failed/done', 'skipped'], { failure }),
    drive(forward, { said: 'forward' }),
    rollbackPolicy,
    [{ kind: 'undo', refs: [{ stage: 'canary' }, { stage: 'half' }], hard: false }],
  ],
  [
    'onFailure: stop leaves it',
    doc('running', ['succeeded/done', 'failed/done', 'skipped'], { failure }),
    drive(forward, { said: 'forward' }),
    { onFailure: 'stop', onInterrupt: 'stop' },
    [{ kind: 'finish', status: 'failed', failure }],
  ],
  [
    'nothing had a rollback command: failed',
    doc('running', ['succeeded/done', 'failed/done', 'skipped'], { failure }),
    drive(forward, { said: 'forward', undone: 'nothing' }),
    rollbackPolicy,
    [{ kind: 'finish', status: 'failed', failure }],
  ],
  [
    'a resumed rollback with nothing to undo: rolled back',
    doc('running', ['succeeded/done', 'failed/done', 'skipped'], { failure }),
    drive(forward, { said: 'rollback', undone: 'nothing' }),
    rollbackPolicy,
    [{ kind: 'finish', status: 'rolled_back', failure }],
  ],
  [
    'a rollback that failed',
    doc('running', ['rollback_failed/done', 'rolled_back/done', 'skipped'], { failure }),
    drive(forward, { said: 'forward', undone: 'failed' }),
    rollbackPolicy,
    [{ kind: 'finish', status: 'rollback_failed', failure }],
  ],
  [
    'interrupted (onInterrupt: stop)',
    doc('running', ['succeeded/done', 'soaking/soak', 'pending/window']),
    drive(forward, { said: 'forward', interrupted: true }),
    rollbackPolicy,
    [{ kind: 'finish', status: 'interrupted', failure: null }],
  ],
  [
    'interrupted (onInterrupt: rollback): undo, only the second signal stops it',
    doc('running', ['succeeded/done', 'soaking/soak', 'pending/window']),
    drive(forward, { said: 'forward', interrupted: true }),
    { onFailure: 'rollback', onInterrupt: 'rollback' },
    [{ kind: 'undo', refs: [{ stage: 'canary' }, { stage: 'half' }], hard: true }],
  ],
  [
    'interrupted, its rollback done',
    doc('running', ['rolled_back/done', 'rolled_back/done', 'pending/window']),
    drive(forward, { said: 'forward', interrupted: true, undone: 'ok' }),
    { onFailure: 'rollback', onInterrupt: 'rollback' },
    [{ kind: 'finish', status: 'interrupted', failure: null }],
  ],
  [
    'a window blocked the next stage',
    { ...doc('running', ['succeeded/done', 'pending/window', 'pending/window']), blocked: { stage: 'half', rule: 'r', nextOpenAt: null, message: 'm' } },
    drive(forward, { said: 'forward' }),
    rollbackPolicy,
    [{ kind: 'finish', status: 'blocked', failure: null }],
  ],
  [
    'this drive opened a gate: paused',
    doc('running', ['succeeded/gate', 'pending/window', 'pending/window'], { gate: {} }),
    drive(forward, { said: 'forward' }),
    rollbackPolicy,
    [{ kind: 'finish', status: 'paused', failure: null }],
  ],
  [
    'resume finds a gate waiting: left as it is',
    doc('paused', ['succeeded/gate', 'pending/window', 'pending/window'], { gate: {} }),
    drive(forward),
    rollbackPolicy,
    [{ kind: 'wait', gate: expect.objectContaining({ id: 'canary-abc123' }) as never }],
  ],
  [
    'promote decides the gate',
    doc('paused', ['succeeded/gate', 'pending/window', 'pending/window'], { gate: {} }),
    drive(promote),
    rollbackPolicy,
    [
      {
        kind: 'decide',
        ref: { stage: 'canary' },
        gate: expect.objectContaining({ id: 'canary-abc123' }) as never,
        decision: { decision: 'promote', by: 'alice', reason: null },
      },
    ],
  ],
  [
    'a decision on another gate is not this one',
    doc('paused', ['succeeded/gate', 'pending/window', 'pending/window'], { gate: {} }),
    drive({ ...promote, gateId: 'other' }),
    rollbackPolicy,
    [{ kind: 'wait', gate: expect.objectContaining({ id: 'canary-abc123' }) as never }],
  ],
  [
    'promoted here: announce forward from half',
    doc('paused', ['succeeded/done', 'pending/window', 'pending/window'], { gate: { decided: { decision: 'promote', by: 'alice', reason: null } } }),
    drive(promote, { said: 'decided' }),
    rollbackPolicy,
    [{ kind: 'announce', mode: 'forward', stage: 'half' }],
  ],
  [
    'aborted here: roll back at once (no announcement)',
    doc('paused', ['succeeded/done', 'pending/window', 'pending/window'], { gate: { decided: { decision: 'abort', by: 'alice', reason: 'p95 up' } } }),
    drive(abort, { said: 'decided' }),
    rollbackPolicy,
    [{ kind: 'undo', refs: [{ stage: 'canary' }], hard: false }],
  ],
  [
    'aborted here, undone',
    doc('paused', ['rolled_back/done', 'pending/window', 'pending/window'], { gate: { decided: { decision: 'abort', by: 'alice', reason: 'p95 up' } } }),
    drive(abort, { said: 'decided', undone: 'ok' }),
    rollbackPolicy,
    [{ kind: 'finish', status: 'rolled_back', failure: { stage: 'canary', reason: 'aborted at gate canary-abc123 by alice: p95 up' } }],
  ],
  [
    'an expired gate cannot be promoted: its onTimeout decides',
    doc('paused', ['succeeded/gate', 'pending/window', 'pending/window'], { gate: { expiresInMs: -1 } }),
    drive(promote),
    rollbackPolicy,
    [
      {
        kind: 'decide',
        ref: { stage: 'canary' },
        gate: expect.objectContaining({ id: 'canary-abc123' }) as never,
        decision: { decision: 'abort', by: 'timeout', reason: expect.stringContaining('expired') as never },
      },
    ],
  ],
  [
    'a person may abort an expired gate',
    doc('paused', ['succeeded/gate', 'pending/window', 'pending/window'], { gate: { expiresInMs: -1 } }),
    drive(abort),
    rollbackPolicy,
    [
      {
        kind: 'decide',
        ref: { stage: 'canary' },
        gate: expect.objectContaining({ id: 'canary-abc123' }) as never,
        decision: abort.kind === 'decide' ? abort.decision : (null as never),
      },
    ],
  ],
  [
    'rollout rollback of a run that succeeded: undo every stage',
    doc('succeeded', ['succeeded/done', 'succeeded/done', 'succeeded/done']),
    drive(undo),
    rollbackPolicy,
    [{ kind: 'undo', refs: [{ stage: 'canary' }, { stage: 'half' }, { stage: 'full' }], hard: false }],
  ],
  [
    'rollout rollback, done',
    doc('succeeded', ['rolled_back/done', 'rolled_back/done', 'rolled_back/done']),
    drive(undo, { undone: 'ok' }),
    rollbackPolicy,
    [{ kind: 'finish', status: 'rolled_back', failure: null }],
  ],
  ['a run that ended: nothing', doc('rolled_back', ['rolled_back/done', 'rolled_back/done', 'skipped'], { failure }), drive(forward), rollbackPolicy, []],
];

describe("next: the loop's table (document × drive × intent → actions)", () => {
  it.each(live)('%s', (_name, state, memory, policy, expected) => {
    expect(next(policy, state, memory, NOW)).toEqual(expected);
  });

  it('names every action kind', () => {
    const kinds = new Set(live.flatMap(([, , , , actions]) => actions.map((a) => a.kind)));
    const all = ['start', 'announce', 'decide', 'deploy', 'soak', 'pause', 'skip', 'undo', 'finish', 'wait'] satisfies Action['kind'][];
    expect([...kinds].sort()).toEqual([...all].sort());
  });

  // Total: every run status × stage status/step × intent × what the drive said gives at most one action today, never throws, names only the run's stages.
  it('is total over every run status × unit step × intent × drive', () => {
    const statuses: RunStatus[] = ['running', 'succeeded', 'failed', 'rolled_back', 'rollback_failed', 'interrupted', 'blocked', 'paused'];
    const steps = [
      'pending/window',
      'deploying/deploy',
      'soaking/soak',
      'succeeded/pause',
      'succeeded/gate',
      'succeeded/done',
      'failed/done',
      'rolling_back/done',
      'rolled_back/done',
      'rollback_failed/done',
      'skipped/window',
      'soaking',
    ];
    const said: Drive['said'][] = ['nothing', 'decided', 'forward', 'rollback'];
    let combinations = 0;
    for (const status of statuses)
      for (const step of steps)
        for (const intent of [forward, promote, abort, undo])
          for (const s of said)
            for (const gate of [undefined, {}, { expiresInMs: -1 }])
              for (const interrupted of [false, true]) {
                const state = doc(status, ['succeeded/done', step, 'pending/window'], { gate, failure: step.startsWith('failed') ? failure : null });
                const actions = next(rollbackPolicy, state, drive(intent, { said: s, interrupted }), NOW);
                combinations++;
                expect(actions.length).toBeLessThanOrEqual(1);
                for (const action of actions) {
                  const refs = 'ref' in action ? [action.ref] : 'refs' in action ? action.refs : [];
                  for (const ref of refs) expect(state.stages.map((x) => x.name)).toContain(ref.stage);
                  if (action.kind === 'finish') expect(action.status).not.toBe('running');
                }
              }
    expect(combinations).toBe(8 * 12 * 4 * 4 * 3 * 2);
  });
});

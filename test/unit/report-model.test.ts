import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConditionEngine } from '../../src/conditions/condition.js';
import { buildModel } from '../../src/report/build-model.js';
import { parseLog } from '../../src/report/event-log.js';
import { modelFromState } from '../../src/report/model-from-state.js';
import type { LogRecord } from '../../src/report/records.js';
import { renderReport } from '../../src/report/render-page.js';
import type { StateDocument } from '../../src/state/document.js';

const runId = '20261125T100000Z-abcdef';
const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 10, 0, 0) + s * 1000).toISOString();
const base = (s: number) => ({ time: at(s), runId });
const ref = (s: number, index: number) => ({ ...base(s), stage: ['canary', 'full'][index]!, index });
const outcome = { signal: null, timedOut: false };

// These logs predate `soak.started`'s `bounds`: the report reads their conditions with the compiler, as `rollout report` does.
beforeAll(loadConditionEngine);

/** A run as the contract's events tell it: a Prometheus error-rate check fails the canary. */
function contractRun(): LogRecord[] {
  const counts = { pass: 0, fail: 0, inconclusive: 0, error: 0 };
  const poll = (s: number, value: unknown, result: 'pass' | 'fail' | 'inconclusive' | 'error', display: string) => {
    counts[result]++;
    return {
      ...ref(s, 0),
      type: 'check.polled' as const,
      check: 'error rate',
      ok: result === 'pass',
      status: null,
      latencyMs: 12,
      error: result === 'error' ? { kind: 'network' as const, message: 'connection refused' } : null,
      polls: 0,
      failures: 0,
      consecutiveFailures: 0,
      kind: 'prometheus',
      outcome: result,
      value,
      display,
      condition: 'pass: result < 0.01',
      reason: result === 'error' ? 'prometheus unreachable' : null,
      dryRun: false,
      counts: { ...counts },
      consecutiveErrors: 0,
    };
  };
  const check = {
    name: 'error rate',
    url: 'PromQL: sum(rate(errors[1m]))',
    kind: 'prometheus',
    intervalMs: 1000,
    failureThreshold: 2,
    pass: 'result < 0.01',
    fail: null,
  };
  return [
    {
      type: 'log.opened',
      ...base(0),
      command: 'rollout run',
      origin: { host: 'runner-7', user: 'ci-bot', ci: { provider: 'GitLab CI', url: 'https://gitlab.example/job/1', job: 'deploy' } },
    },
    { type: 'run.started', ...base(0), plan: { name: 'shop', path: '/p/rollout.yml', sha256: 'f'.repeat(64), vars: {} }, stages: ['canary', 'full'] },
    { type: 'stage.started', ...ref(0, 0) },
    { type: 'deploy.started', ...ref(0, 0), command: './deploy canary' },
    { type: 'command.tail', ...base(2), stage: 'canary', phase: 'deploy', lines: [{ stream: 'stdout', text: 'rolled' }], droppedLines: 3 },
    { type: 'deploy.finished', ...ref(2, 0), exitCode: 0, durationMs: 2000, ...outcome },
    { type: 'soak.started', ...ref(2, 0), soakMs: 60_000, checks: [check] } as LogRecord,
    poll(3, 0.002, 'pass', '0.002'),
    poll(4, null, 'inconclusive', 'no data'),
    poll(5, null, 'error', 'error'),
    poll(6, [0.02, 0.05], 'fail', '0.05'),
    poll(7, 0.09, 'fail', '0.09'),
    {
      type: 'check.finished',
      ...ref(7, 0),
      check: 'error rate',
      verdict: 'fail',
      reason: 'result < 0.01 was false twice',
      dryRun: false,
      samples: 5,
    } as unknown as LogRecord,
    { type: 'stage.failed', ...ref(7, 0), reason: 'error rate 0.09', durationMs: 7000, check: 'error rate', value: '0.09' } as LogRecord,
    { type: 'stage.skipped', ...ref(7, 1) },
    { type: 'rollback.started', ...base(7), scope: 'stages', stages: ['canary'] },
    { type: 'rollback.step.started', ...ref(7, 0), command: './rollback canary' },
    { type: 'rollback.step.finished', ...ref(8, 0), stages: ['canary'], exitCode: 3, durationMs: 1000, ...outcome },
    { type: 'rollback.finished', ...base(8), ok: false, failedStages: ['canary'] },
    { type: 'run.finished', ...base(8), status: 'rollback_failed', durationMs: 8000, failure: { stage: 'canary', reason: 'error rate 0.09' }, signal: null },
    { type: 'gate.opened', ...base(8) } as unknown as LogRecord, // a later version's record: ignored
  ] as LogRecord[];
}

describe('report model: folded from the recorded events', () => {
  it('reads the contract’s measurements: values, outcomes, threshold, the deciding check', () => {
    const model = buildModel(contractRun());
    expect(model.status).toBe('rollback_failed');
    expect(model.failure).toEqual({ stage: 'canary', reason: 'error rate 0.09', time: Date.parse(at(7)) });
    const [check] = model.checks;
    expect(model.checks).toHaveLength(1);
    expect(check).toMatchObject({
      kind: 'prometheus',
      valueLabel: 'result',
      decisive: true,
      verdict: 'fail',
      threshold: { path: [], lines: [0.01], bad: [[0.01, null]] },
    });
    expect(check!.v).toEqual([0.002, null, null, 0.05, 0.09]);
    expect(check!.o).toEqual(['pass', 'inconclusive', 'error', 'fail', 'fail']);
    expect(check!.counts).toEqual({ pass: 1, fail: 2, inconclusive: 1, error: 1 });
    expect(check!.notes[2]).toBe('error — prometheus unreachable');
  });

  it('lays out the timeline: bars per stage, the failing moment, the failed rollback', () => {
    const model = buildModel(contractRun());
    expect(model.lanes).toEqual([
      { name: 'canary', status: 'rollback_failed', failed: true },
      { name: 'full', status: 'skipped', failed: false },
    ]);
    expect(model.bars.map((b) => [b.lane, b.kind, b.state, (b.end - b.start) / 1000])).toEqual([
      [0, 'deploy', 'ok', 2],
      [0, 'soak', 'failed', 5],
      [0, 'rollback', 'failed', 1],
    ]);
    expect(model.markers.map((m) => m.kind)).toEqual(['failure']);
    expect(model.commands.map((c) => [c.phase, c.outcome?.exitCode, c.lines.length, c.droppedLines])).toEqual([
      ['deploy', 0, 1, 3],
      ['rollback', 3, 0, 0],
    ]);
  });

  it('reads today’s events: latency as the value, ok as pass or fail', () => {
    const records = contractRun().map((r) => {
      if (r.type !== 'check.polled') return r;
      const { kind, outcome: _o, value, display, condition, reason, dryRun, counts, consecutiveErrors, ...today } = r as unknown as Record<string, unknown>;
      return today as unknown as LogRecord;
    });
    const [check] = buildModel(records).checks;
    expect(check!.v).toEqual([12, 12, 12, 12, 12]);
    expect(check!.o).toEqual(['pass', 'fail', 'fail', 'fail', 'fail']);
  });

  it('marks an interrupted run and a record that just stops', () => {
    const cut = contractRun().slice(0, 9);
    const model = buildModel(cut);
    expect(model.status).toBe('unfinished');
    expect(model.bars.find((b) => b.kind === 'soak')?.state).toBe('open');
    expect(model.notes.join(' ')).toMatch(/ends without the run finishing/);
    const interrupted = buildModel([...cut, { type: 'run.finished', ...base(5), status: 'interrupted', durationMs: 5000, failure: null, signal: 'SIGTERM' }]);
    expect(interrupted.markers).toEqual([{ time: Date.parse(at(5)), kind: 'interrupt', label: 'interrupted (SIGTERM)' }]);
  });

  it('shows deploy windows: waiting as a gate bar, a block as a marker and the lane blocked', () => {
    const [logOpened, started] = contractRun();
    const model = buildModel([
      logOpened!,
      started!,
      { type: 'window.waiting', ...ref(0, 0), rule: 'weekdays 09:00-17:00', until: at(60) },
      { type: 'stage.started', ...ref(60, 0) },
      { type: 'deploy.started', ...ref(60, 0), command: './deploy canary' },
      { type: 'deploy.finished', ...ref(61, 0), exitCode: 0, durationMs: 1000, ...outcome },
      { type: 'stage.passed', ...ref(61, 0), durationMs: 1000, inconclusive: [] },
      { type: 'stage.blocked', ...ref(62, 1), rule: 'not on Fridays', nextOpenAt: null, message: 'full may not start on a Friday' },
      { type: 'run.finished', ...base(62), status: 'blocked', durationMs: 62_000, failure: null, signal: null },
    ] as LogRecord[]);
    expect(model.bars.map((b) => [b.lane, b.kind, b.state, (b.end - b.start) / 1000])).toEqual([
      [0, 'gate', 'ok', 60],
      [0, 'deploy', 'ok', 1],
    ]);
    expect(model.lanes.map((l) => l.status)).toEqual(['passed', 'blocked']);
    expect(model.markers).toEqual([{ time: Date.parse(at(62)), kind: 'blocked', label: 'full blocked: full may not start on a Friday' }]);
    expect(renderReport(model, { generatedAt: 0, version: '0' })).toContain('blocked by a deploy window');
  });

  it('renders a page where recorded text is only ever text', () => {
    const records = contractRun().map((r) =>
      r.type === 'command.tail' ? { ...r, lines: [{ stream: 'stderr' as const, text: '</script><script>alert(1)</script>' }] } : r,
    );
    const page = renderReport(buildModel(records), { generatedAt: Date.parse(at(9)), version: '0.0.0' });
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('&#60;/script&#62;&#60;script&#62;alert(1)');
    expect(page.match(/<script/g)).toHaveLength(3);
    expect(page).toContain('href="https://gitlab.example/job/1"');
  });

  it('rebuilds stages from the state file when a run has no event log', () => {
    const doc = {
      version: 1,
      runId,
      status: 'succeeded',
      plan: { name: 'shop', path: '/p', sha256: 'f', vars: {} },
      startedAt: at(0),
      updatedAt: at(9),
      finishedAt: at(9),
      interruptedBy: null,
      failure: null,
      stages: [
        {
          name: 'canary',
          status: 'succeeded',
          startedAt: at(0),
          finishedAt: at(9),
          deploy: { command: './deploy', exitCode: 0, signal: null, timedOut: false, durationMs: 1000 },
          soak: { ms: 8000, startedAt: at(1) },
        },
      ],
    } as unknown as StateDocument;
    const model = modelFromState(doc);
    expect(model.status).toBe('succeeded');
    expect(model.bars.map((b) => [b.kind, b.state])).toEqual([
      ['deploy', 'ok'],
      ['soak', 'ok'],
    ]);
  });
});

describe('report model: events recorded by check kinds (issue 8) in a real run', () => {
  // Written by `rollout run --json` of the analysis branch on command-check-run.plan.yml: a command check
  // whose value crosses `pass: result < 0.01` / `fail: result >= 0.02` and fails stage "half".
  const text = readFileSync(new URL('../fixtures/report/command-check-run.ndjson', import.meta.url), 'utf8');

  it('draws each check against its pass/fail ranges, and names the check that failed the stage', () => {
    const model = buildModel(parseLog(text));
    expect(model.status).toBe('rolled_back');
    expect(model.checks.map((c) => [c.stage, c.kind, c.verdict, c.decisive])).toEqual([
      ['canary', 'command', 'pass', false],
      ['half', 'command', 'fail', true],
    ]);
    const half = model.checks[1]!;
    expect(half.threshold).toEqual({ path: [], lines: [0.01, 0.02], bad: [[0.02, null]], unsure: [[0.01, 0.02]] });
    expect(half.o.slice(-2)).toEqual(['fail', 'fail']);
    expect(half.v.slice(-2)).toEqual([0.05, 0.05]);
    expect(half.counts.inconclusive).toBe(1);
    expect(Object.values(half.notes)).toContain('0.05 meets fail: result >= 0.02');
  });
});

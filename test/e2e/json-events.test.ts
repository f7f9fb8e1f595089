import { describe, expect, it } from 'vitest';
import { describeResult, runCli, startCli } from '../helpers/cli.js';
import { documentedEvents, FLEET_EVENT_TYPES } from '../helpers/event-table.js';
import { defaultStatePath, readState, waitForState } from '../helpers/state.js';
import { writePlan } from '../helpers/temp-dir.js';
import { useWorkspace } from '../helpers/workspace.js';

describe('rollout run --json', { timeout: 40_000 }, () => {
  const ws = useWorkspace();

  it('prints only NDJSON events on stdout, every type and field as documented in docs/events-and-state.md, command output on stderr', async () => {
    // Every event type in one run: a passing stage with a rollback, one without (skipped in the
    // rollback), a failing one, and one never deployed.
    await writePlan(
      ws.dir,
      `defaults: { soak: 200ms, health: { interval: 50ms, timeout: 1s, failureThreshold: 2 } }
stages:
  - name: canary
    deploy: printf 'canary-%s\\n' deploy-output
    rollback: printf 'canary-%s\\n' rollback-output
    health: [{ url: "${ws.server.url('/ok')}" }]
  - name: mid
    deploy: echo mid
    soak: 0
  - name: bad
    deploy: echo bad; ${ws.server.setStatusCommand(503)}
    rollback: echo bad-rollback
    health: [{ url: "${ws.server.url('/bad')}" }]
  - name: last
    deploy: echo last
`,
    );

    const result = await runCli(['run', '--json'], { cwd: ws.dir });

    expect(result.exitCode, describeResult(result)).toBe(1);
    const lines = result.stdout.split('\n').filter((line) => line !== '');
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    // The command text is in deploy.started; its output must not be on stdout.
    expect(result.stdout).not.toContain('canary-deploy-output');
    expect(result.stdout).not.toContain('canary-rollback-output');
    expect(result.stderr).toContain('canary | canary-deploy-output');
    expect(result.stderr).toContain('canary | canary-rollback-output');

    const documented = await documentedEvents();
    expect(documented.size).toBe(32);
    const state = await readState(defaultStatePath(ws.dir));
    for (const event of events) {
      expect(Object.keys(event).slice(0, 3)).toEqual(['type', 'time', 'runId']);
      expect(event.runId).toBe(state.runId);
      expect(Number.isNaN(Date.parse(String(event.time)))).toBe(false);
      const doc = documented.get(String(event.type));
      expect(doc, `event type ${event.type} is not in the docs/events-and-state.md table`).toBeDefined();
      const fields = Object.keys(event).slice(3).sort();
      const allowed = [...(doc?.required ?? []), ...(doc?.optional ?? [])];
      expect(
        fields.filter((f) => !allowed.includes(f)),
        `${event.type}: undocumented fields`,
      ).toEqual([]);
      expect(
        (doc?.required ?? []).filter((f) => !fields.includes(f)),
        `${event.type}: documented fields missing`,
      ).toEqual([]);
    }
    // Every documented type was seen but run.resumed, which only `rollout resume` emits (next test), and the
    // deploy-window events, which only a plan with `windows:` emits (windows.test.ts checks their fields), and
    // `warning`, which --json renders on stderr (test/unit/warning-events.test.ts; the event log records it).
    const elsewhere = new Set([
      'warning',
      'run.resumed',
      'stage.blocked',
      'window.waiting',
      'window.overridden',
      'stage.pausing',
      'gate.opened',
      'gate.decided',
      // Only a stage with targets emits these (test/unit/fleet-json.test.ts checks their fields).
      ...FLEET_EVENT_TYPES,
    ]);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set([...documented.keys()].filter((type) => !elsewhere.has(type))));
    expect(events[0]?.type).toBe('run.started');
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'rolled_back', failure: { stage: 'bad' } });
    expect(events.find((e) => e.type === 'stage.failed')).toMatchObject({ stage: 'bad', index: 2, reason: expect.stringContaining('HTTP 503') });
    expect(events.find((e) => e.type === 'rollback.step.skipped')).toMatchObject({ stage: 'mid' });
    expect(events.find((e) => e.type === 'stage.skipped')).toMatchObject({ stage: 'last', index: 3 });
    // The same events built the state file.
    expect(state.status).toBe('rolled_back');
    expect(events.filter((e) => e.type === 'check.polled' && e.stage === 'canary').length).toBe(
      state.stages.find((s) => s.name === 'canary')?.checkResults.polls,
    );
  });

  it('rollout resume --json emits run.resumed with its documented fields, and only JSON on stdout', async () => {
    await writePlan(ws.dir, `stages:\n  - name: slow\n    deploy: sleep 30\n`);
    const first = startCli(['run'], { cwd: ws.dir });
    await waitForState(defaultStatePath(ws.dir), (s) => s.stages[0]?.status === 'deploying');
    first.kill('SIGTERM');
    expect((await first).exitCode).toBe(143);
    await writePlan(ws.dir, `stages:\n  - name: slow\n    deploy: echo quick\n    soak: 0\n`);
    const result = await runCli(['resume', '--json', '--allow-plan-change'], { cwd: ws.dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const resumed = events[0] as Record<string, unknown>;
    expect(resumed).toMatchObject({ type: 'run.resumed', mode: 'forward', stage: 'slow' });
    const doc = (await documentedEvents()).get('run.resumed');
    expect(Object.keys(resumed).slice(3).sort()).toEqual([...(doc?.required ?? [])].sort());
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded', signal: null });
  });

  it('keeps stdout pure JSON on success too: no summary table', async () => {
    await writePlan(ws.dir, `stages:\n  - name: only\n    deploy: echo hi\n    soak: 0\n    health: [{ url: "${ws.server.url()}" }]\n`);
    const result = await runCli(['run', '--json'], { cwd: ws.dir });
    expect(result.exitCode, describeResult(result)).toBe(0);
    const types = result.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { type: string }).type);
    expect(types.at(-1)).toBe('run.finished');
    expect(result.stdout).not.toContain('STAGE');
  });
});

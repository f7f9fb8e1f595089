import { describe, expect, it } from 'vitest';
import type { RunStarted } from '../../src/engine/events.js';
import { describeUnfinished } from '../../src/output/unfinished.js';
import { applyEvent, initialState } from '../../src/run/reduce.js';
import { runningGroups, type StateDocument } from '../../src/state/document.js';
import { validateStateDocument } from '../../src/state/document-schema.js';
import { checkStateValue, isNewer } from '../../src/state/read-state.js';
import { polled, soakCheck } from '../helpers/checks.js';

const stage = {
  name: 'canary',
  status: 'succeeded',
  startedAt: 't',
  finishedAt: 't',
  deploy: { command: 'x', exitCode: 0, signal: null, timedOut: false, durationMs: 3 },
  soak: { ms: 0, startedAt: 't' },
  health: { polls: 0, failures: 0, lastError: null, checks: [] },
  rollback: { command: null, exitCode: null, durationMs: null, timedOut: false, skipped: null },
};
const doc = () => ({
  version: 1,
  runId: 'r1',
  lineage: 'l',
  serial: 3,
  plan: { name: 'p', path: '/p.yml', sha256: 's', vars: {} },
  status: 'succeeded',
  interruptedBy: null,
  resumes: 0,
  startedAt: 't',
  updatedAt: 't',
  finishedAt: 't',
  stages: [structuredClone(stage)],
  failure: null,
  rollback: null,
});

describe('the state document schema', () => {
  it('reads the running commands of both shapes: one per unit, and 0.1.0’s single slot (issue 16 item 5)', () => {
    const group = { pgid: 42, startTicks: '123', machine: 'boot/ns', host: 'h', command: 'deploy one' };
    const units = {
      ...doc(),
      status: 'running',
      processGroups: [
        { ...group, unit: 'one' },
        { ...group, pgid: 43, command: 'deploy two', unit: 'two' },
      ],
    };
    const old = { ...doc(), status: 'running', processGroup: group };
    for (const shape of [units, old]) expect(validateStateDocument(shape).ok).toBe(true);
    expect(runningGroups(units as unknown as StateDocument).map((g) => g.pgid)).toEqual([42, 43]);
    expect(runningGroups(old as unknown as StateDocument)).toEqual([group]);
    expect(runningGroups(doc() as unknown as StateDocument)).toEqual([]);
    // `status` names what a dead run may have left running, whichever release recorded it.
    expect(describeUnfinished(units as unknown as StateDocument)).toContain(
      'Its commands may still be running: deploy one (process group 42 on h); deploy two (process group 43 on h)',
    );
    expect(describeUnfinished(old as unknown as StateDocument)).toContain('Its commands may still be running: deploy one (process group 42 on h)');
    const bad = validateStateDocument({ ...units, processGroups: [{ ...group, pgid: 'x' }] });
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).toContain('processGroups[0].pgid');
  });

  it('accepts a document, and fields it does not know (a later minor release may add some)', () => {
    expect(validateStateDocument({ ...doc(), addedLater: { x: 1 } }).ok).toBe(true);
  });

  it('accepts the documents the reducer writes: a check with its last and lastBad summaries (no values)', () => {
    const run: RunStarted = { type: 'run.started', time: 't', runId: 'r1', plan: { name: 'p', path: '/p', sha256: 's', vars: {} }, stages: ['canary'] };
    const state = initialState(run);
    const ref = { time: 't', runId: 'r1', stage: 'canary', index: 0 };
    applyEvent(state, { ...ref, type: 'soak.started', soakMs: 1000, checks: [soakCheck('m')] });
    applyEvent(state, polled({ ...ref, check: 'm' }, { ok: false, outcome: 'fail', display: '0.5' }));
    applyEvent(state, polled({ ...ref, check: 'm' }, { display: '0.1' }));
    expect(validateStateDocument(JSON.parse(JSON.stringify(state)))).toEqual({ ok: true, doc: expect.anything() });
    const check = state.stages[0]?.checkResults.checks[0] as unknown as { lastBad: { outcome: string } };
    check.lastBad.outcome = 'maybe';
    const result = validateStateDocument(JSON.parse(JSON.stringify(state)));
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).toContain('stages[0].checkResults.checks[0].lastBad.outcome');
  });

  it('names each bad field by its JSON path, what it expected and what it found', () => {
    const bad = doc() as Record<string, unknown> & { stages: Record<string, unknown>[] };
    bad.status = 'weird';
    delete bad.stages[0]?.name;
    (bad.stages[0] as Record<string, unknown>).health = null;
    const result = validateStateDocument(bad);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([
      'status: expected one of "running", "succeeded", "failed", "rolled_back", "rollback_failed", "interrupted", "blocked", "paused", found "weird"',
      'stages[0].name: expected string, found nothing',
      'stages[0].health: expected object, found null',
    ]);
  });

  it('a newer document, or bad values from a newer release, is "newer", not damaged', () => {
    expect(checkStateValue({ ...doc(), version: 3 })).toMatchObject({ ok: false, newer: true });
    expect(checkStateValue({ ...doc(), version: 3 })).toMatchObject({ problem: expect.stringContaining('which reads state document versions 1 and 2 only') });
    expect(checkStateValue({ ...doc(), status: 'canarying', rolloutctlVersion: '99.0.0' })).toMatchObject({ ok: false, newer: true });
    expect(checkStateValue({ ...doc(), status: 'canarying', rolloutctlVersion: '0.0.1' })).toMatchObject({ ok: false, newer: false });
    expect(checkStateValue({ hello: 'world' })).toMatchObject({ ok: false, newer: false, problem: 'not a rolloutctl state document (version 2)' });
  });

  it("reads a version-1 document (0.1.0) as version 2, in place: `health` is `checkResults`, a check's `url` its `description`", () => {
    const old = doc() as Record<string, unknown> & { stages: Record<string, unknown>[] };
    (old.stages[0] as { health: { checks: unknown[] } }).health.checks.push({
      name: 'smoke',
      url: 'run: ./smoke.sh',
      polls: 1,
      failures: 0,
      consecutiveFailures: 0,
      lastOk: true,
      lastStatus: null,
      lastLatencyMs: 3,
      lastError: null,
      lastPolledAt: 't',
    });
    const result = validateStateDocument(old);
    expect(result).toEqual({ ok: true, doc: old });
    expect(old.version).toBe(2);
    expect(old.stages[0]).not.toHaveProperty('health');
    expect(old.stages[0]?.checkResults).toMatchObject({ polls: 0, checks: [{ name: 'smoke', description: 'run: ./smoke.sh' }] });
    const migrated = old.stages[0]?.checkResults as { checks: object[] };
    expect(migrated.checks[0]).not.toHaveProperty('url');
    // Version 2 as written: validates as it is; a version-2 document with version 1's names is refused, naming the field.
    expect(validateStateDocument(JSON.parse(JSON.stringify(old)))).toMatchObject({ ok: true });
    expect(validateStateDocument({ ...doc(), version: 2 })).toMatchObject({ ok: false, problems: ['stages[0].checkResults: expected object, found nothing'] });
  });

  it('compares release versions by number', () => {
    expect(isNewer('0.10.0', '0.9.9')).toBe(true);
    expect(isNewer('1.0.0', '1.0.0')).toBe(false);
    expect(isNewer('0.1.0', '0.1.1')).toBe(false);
    expect(isNewer('0.2.0-beta.1', '0.1.0')).toBe(true);
  });
});

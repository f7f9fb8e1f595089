import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RolloutEvent } from '../../src/engine/events.js';
import { fileEventLogStore, KEEP_RUNS, LOG_CAP_BYTES } from '../../src/report/event-log.js';
import { MAX_LINE_CHARS, TAIL_LINES } from '../../src/report/output-tail.js';
import type { LogOpened } from '../../src/report/records.js';

const RUN = '20261125T100000Z-aaaaaa';
const time = '2026-11-25T10:00:00.000Z';
const opened = (runId = RUN): LogOpened => ({ type: 'log.opened', time, runId, command: 'rollout run', origin: { host: 'ci-1', user: 'dev', ci: null } });
const output = (text: string, stream: 'stdout' | 'stderr' = 'stdout'): RolloutEvent => ({
  type: 'command.output',
  time,
  runId: RUN,
  stage: 'canary',
  phase: 'deploy',
  stream,
  chunk: Buffer.from(text),
});
const finished: RolloutEvent = {
  type: 'deploy.finished',
  time,
  runId: RUN,
  stage: 'canary',
  index: 0,
  exitCode: 1,
  signal: null,
  timedOut: false,
  durationMs: 5,
};
// A poll as recorded before check kinds: reports must still draw these logs.
const polled = (polls: number): RolloutEvent =>
  ({
    type: 'check.polled',
    time,
    runId: RUN,
    stage: 'canary',
    index: 0,
    check: 'health',
    ok: true,
    status: 200,
    latencyMs: 3,
    error: null,
    polls,
    failures: 0,
    consecutiveFailures: 0,
  }) as unknown as RolloutEvent;

describe('the event log beside the state file', () => {
  let dir: string;
  let statePath: string;
  const warnings: string[] = [];
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rollout-eventlog-'));
    statePath = path.join(dir, 'state.json');
    warnings.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the last lines of a command, without colours or redraws, just before its finished event', () => {
    const store = fileEventLogStore(statePath);
    const log = store.open(opened(), (m) => warnings.push(m));
    const lines = Array.from({ length: TAIL_LINES + 10 }, (_, i) => `line ${i}`);
    log.append(output(`${lines.join('\n').slice(0, 50)}`));
    log.append(output(`${lines.join('\n').slice(50)}\n\x1b[31mred\x1b[0m progress 10%\rprogress 100%\n`));
    log.append(output('oops', 'stderr'));
    log.append(output(`${'x'.repeat(MAX_LINE_CHARS + 50)}\n`));
    log.append(finished);
    log.close();
    const records = store.read(RUN)!;
    expect(records.map((r) => r.type)).toEqual(['log.opened', 'command.tail', 'deploy.finished']);
    const tail = records[1] as Extract<(typeof records)[number], { type: 'command.tail' }>;
    expect(tail.lines).toHaveLength(TAIL_LINES);
    expect(tail.droppedLines).toBe(lines.length + 3 - TAIL_LINES);
    expect(tail.lines.slice(-4)).toEqual([
      { stream: 'stdout', text: `line ${lines.length - 1}` },
      { stream: 'stdout', text: 'progress 100%' },
      { stream: 'stdout', text: `${'x'.repeat(MAX_LINE_CHARS)}…` },
      { stream: 'stderr', text: 'oops' },
    ]);
    expect(tail.lines.some((l) => l.text.includes('\x1b'))).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('keeps each target’s output apart: a fleet’s deploys run at once, each tail is its own target’s', () => {
    const store = fileEventLogStore(statePath);
    const log = store.open(opened(), (m) => warnings.push(m));
    const of = (target: string, text: string) => ({ ...(output(text) as Extract<RolloutEvent, { type: 'command.output' }>), target });
    log.append(of('eu-1', 'eu-1 step 1\n'));
    log.append(of('eu-2', 'eu-2 step 1\n'));
    log.append(of('eu-1', 'eu-1 step 2\n'));
    log.append({ ...finished, target: 'eu-2', exitCode: 0 } as RolloutEvent);
    log.append({ ...finished, target: 'eu-1' } as RolloutEvent);
    log.close();
    const tails = store.read(RUN)!.flatMap((r) => (r.type === 'command.tail' ? [{ target: r.target, lines: r.lines.map((l) => l.text) }] : []));
    expect(tails).toEqual([
      { target: 'eu-2', lines: ['eu-2 step 1'] },
      { target: 'eu-1', lines: ['eu-1 step 1', 'eu-1 step 2'] },
    ]);
  });

  it('stops recording measurements at its cap, says so once, and still records how the run ends', () => {
    const store = fileEventLogStore(statePath);
    // A log already at the cap, as after a long run that is now resumed.
    writeFileSync(path.join(dir, `state.json.events-${RUN}.ndjson`), `${JSON.stringify(opened())}\n${' '.repeat(LOG_CAP_BYTES)}\n`);
    const log = store.open(opened(), () => {});
    log.append(polled(1));
    log.append(polled(2));
    log.append({ type: 'run.finished', time, runId: RUN, status: 'succeeded', durationMs: 1, failure: null, signal: null });
    log.close();
    expect(store.read(RUN)!.map((r) => r.type)).toEqual(['log.opened', 'log.opened', 'log.truncated', 'run.finished']);
  });

  it('writes each event once and in order, and a torn last line does not spoil the rest', () => {
    const store = fileEventLogStore(statePath);
    const log = store.open(opened(), () => {});
    for (let i = 1; i <= 5; i++) log.append(polled(i));
    log.close();
    const file = path.join(dir, `state.json.events-${RUN}.ndjson`);
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"type":"check.pol`);
    const polls = store.read(RUN)!.flatMap((r) => (r.type === 'check.polled' ? [r.polls] : []));
    expect(polls).toEqual([1, 2, 3, 4, 5]);
  });

  it(`keeps the logs of the ${KEEP_RUNS} newest runs only`, () => {
    const store = fileEventLogStore(statePath);
    const ids = Array.from({ length: KEEP_RUNS + 3 }, (_, i) => `20261125T1000${String(i).padStart(2, '0')}Z-aaaaaa`);
    for (const id of ids) store.open(opened(id), () => {}).close();
    expect(store.runs()).toEqual(ids.slice(-KEEP_RUNS));
    expect(store.read(ids[0]!)).toBeNull();
    expect(store.read('../../etc/passwd')).toBeNull();
  });

  it('warns once and lets the run go on when the log cannot be written', () => {
    const store = fileEventLogStore(path.join(dir, 'missing-dir', 'state.json'));
    const log = store.open(opened(), (m) => warnings.push(m));
    log.append(polled(1));
    log.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/event log .* cannot be written/);
    expect(existsSync(path.join(dir, 'missing-dir'))).toBe(false);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Chalk } from 'chalk';
import { afterEach, describe, expect, it } from 'vitest';
import { createWarnings } from '../../src/commands/warnings.js';
import type { Context } from '../../src/context.js';
import type { RolloutEvent } from '../../src/engine/events.js';
import { JsonReporter } from '../../src/output/json-reporter.js';
import { PlainReporter } from '../../src/output/plain-reporter.js';
import type { Reporter } from '../../src/output/reporter.js';
import { buildModel } from '../../src/report/build-model.js';
import { fileEventLogStore } from '../../src/report/event-log.js';
import { Redactor } from '../../src/secrets/redact.js';

const RUN = '20261204T230000Z-aaaaaa';
const START = Date.UTC(2026, 11, 4, 23, 0, 0);
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function recorder(): Reporter & { events: RolloutEvent[] } {
  const events: RolloutEvent[] = [];
  return { events, handle: (event) => void events.push(event), warn: () => undefined, close: () => undefined };
}

function streams() {
  const out = new PassThrough();
  const err = new PassThrough();
  const text = { out: '', err: '' };
  out.on('data', (chunk: Buffer) => (text.out += chunk.toString()));
  err.on('data', (chunk: Buffer) => (text.err += chunk.toString()));
  return { term: { out, err, isTTY: false, isCI: true, color: new Chalk({ level: 0 }) }, text };
}

describe('warnings are events: the reporter and the event log see the same record', () => {
  it('a warning said before the log opens is recorded once it does, after log.opened; secrets redacted', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'warnings-'));
    let now = START;
    const ctx = { clock: { now: () => now } } as unknown as Context;
    const reporter = recorder();
    const warnings = createWarnings(ctx, RUN, new Redactor(['s3cret-token']), reporter);
    warnings.warn('took over a stale lock held by `deploy --token s3cret-token`');
    const store = fileEventLogStore(path.join(dir, 'state.json'));
    const log = store.open(
      { type: 'log.opened', time: new Date(now).toISOString(), runId: RUN, command: 'rollout run', origin: { host: 'h', user: 'u', ci: null } },
      () => undefined,
    );
    warnings.record(log);
    now += 5_000;
    warnings.warn('notify: could not deliver run.finished');
    log.close();

    const records = store.read(RUN) ?? [];
    expect(records.map((r) => r.type)).toEqual(['log.opened', 'warning', 'warning']);
    expect(reporter.events).toEqual(records.slice(1));
    expect(reporter.events[0]).toEqual({
      type: 'warning',
      time: new Date(START).toISOString(),
      runId: RUN,
      message: 'took over a stale lock held by `deploy --token ***`',
    });
  });

  it('plain and --json reporters render a warning event on stderr, as `warning: …`, and --json keeps stdout to the run', async () => {
    const warning: RolloutEvent = { type: 'warning', time: new Date(START).toISOString(), runId: RUN, message: 'TLS verification is off\u001b[2J' };
    for (const make of [
      (o: ConstructorParameters<typeof PlainReporter>[0]) => new PlainReporter(o),
      (o: ConstructorParameters<typeof PlainReporter>[0]) => new JsonReporter(o),
    ]) {
      const { term, text } = streams();
      const reporter = make({ term, clock: { now: () => START } as never });
      await reporter.handle(warning);
      reporter.close();
      await new Promise((resolve) => setImmediate(resolve));
      expect(text.err).toBe('warning: TLS verification is off\\x1b[2J\n');
      expect(text.out).toBe('');
    }
  });

  it('the report shows a logged warning as a note, and a warning after the end does not stretch the run', () => {
    const at = (s: number) => new Date(START + s * 1000).toISOString();
    const model = buildModel([
      { type: 'run.started', time: at(0), runId: RUN, plan: { name: 'p', sha256: 'x' }, stages: [] } as never,
      { type: 'run.finished', time: at(10), runId: RUN, status: 'succeeded', durationMs: 10_000, failure: null } as never,
      { type: 'warning', time: at(40), runId: RUN, message: 'notify: gave up on 1 webhook message' },
    ]);
    expect(model.notes).toContain('Warning: notify: gave up on 1 webhook message');
    expect(model.endedAt).toBe(START + 10_000);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Chalk } from 'chalk';
import { afterEach, describe, expect, it } from 'vitest';
import { isoTime, systemClock } from '../../src/clock.js';
import { openSession } from '../../src/commands/session.js';
import type { Context } from '../../src/context.js';
import type { EmitInput, RolloutEvent } from '../../src/engine/events.js';
import { loadPlan } from '../../src/plan/load.js';
import { writeReport } from '../../src/report/write-report.js';
import { withRef } from '../../src/run/ref.js';
import { openBackend } from '../../src/state/registry.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

const SECRETS = { TOKEN_A: 'QxWvKzPjRtYm', TOKEN_B: 'NbHgFdSaLcVe' };

function context(dir: string): Context {
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  return {
    cwd: dir,
    env: { PATH: process.env.PATH, ...SECRETS },
    clock: systemClock,
    term: { out: discard, err: discard, isTTY: false, isCI: true, color: new Chalk({ level: 0 }) },
    host: 'test-host',
    pid: process.pid,
    signal: new AbortController().signal,
    hardSignal: new AbortController().signal,
  };
}

/** Every 3-character piece of a secret: any part of one counts as a leak. */
const pieces = (secret: string) => [...secret].slice(0, -2).map((_, at) => secret.slice(at, at + 3));

/**
 * A fleet stage's two targets deploying at once, their output interleaved and each printing a
 * secret split across two writes, through the real session (redactor, store, event log), then
 * `writeReport`: each target's output tail is its own, masked, in the report's command rows; the
 * reason a target failed with is masked too. (The engine's fleet loop is not needed for this: the
 * events are emitted as it emits them, FLEET.md "Run shape".)
 */
describe('the report of a fleet stage holds no secret', { timeout: 30_000 }, () => {
  let dir: string | undefined;
  afterEach(async () => removeTempDir(dir));

  it('each target’s output tail is its own, masked; so is the reason it failed', async () => {
    dir = await makeTempDir('rollout-fleet-report-');
    await writePlan(dir, ['secrets: [TOKEN_A, TOKEN_B]', 'stages:', '  - { name: everyone, deploy: "true", soak: 0 }'].join('\n'));
    const ctx = context(dir);
    const plan = await loadPlan({ cwd: dir, env: ctx.env });
    const backend = await openBackend(plan.statePath, { key: null, env: ctx.env, host: ctx.host, clock: ctx.clock, baseDir: dir });
    const runId = 'fleet-1';
    const session = await openSession(ctx, { backend, runId, command: 'rollout run', plan });
    const store = session.store(null);
    const deps = session.deps(runId, store);
    const emit: EmitInput = (input) => deps.emit(withRef({ ...input, time: isoTime(deps.clock.now()), runId } as RolloutEvent));
    const ref = { stage: 'everyone', index: 0 };
    const out = (target: string, text: string) =>
      emit({ type: 'command.output', stage: 'everyone', target, phase: 'deploy', stream: 'stdout', chunk: Buffer.from(text) });
    const failed = { exitCode: 1, signal: null, timedOut: false, durationMs: 5 };
    try {
      await emit({
        type: 'run.started',
        plan: { name: plan.name, path: plan.path, sha256: plan.sha256, vars: {} },
        stages: ['everyone'],
        targets: { everyone: [['eu-1', 'eu-2']] },
      });
      await emit({ type: 'stage.started', ...ref });
      await emit({ type: 'batch.started', ...ref, batch: 1, batches: 1, targets: ['eu-1', 'eu-2'] });
      for (const target of ['eu-1', 'eu-2']) {
        await emit({ type: 'target.started', ...ref, target, batch: 1 });
        await emit({ type: 'deploy.started', ...ref, target, command: './deploy.sh' });
      }
      await out('eu-1', `eu-1 says ${SECRETS.TOKEN_A.slice(0, 6)}`);
      await out('eu-2', `eu-2 says ${SECRETS.TOKEN_B.slice(0, 6)}`);
      await out('eu-1', `${SECRETS.TOKEN_A.slice(6)} done\n`);
      await out('eu-2', `${SECRETS.TOKEN_B.slice(6)} done\n`);
      for (const [target, secret] of [
        ['eu-2', SECRETS.TOKEN_B],
        ['eu-1', SECRETS.TOKEN_A],
      ] as const) {
        await emit({ type: 'deploy.finished', ...ref, target, ...failed });
        await emit({ type: 'target.failed', ...ref, target, reason: `deploy exited 1 (token ${secret})`, durationMs: 5, check: null, value: null });
      }
      await emit({ type: 'batch.finished', ...ref, batch: 1, batches: 1, updated: 0, failed: 2, budgetLeft: 0 });
      await emit({
        type: 'stage.failed',
        ...ref,
        reason: '2 targets failed',
        failedTargets: ['eu-1', 'eu-2'],
        budget: 'total',
        durationMs: 5,
        check: null,
        value: null,
      });
      await emit({ type: 'run.finished', status: 'failed', durationMs: 5, failure: { stage: 'everyone', reason: '2 targets failed' }, signal: null });
      await session.settle(store);
    } finally {
      await session.close();
    }
    const reportPath = path.join(dir, 'report.html');
    writeReport({ statePath: plan.statePath, runId }, () => reportPath, Date.now());
    const report = readFileSync(reportPath, 'utf8');
    const logFile = readdirSync(path.dirname(plan.statePath)).find((name) => name.endsWith(`.events-${runId}.ndjson`));
    const eventLog = readFileSync(path.join(path.dirname(plan.statePath), logFile ?? 'no-event-log'), 'utf8');

    // Each target's row carries its own output, whole and masked.
    const rowOf = (target: string) =>
      new RegExp(`data-phase="deploy" data-stage="everyone" data-target="${target}">[\\s\\S]*?</tr><tr class="output-row">[\\s\\S]*?</tr>`).exec(report)?.[0] ??
      '';
    expect(rowOf('eu-1')).toContain('eu-1 says *** done');
    expect(rowOf('eu-1')).not.toContain('eu-2');
    expect(rowOf('eu-2')).toContain('eu-2 says *** done');
    expect(report).toContain('deploy exited 1 (token ***)');
    for (const [where, text] of Object.entries({ report, eventLog })) {
      for (const secret of Object.values(SECRETS)) {
        for (const piece of pieces(secret)) expect(text.includes(piece), `${where} holds "${piece}" of a secret`).toBe(false);
      }
    }
  });
});

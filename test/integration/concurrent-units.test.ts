import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Chalk } from 'chalk';
import { afterEach, describe, expect, it } from 'vitest';
import { isoTime, systemClock } from '../../src/clock.js';
import { openSession } from '../../src/commands/session.js';
import type { Context } from '../../src/context.js';
import { runPlanCommand } from '../../src/engine/command.js';
import type { EmitInput, RolloutEvent } from '../../src/engine/events.js';
import { loadPlan } from '../../src/plan/load.js';
import { writeReport } from '../../src/report/write-report.js';
import { withRef } from '../../src/run/ref.js';
import type { StateDocument } from '../../src/state/document.js';
import { machineId, processStart } from '../../src/state/identity.js';
import { openBackend } from '../../src/state/registry.js';
import { killQuietly } from '../helpers/processes.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/**
 * Issue 16 item 5: two commands of two units running at once, through the real session, reporter,
 * store, event log and report. Each prints a secret split across two writes, and the writes of the
 * two interleave with the other unit's events (its command finishing) in between: no part of
 * either secret may reach the terminal, the state file, the event log or the report.
 */
const SECRETS = { TOKEN_A: 'QxWvKzPjRtYm', TOKEN_B: 'NbHgFdSaLcVe' };

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

function context(dir: string, err: Writable): Context {
  return {
    cwd: dir,
    env: { PATH: process.env.PATH, ...SECRETS },
    clock: systemClock,
    term: { out: sink().stream, err, isTTY: false, isCI: true, color: new Chalk({ level: 0 }) },
    host: 'test-host',
    pid: process.pid,
    signal: new AbortController().signal,
    hardSignal: new AbortController().signal,
  };
}

/** Notes its process group (`<name>.pid`), prints `<name> says ` and its secret's first half, waits for `<name>.go`, prints the second half. */
const splitSecret = (name: string, variable: string) =>
  `echo $$ > ${name}.pid; printf '${name} says %s' "\${${variable}%??????}"; while [ ! -e ${name}.go ]; do sleep 0.02; done; printf '%s done\\n' "\${${variable}#??????}"`;

async function until<T>(what: string, probe: () => T | undefined | null | false): Promise<T> {
  for (let tries = 0; tries < 1500; tries++) {
    const value = probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Every 3-character piece of a secret: a half, or any part of one, counts as a leak. */
function pieces(secret: string): string[] {
  return [...secret].slice(0, -2).map((_, at) => secret.slice(at, at + 3));
}

describe('two units running at once (issue 16 item 5)', { timeout: 60_000 }, () => {
  let dir: string | undefined;
  const spawned: number[] = [];
  afterEach(async () => {
    for (const pid of spawned.splice(0)) killQuietly(-pid);
    await removeTempDir(dir);
  });

  it('no piece of either split secret reaches the terminal, the state, the event log or the report', async () => {
    dir = await makeTempDir('rollout-units-');
    const workDir = dir;
    await writePlan(
      workDir,
      [
        'secrets: [TOKEN_A, TOKEN_B]',
        'stages:',
        `  - { name: one, deploy: ${JSON.stringify(splitSecret('one', 'TOKEN_A'))}, soak: 0 }`,
        `  - { name: two, deploy: ${JSON.stringify(splitSecret('two', 'TOKEN_B'))}, soak: 0 }`,
      ].join('\n'),
    );
    const err = sink();
    const ctx = context(workDir, err.stream);
    const plan = await loadPlan({ cwd: workDir, env: ctx.env });
    const backend = await openBackend(plan.statePath, { key: null, env: ctx.env, host: ctx.host, clock: ctx.clock, baseDir: workDir });
    const runId = 'units-1';
    const session = await openSession(ctx, { backend, runId, command: 'rollout run', plan });
    const store = session.store(null);
    const deps = session.deps(runId, store);
    // Stamped as the engine's loop stamps its events (src/engine/drive.ts).
    const emit: EmitInput = (input) => deps.emit(withRef({ ...input, time: isoTime(deps.clock.now()), runId: deps.runId } as RolloutEvent));
    const stateText = () => (existsSync(plan.statePath) ? readFileSync(plan.statePath, 'utf8') : '');
    const units = () => ((JSON.parse(stateText() || '{}') as StateDocument).processGroups ?? []).map((group) => group.unit).sort();
    try {
      await emit({ type: 'run.started', plan: { name: plan.name, path: plan.path, sha256: plan.sha256, vars: {} }, stages: ['one', 'two'] });
      const [one, two] = plan.stages as [(typeof plan.stages)[0], (typeof plan.stages)[0]];
      // The engine's own way to run a unit's command, twice at once through the same deps.
      const start = async (stage: typeof one) => {
        await emit({ type: 'stage.started', stage: stage.name, index: stage.index });
        await emit({ type: 'deploy.started', stage: stage.name, index: stage.index, command: stage.deploy });
        const run = { command: stage.deploy, phase: 'deploy' as const, stage, eventStage: stage.name, timeoutMs: stage.timeoutMs };
        return runPlanCommand(plan, run, deps, emit);
      };
      const finish = async (stage: typeof one, outcome: Awaited<ReturnType<typeof start>>) => {
        const { aborted: _aborted, ...fields } = outcome;
        await emit({ type: 'deploy.finished', stage: stage.name, index: stage.index, ...fields });
      };
      const runningOne = start(one);
      const runningTwo = start(two);
      // Both have printed their first half (what precedes it is released at once; the half is held).
      await until('both first writes', () => err.text().includes('one | one says ') && err.text().includes('two | two says '));
      // Both process groups are in the state, each under its own unit.
      await until('both groups recorded', () => units().join() === 'one,two');
      for (const group of (JSON.parse(stateText()) as StateDocument).processGroups ?? []) {
        expect(group.pgid).toBe(Number(readFileSync(path.join(workDir, `${group.unit}.pid`), 'utf8')));
        expect(group.command).toBe(plan.stages.find((stage) => stage.name === group.unit)?.deploy);
      }

      // Unit two finishes while unit one is half-way through its secret.
      writeFileSync(path.join(workDir, 'two.go'), '');
      await finish(two, await runningTwo);
      await emit({ type: 'stage.passed', stage: 'two', index: 1, durationMs: 1, inconclusive: [] });
      await until('unit two’s group gone from the state', () => units().join() === 'one');
      expect(err.text()).not.toContain(SECRETS.TOKEN_A.slice(0, 6));

      writeFileSync(path.join(workDir, 'one.go'), '');
      await finish(one, await runningOne);
      await emit({ type: 'stage.passed', stage: 'one', index: 0, durationMs: 1, inconclusive: [] });
      await emit({ type: 'run.finished', status: 'succeeded', durationMs: 1, failure: null, signal: null });
      await session.settle(store);
    } finally {
      await session.close();
    }
    const reportPath = path.join(workDir, 'report.html');
    writeReport({ statePath: plan.statePath, runId }, () => reportPath, Date.now());

    const terminal = err.text();
    const state = stateText();
    const logFile = readdirSync(path.dirname(plan.statePath)).find((name) => name.endsWith(`.events-${runId}.ndjson`));
    const eventLog = readFileSync(path.join(path.dirname(plan.statePath), logFile ?? 'no-event-log'), 'utf8');
    const report = readFileSync(reportPath, 'utf8');
    // Each unit's output, whole and masked: the halves met again in the redactor, not on the screen. A
    // line the other unit interrupted goes on in a line of its own, prefixed again, never glued to another.
    const shown = (unit: string) =>
      terminal
        .split('\n')
        .filter((line) => line.startsWith(`${unit} | `))
        .map((line) => line.slice(`${unit} | `.length))
        .join('');
    expect(shown('one')).toBe('one says *** done');
    expect(shown('two')).toBe('two says *** done');
    expect(eventLog).toContain('one says *** done');
    expect(eventLog).toContain('two says *** done');
    expect(report).toContain('one says *** done');
    expect(JSON.parse(state).processGroups).toEqual([]);
    for (const [where, text] of Object.entries({ terminal, state, eventLog, report })) {
      for (const secret of Object.values(SECRETS)) {
        for (const piece of pieces(secret)) expect(text.includes(piece), `${where} holds "${piece}" of a secret`).toBe(false);
      }
    }
  });

  it('a later run stops every group a dead run left, from the list and from 0.1.0’s single slot', async () => {
    dir = await makeTempDir('rollout-units-');
    const workDir = dir;
    await writePlan(workDir, 'stages:\n  - { name: one, deploy: "true", soak: 0 }\n');
    const err = sink();
    const ctx = context(workDir, err.stream);
    const plan = await loadPlan({ cwd: workDir, env: ctx.env });
    const machine = machineId();
    expect(machine, 'this test needs /proc (Linux)').toBeTruthy();
    // Two commands a SIGKILLed run left behind, each the leader of its own process group.
    const groups = ['one', 'two'].map((unit) => {
      const child = spawn('/bin/sh', ['-c', 'sleep 60 & wait'], { detached: true, stdio: 'ignore' });
      child.unref();
      spawned.push(child.pid as number);
      return { unit, pid: child.pid as number };
    });
    const record = (pid: number) => ({
      pgid: pid,
      startTicks: processStart(pid) as string,
      machine: machine as string,
      host: 'test-host',
      command: `deploy ${pid}`,
    });
    const doc = {
      runId: 'dead-run',
      processGroups: [{ ...record(groups[0]?.pid as number), unit: 'one' }],
      processGroup: record(groups[1]?.pid as number),
    } as unknown as StateDocument;

    const backend = await openBackend(plan.statePath, { key: null, env: ctx.env, host: ctx.host, clock: ctx.clock, baseDir: workDir });
    const session = await openSession(ctx, { backend, runId: 'next-run', command: 'rollout resume', plan });
    try {
      await session.stopLeftovers(doc);
    } finally {
      await session.close();
    }
    for (const { pid } of groups) {
      expect(err.text()).toContain(`run dead-run died leaving its command running (deploy ${pid}, process group ${pid}); stopped it before going on`);
      expect(isAlive(pid), `process group ${pid}`).toBe(false);
    }
    expect(doc.processGroups).toEqual([]);
    expect('processGroup' in doc).toBe(false);
  });
});

function isAlive(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

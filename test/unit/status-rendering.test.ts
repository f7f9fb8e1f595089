import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { Chalk } from 'chalk';
import { afterAll, describe, expect, it } from 'vitest';
import type { Gate, RolloutEvent, RunStatus } from '../../src/engine/events.js';
import { notifyPayload } from '../../src/notify/message.js';
import { BuildkiteGroups } from '../../src/output/buildkite.js';
import { GitHubActions } from '../../src/output/github.js';
import { GitLabSections } from '../../src/output/gitlab.js';
import { renderJobSummary } from '../../src/output/job-summary.js';
import { JsonReporter } from '../../src/output/json-reporter.js';
import { PlainReporter } from '../../src/output/plain-reporter.js';
import type { Reporter } from '../../src/output/reporter.js';
import { renderSummary } from '../../src/output/summary.js';
import type { Terminal } from '../../src/output/terminal.js';
import { TtyReporter } from '../../src/output/tty-reporter.js';
import type { Plan, Stage } from '../../src/plan/types.js';
import { applyEvent, initialState } from '../../src/run/reduce.js';
import type { StageStatus, StateDocument } from '../../src/state/document.js';
import { compileWindows } from '../../src/windows/evaluate.js';
import type { RawWindows } from '../../src/windows/schema.js';
import { fakeDeps, MINUTE, startRun, testPlan, stage as testStage } from './run-harness.js';
import { VirtualClock } from './virtual-clock.js';

/**
 * Every run status, stage status and gate kind, rendered by every reporter, from events the engine
 * really emits (the engine's loop on a virtual clock with a scripted exec). The tables below are
 * `satisfies Record<Status, …>`: a status added to src/engine/events.ts or src/state/document.ts
 * does not compile here until someone says how each reporter shows it.
 */

// ---- the runs: each scenario is a real engine run whose events end in the status it is named after

type Scenario = 'succeeded' | 'failed' | 'rolled_back' | 'rollback_failed' | 'interrupted' | 'blocked' | 'paused' | 'window_paused';

const stage = (name: string, index: number, deploy: string, rollback: string | null): Stage =>
  testStage(name, index, { deploy, rollback, soakMs: 40 * MINUTE });

// The virtual clock starts on Thursday 1970-01-01 00:00 UTC; the second stage starts at 00:40.
const closesAt30: RawWindows = { allow: [{ days: ['thu'], from: '00:00', to: '00:30' }] };

function planFor(scenario: Scenario): Plan {
  const windows =
    scenario === 'blocked' ? compileWindows(closesAt30) : scenario === 'window_paused' ? compileWindows({ ...closesAt30, onBlocked: 'pause' }) : null;
  if (windows && !windows.ok) throw new Error(JSON.stringify(windows.problems));
  const canaryDeploy = ['failed', 'rolled_back', 'rollback_failed'].includes(scenario) ? 'fail' : scenario === 'interrupted' ? 'hang' : 'deploy canary';
  const canary = stage('canary', 0, canaryDeploy, scenario === 'rollback_failed' ? 'fail' : 'undo canary');
  if (scenario === 'paused') canary.approval = { timeoutMs: null, onTimeout: 'abort', message: 'look at the canary dashboard' };
  return testPlan([canary, stage('full', 1, 'deploy full', 'undo full')], {
    name: 'shop',
    onFailure: scenario === 'failed' ? 'stop' : 'rollback',
    windows: windows?.windows ?? null,
  });
}

/** Run ids without `_`, so a raw status word in any output stands out. */
const runIdOf = (scenario: Scenario) => `run-${scenario.replaceAll('_', '-')}`;

const recorded = new Map<Scenario, Promise<RolloutEvent[]>>();

/** The events of one engine run (cached: several statuses are cut from the same run). */
function eventsOf(scenario: Scenario): Promise<RolloutEvent[]> {
  let events = recorded.get(scenario);
  if (!events) {
    events = record(scenario);
    recorded.set(scenario, events);
  }
  return events;
}

async function record(scenario: Scenario): Promise<RolloutEvent[]> {
  const clock = new VirtualClock();
  const events: RolloutEvent[] = [];
  const interrupt = new AbortController();
  const deps = fakeDeps(clock, {
    runId: runIdOf(scenario),
    exec: async (spec) => {
      if (spec.command === 'hang') {
        interrupt.abort('SIGTERM');
        return { exitCode: null, signal: 'SIGTERM', timedOut: false, aborted: true };
      }
      return { exitCode: spec.command === 'fail' ? 1 : 0, signal: null, timedOut: false, aborted: false };
    },
    emit: (event) => {
      events.push(event);
    },
    signal: interrupt.signal,
  });
  await clock.runUntilSettled(startRun(planFor(scenario), deps), 24 * 60 * MINUTE);
  return events;
}

/** The run's events up to and including the first one `until` matches (a run seen mid-way). */
async function cut(scenario: Scenario, until: ((e: RolloutEvent) => boolean) | 'end'): Promise<RolloutEvent[]> {
  const events = await eventsOf(scenario);
  if (until === 'end') return events;
  const at = events.findIndex(until);
  if (at === -1) throw new Error(`${scenario}: no such event`);
  return events.slice(0, at + 1);
}

function fold(events: RolloutEvent[]): StateDocument {
  const [first, ...rest] = events;
  if (first?.type !== 'run.started') throw new Error('a run starts with run.started');
  const doc = initialState(first);
  for (const event of rest) applyEvent(doc, event);
  return doc;
}

// ---- the reporters, in-process

function terminal(level: 0 | 2): Terminal & { text: () => { out: string; err: string } } {
  const out = new PassThrough();
  const err = new PassThrough();
  let outText = '';
  let errText = '';
  out.on('data', (chunk: Buffer) => {
    outText += chunk.toString();
  });
  err.on('data', (chunk: Buffer) => {
    errText += chunk.toString();
  });
  // isTTY true for the TTY reporter: it draws a spinner on `err` during soaks.
  return { out, err, isTTY: level > 0, isCI: level === 0, color: new Chalk({ level }), text: () => ({ out: outText, err: errText }) };
}

/** As a session wires them: the store folds each event first, and reporters follow its document. */
async function feed(reporter: Reporter, events: RolloutEvent[]): Promise<void> {
  let doc: StateDocument | null = null;
  reporter.follow?.(() => doc);
  for (const event of events) {
    if (event.type === 'run.started') doc = initialState(event);
    else if (doc) applyEvent(doc, event);
    await reporter.handle(event);
  }
  reporter.close();
  await new Promise((resolve) => setImmediate(resolve)); // PassThrough delivers 'data' on the next tick
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-status-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
let files = 0;
const scratchFile = (name: string) => path.join(scratch, `${files++}-${name}`);

// A stand-in for the Buildkite agent: records its arguments and the annotation it was given.
const agentDir = path.join(scratch, 'bin');
fs.mkdirSync(agentDir);
fs.writeFileSync(path.join(agentDir, 'buildkite-agent'), '#!/bin/sh\nprintf "%s\\n" "$@" > "$AGENT_LOG.args"\ncat > "$AGENT_LOG.stdin"\n', { mode: 0o755 });

interface Rendered {
  plain: string;
  tty: string;
  ttyRaw: string;
  json: Record<string, unknown>[];
  github: { summary: string; outputs: Record<string, string>; log: string };
  gitlab: { dotenv: Record<string, string>; log: string };
  buildkite: { args: string[]; annotation: string } | null;
  summary: string;
  jobSummary: string;
  doc: StateDocument;
}

async function renderAll(events: RolloutEvent[]): Promise<Rendered> {
  const clock = { now: () => Date.parse(events.at(-1)?.time ?? '1970-01-01T00:00:00Z'), sleep: async () => {} };
  const plainTerm = terminal(0);
  await feed(new PlainReporter({ term: plainTerm, clock }), events);
  const ttyTerm = terminal(2);
  await feed(new TtyReporter({ term: ttyTerm, clock }), events);
  const jsonTerm = terminal(0);
  await feed(new JsonReporter({ term: jsonTerm, clock }), events);

  const ghTerm = terminal(0);
  const env = { GITHUB_STEP_SUMMARY: scratchFile('summary.md'), GITHUB_OUTPUT: scratchFile('output') };
  await feed(new GitHubActions(new PlainReporter({ term: ghTerm, clock }), ghTerm.err, env), events);

  const glTerm = terminal(0);
  const dotenvFile = scratchFile('rollout.env');
  await feed(new GitLabSections(new PlainReporter({ term: glTerm, clock }), glTerm.err, dotenvFile), events);

  const bkTerm = terminal(0);
  const agentLog = scratchFile('agent');
  await feed(new BuildkiteGroups(new PlainReporter({ term: bkTerm, clock }), bkTerm.err, { PATH: `${agentDir}:/usr/bin:/bin`, AGENT_LOG: agentLog }), events);

  const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
  const doc = fold(events);
  return {
    plain: plainTerm.text().err,
    tty: stripVTControlCharacters(ttyTerm.text().err),
    ttyRaw: ttyTerm.text().err,
    json: jsonTerm
      .text()
      .out.split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>),
    github: { summary: read(env.GITHUB_STEP_SUMMARY), outputs: githubOutputs(read(env.GITHUB_OUTPUT)), log: ghTerm.text().err },
    gitlab: { dotenv: Object.fromEntries(read(dotenvFile).split('\n').filter(Boolean).map(splitDotenv)), log: glTerm.text().err },
    buildkite: fs.existsSync(`${agentLog}.args`) ? { args: read(`${agentLog}.args`).trim().split('\n'), annotation: read(`${agentLog}.stdin`) } : null,
    summary: renderSummary(doc, new Chalk({ level: 0 })),
    jobSummary: renderJobSummary(doc),
    doc,
  };
}

/** `$GITHUB_OUTPUT` as the runner reads it (`name<<DELIM` … `DELIM` blocks). */
function githubOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of text.matchAll(/^([^=<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) out[match[1] ?? ''] = match[3] ?? '';
  return out;
}

function splitDotenv(line: string): [string, string] {
  const at = line.indexOf('=');
  return [line.slice(0, at), line.slice(at + 1)];
}

/** What no human-facing text may show: a value that was never filled in, or a raw enum. */
const NOT_RENDERED = /undefined|\[object|NaN|rolled_back|rollback_failed|rolling_back/;

// ---- run statuses

interface RunStatusView {
  /** Which run shows it, and where to stop reading its events. */
  from: Scenario;
  until: ((e: RolloutEvent) => boolean) | 'end';
  /** The status in words: the last log line (plain and TTY) and the summary after the run / `rollout status`. */
  word: string;
  /** The job summary heading's icon (GitHub job summary, Buildkite annotation). */
  icon: string;
  /** The one-line outcome in CI outputs (`message`, `ROLLOUT_MESSAGE`) and the job summary heading. */
  headline: RegExp;
  /** Buildkite annotation style; null where the run has not finished (nothing is annotated). */
  buildkite: 'success' | 'error' | 'warning' | 'info' | null;
  /** The webhook's `run.finished` text starts so; null when no run.finished is sent (a run in progress). */
  webhook: string | null;
}

const RUN_STATUSES = {
  running: {
    from: 'succeeded',
    until: (e) => e.type === 'deploy.started',
    word: '⏳ running',
    icon: '⏳',
    headline: /^running$/,
    buildkite: null,
    webhook: null,
  },
  succeeded: { from: 'succeeded', until: 'end', word: '✓ succeeded', icon: '✅', headline: /^succeeded$/, buildkite: 'success', webhook: '✅ succeeded' },
  failed: { from: 'failed', until: 'end', word: '✗ failed', icon: '❌', headline: /^failed at canary$/, buildkite: 'error', webhook: '❌ failed' },
  rolled_back: {
    from: 'rolled_back',
    until: 'end',
    word: '✗ failed, rolled back',
    icon: '↩️',
    headline: /^failed at canary, rolled back$/,
    buildkite: 'error',
    webhook: '↩️ failed and rolled back',
  },
  rollback_failed: {
    from: 'rollback_failed',
    until: 'end',
    word: '✗ rollback failed',
    icon: '🚨',
    headline: /^failed at canary, and a rollback failed: a human must look$/,
    buildkite: 'error',
    webhook: '🚨 rollback failed: a human must look',
  },
  interrupted: {
    from: 'interrupted',
    until: 'end',
    word: '⚠ interrupted',
    icon: '⚠️',
    headline: /^interrupted$/,
    buildkite: 'warning',
    webhook: '⚠️ interrupted',
  },
  blocked: {
    from: 'blocked',
    until: 'end',
    word: '⏸ blocked by a deploy window',
    icon: '⏸️',
    headline: /^stopped before full: blocked: outside the allowed windows \(thu 00:00–00:30\); next allowed Thu 1970-01-08 00:00 UTC$/,
    buildkite: 'warning',
    webhook: '⏸️ stopped before a stage its deploy window blocks',
  },
  paused: {
    from: 'paused',
    until: 'end',
    word: '✋ paused at a gate',
    icon: '✋',
    headline: /^waiting at gate canary-[0-9a-f]{6} after canary: look at the canary dashboard$/,
    buildkite: 'warning',
    webhook: '✋ waiting at a gate for a person to promote or abort',
  },
} satisfies Record<RunStatus, RunStatusView>;

describe('every run status renders in every reporter', () => {
  it.each(Object.entries(RUN_STATUSES) as [RunStatus, RunStatusView][])('%s', async (status, view) => {
    const events = await cut(view.from, view.until);
    const out = await renderAll(events);
    const finished = events.find((e) => e.type === 'run.finished');
    expect(out.doc.status, 'the scenario really ends in this status').toBe(status);

    // The summary after the run, and `rollout status`.
    expect(out.summary).toContain(`shop run ${runIdOf(view.from)}: ${view.word}`);
    // `rollout status --json` / the state file: the status itself.
    expect(JSON.parse(JSON.stringify(out.doc)).status).toBe(status);
    // GitHub job summary and Buildkite annotation: icon and headline.
    const heading = out.jobSummary.split('\n')[0] ?? '';
    expect(heading.startsWith(`### ${view.icon} rollout shop: `), heading).toBe(true);
    expect(heading.replace(`### ${view.icon} rollout shop: `, '').replace(/ in \d[\dhms.]*$/, '')).toMatch(view.headline);

    if (finished === undefined) {
      // In progress: no reporter has announced an outcome yet, and none pretends to.
      expect(out.plain).not.toMatch(/✓ succeeded|✗|⚠ interrupted|⏸ blocked|✋ paused/);
      expect(out.json.map((e) => e.type)).not.toContain('run.finished');
      expect(out.github.outputs).toEqual({});
      expect(out.gitlab.dotenv).toEqual({});
      expect(out.buildkite).toBeNull();
    } else {
      // Plain CI log and TTY: the last line says the status in words; the TTY also colours it.
      const last = (log: string) => log.trimEnd().split('\n').at(-1) ?? '';
      expect(last(out.plain)).toMatch(new RegExp(`^\\[[\\d:]+\\] ${escapeRegExp(view.word)} in `));
      expect(last(out.tty)).toMatch(new RegExp(`^\\[[\\d:]+\\] ${escapeRegExp(view.word)} in `));
      expect(out.ttyRaw).toMatch(new RegExp(`\\u001b\\[[\\d;]+m${escapeRegExp(view.word)}`));
      // JSON lines: the run.finished event carries the status as is.
      expect(out.json.at(-1)).toMatchObject({ type: 'run.finished', status });
      // GitHub outputs.
      expect(out.github.outputs).toMatchObject({ status, paused: String(status === 'paused'), 'run-id': runIdOf(view.from) });
      expect(out.github.outputs.gate).toMatch(status === 'paused' ? /^canary-[0-9a-f]{6}$/ : /^$/);
      expect(out.github.outputs.message).toMatch(new RegExp(`^rollout shop: ${view.headline.source.slice(1, -1)}`));
      expect(out.github.summary).toBe(out.jobSummary);
      // GitLab dotenv.
      expect(out.gitlab.dotenv).toMatchObject({ ROLLOUT_STATUS: status, ROLLOUT_PAUSED: String(status === 'paused'), ROLLOUT_GATE: out.github.outputs.gate });
      expect(out.gitlab.dotenv.ROLLOUT_MESSAGE).toMatch(new RegExp(`^rollout shop: ${view.headline.source.slice(1, -1)}$`));
      // Buildkite annotation.
      expect(out.buildkite?.args).toEqual(['annotate', '--style', view.buildkite, '--context', `rollout-${runIdOf(view.from)}`]);
      expect(out.buildkite?.annotation.split('\n')[0]).toBe(heading);
      // Webhook.
      const payload = notifyPayload(finished, out.doc);
      expect(payload).toMatchObject({ event: 'run.finished', status });
      expect(payload?.text.startsWith(`${view.webhook}: rollout shop run ${runIdOf(view.from)} in `), payload?.text).toBe(true);
      for (const text of [payload?.text ?? '', out.github.outputs.message ?? '', out.gitlab.dotenv.ROLLOUT_MESSAGE ?? ''])
        expect(text).not.toMatch(NOT_RENDERED);
    }
    for (const text of [out.plain, out.tty, out.summary, out.jobSummary, out.github.log, out.gitlab.log]) expect(text).not.toMatch(NOT_RENDERED);
  });
});

// ---- stage statuses: the stage tables (summary after a run and `rollout status`; the job summary and annotation)

interface StageStatusView {
  from: Scenario;
  until: ((e: RolloutEvent) => boolean) | 'end';
  stage: 'canary' | 'full';
  /** The STATUS cell of the plain summary table; the job summary shows `icon word`. */
  word: string;
  icon: string;
}

const STAGE_STATUSES = {
  pending: { from: 'blocked', until: 'end', stage: 'full', word: 'pending', icon: '⏸️' },
  deploying: { from: 'succeeded', until: (e) => e.type === 'deploy.started', stage: 'canary', word: 'deploying', icon: '⏳' },
  soaking: { from: 'succeeded', until: (e) => e.type === 'soak.started', stage: 'canary', word: 'soaking', icon: '⏳' },
  succeeded: { from: 'succeeded', until: 'end', stage: 'full', word: 'succeeded', icon: '✅' },
  failed: { from: 'failed', until: 'end', stage: 'canary', word: 'failed', icon: '❌' },
  rolling_back: { from: 'rolled_back', until: (e) => e.type === 'rollback.step.started', stage: 'canary', word: 'rolling back', icon: '↩️' },
  rolled_back: { from: 'rolled_back', until: 'end', stage: 'canary', word: 'rolled back', icon: '↩️' },
  rollback_failed: { from: 'rollback_failed', until: 'end', stage: 'canary', word: 'rollback failed', icon: '🚨' },
  skipped: { from: 'failed', until: 'end', stage: 'full', word: 'skipped', icon: '⏭️' },
} satisfies Record<StageStatus, StageStatusView>;

describe('every stage status renders in the stage tables', () => {
  // Webhooks, GitHub outputs and the GitLab dotenv carry the run's outcome only, never a stage's status:
  // stage statuses show in the summary table (plain and TTY), the job summary / annotation and the state.
  it.each(Object.entries(STAGE_STATUSES) as [StageStatus, StageStatusView][])('%s', async (status, view) => {
    const doc = fold(await cut(view.from, view.until));
    const index = view.stage === 'canary' ? 0 : 1;
    expect(doc.stages[index]?.status, 'the scenario really leaves the stage so').toBe(status);

    const row = (table: string) => table.split('\n').find((line) => line.replace(/^\| /, '').startsWith(`${view.stage} `)) ?? '';
    expect(row(renderSummary(doc, new Chalk({ level: 0 }))).split(/ {2,}/)[1]).toBe(view.word);
    const coloured = row(renderSummary(doc, new Chalk({ level: 2 })));
    expect(coloured).toMatch(new RegExp(`\\u001b\\[[\\d;]+m${view.word}\\u001b`));
    expect(row(renderJobSummary(doc)).split(' | ')[1]).toBe(`${view.icon} ${view.word}`);
    expect(JSON.parse(JSON.stringify(doc)).stages[index].status).toBe(status);
  });
});

// ---- gate kinds: an approval or inconclusive gate waits after its stage, a window gate before it

const GATE_KINDS = {
  approval: { from: 'paused', place: 'after canary', stage: 'canary' },
  inconclusive: { from: 'paused', place: 'after canary', stage: 'canary' },
  window: { from: 'window_paused', place: 'before full', stage: 'full' },
} satisfies Record<Gate['kind'], { from: Scenario; place: string; stage: string }>;

describe('every gate kind says where the run waits', () => {
  it.each(Object.entries(GATE_KINDS) as [Gate['kind'], (typeof GATE_KINDS)[Gate['kind']]][])('%s', async (kind, view) => {
    // The engine opens approval and window gates here; an inconclusive gate differs from an approval only in kind and reason.
    const events = (await cut(view.from, 'end')).map((e) =>
      e.type === 'gate.opened' && kind === 'inconclusive'
        ? { ...e, gate: { ...e.gate, kind, reason: 'checks could not tell (p95) and onInconclusive is pause' } }
        : e,
    );
    const opened = events.find((e) => e.type === 'gate.opened');
    if (opened?.type !== 'gate.opened') throw new Error('no gate opened');
    expect(opened.gate.kind).toBe(kind);
    const out = await renderAll(events);
    const id = opened.gate.id;
    expect(out.jobSummary.split('\n')[0]).toContain(`waiting at gate ${id} ${view.place}: ${opened.gate.reason}`);
    expect(out.github.outputs).toMatchObject({ paused: 'true', gate: id });
    expect(out.gitlab.dotenv).toMatchObject({ ROLLOUT_PAUSED: 'true', ROLLOUT_GATE: id });
    expect(notifyPayload(opened, out.doc)?.text).toContain(`waiting at gate ${id} ${view.place}: `);
    expect(out.summary).toContain(`${view.stage} ${kind === 'window' ? 'not started' : 'passed'}; waiting at gate ${id}`);
    expect(out.summary).toContain(
      kind === 'window' ? `rollout promote --gate ${id} --override-window --reason "…"` : `continue with: rollout promote --gate ${id} --reason "…"`,
    );
    const gateLine = out.plain.split('\n').find((line) => line.includes(`gate ${id}`)) ?? '';
    expect(gateLine).toContain(kind === 'window' ? 'full ⏸ not started, paused at a gate' : 'canary ✋ waiting for a decision');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

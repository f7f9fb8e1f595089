import type { RolloutEvent, RunStatus, SoakCheck } from '../../src/engine/events.js';
import { applyEvent, initialState } from '../../src/run/reduce.js';
import { withRef } from '../../src/run/ref.js';
import type { StateDocument } from '../../src/state/document.js';
import { polled, soakCheck } from './checks.js';

/**
 * A fleet run's events, written in the order the design says the engine emits them (docs FLEET.md,
 * "Run shape"), each stamped with its unit's `ref` as the loop does. Readers are tested on these
 * and on the document folded from them by the one reducer (`doc()`), never on a hand-written
 * document. The engine that emits them for real is tested elsewhere.
 */
export class FleetScript {
  readonly events: RolloutEvent[] = [];
  private ms: number;
  private readonly stages: string[];

  constructor(
    /** Stage name → its batches of target names (`[]` for a stage without targets). */
    readonly batches: Record<string, string[][]>,
    readonly runId = 'run-fleet',
    start = '2026-12-05T02:00:00.000Z',
  ) {
    this.ms = Date.parse(start);
    this.stages = Object.keys(batches);
    const targets = Object.fromEntries(Object.entries(batches).filter(([, b]) => b.length > 0));
    this.push({ type: 'run.started', plan: { name: 'shop', path: '/plans/rollout.yaml', sha256: 'abc', vars: {} }, stages: this.stages, targets });
  }

  /** Moves the clock on (every event is stamped with it). */
  wait(ms: number): this {
    this.ms += ms;
    return this;
  }

  push(event: Record<string, unknown>): this {
    this.events.push(withRef({ time: new Date(this.ms).toISOString(), runId: this.runId, ...event } as RolloutEvent));
    return this;
  }

  private at(stage: string): { stage: string; index: number } {
    return { stage, index: this.stages.indexOf(stage) };
  }

  stageStarted(stage: string): this {
    return this.push({ type: 'stage.started', ...this.at(stage) });
  }

  batchStarted(stage: string, batch: number): this {
    const all = this.batches[stage] ?? [];
    return this.push({ type: 'batch.started', ...this.at(stage), batch, batches: all.length, targets: all[batch - 1] ?? [] });
  }

  /** A target's turn up to `upTo`: left there, in flight. */
  targetStarts(stage: string, target: string, upTo: 'deploying' | 'verifying' | 'soaking' = 'soaking'): this {
    const batch = (this.batches[stage] ?? []).findIndex((names) => names.includes(target)) + 1;
    this.push({ type: 'target.started', ...this.at(stage), target, batch });
    this.push({ type: 'deploy.started', ...this.at(stage), target, command: './deploy.sh "$ROLLOUT_TARGET_HOST"' });
    if (upTo === 'deploying') return this;
    this.wait(1000).push({ type: 'deploy.finished', ...this.at(stage), target, ...ok(1000) });
    this.push({ type: 'verify.finished', ...this.at(stage), target, ...ok(50), ok: true, output: 'v2', expected: 'v2' });
    if (upTo === 'verifying') return this;
    return this.push({ type: 'soak.started', ...this.at(stage), target, soakMs: 60_000, checks: [check('healthz')] });
  }

  targetPasses(stage: string, target: string): this {
    this.targetStarts(stage, target);
    this.wait(60_000).poll(stage, target, true);
    this.push({ type: 'check.finished', ...this.at(stage), target, check: 'healthz', verdict: 'pass', reason: null, dryRun: false, samples: 1 });
    return this.push({ type: 'target.passed', ...this.at(stage), target, durationMs: 61_050 });
  }

  /**
   * A target fails its checks (or its deploy: `how: 'deploy'`), then is rolled back on its own
   * (`rollback: 'ok' | 'failed'`), or kept (`'keep'`, onTargetFailure: keep).
   */
  targetFails(stage: string, target: string, options: { how?: 'deploy' | 'check'; rollback?: 'ok' | 'failed' | 'keep'; reason?: string } = {}): this {
    const { how = 'check', rollback = 'ok' } = options;
    if (how === 'deploy') {
      this.targetStarts(stage, target, 'deploying');
      this.wait(500).push({ type: 'deploy.finished', ...this.at(stage), target, ...ok(500), exitCode: 1 });
    } else {
      this.targetStarts(stage, target);
      this.wait(10_000).poll(stage, target, false);
      this.push({ type: 'check.finished', ...this.at(stage), target, check: 'healthz', verdict: 'fail', reason: 'HTTP 503', dryRun: false, samples: 1 });
    }
    const reason = options.reason ?? (how === 'deploy' ? 'deploy failed: exit 1' : 'health check healthz failed 1 time in a row: HTTP 503 (expected 2xx)');
    this.push({ type: 'target.failed', ...this.at(stage), target, reason, durationMs: 11_000, check: how === 'check' ? 'healthz' : null, value: null });
    if (rollback !== 'keep') this.targetRollsBack(stage, target, rollback === 'ok');
    return this;
  }

  targetRollsBack(stage: string, target: string, succeeds = true): this {
    this.push({ type: 'rollback.step.started', ...this.at(stage), target, command: './deploy.sh "$ROLLOUT_TARGET_HOST" previous' });
    return this.wait(800).push({ type: 'rollback.step.finished', ...this.at(stage), target, stages: [], ...ok(800), exitCode: succeeds ? 0 : 1 });
  }

  poll(stage: string, target: string, passes: boolean): this {
    const base = { time: '', runId: this.runId, ...this.at(stage), check: 'healthz' };
    const failed = {
      ok: false,
      outcome: 'fail',
      status: 503,
      error: { kind: 'status', message: 'HTTP 503 (expected 2xx)' },
      value: { status: 503 },
      display: 'HTTP 503 in 12ms',
      reason: 'HTTP 503 (expected 2xx)',
      failures: 1,
      consecutiveFailures: 1,
      counts: { pass: 0, fail: 1, inconclusive: 0, error: 0 },
    } as const;
    const { time: _time, runId: _runId, ...event } = polled(base, passes ? {} : failed);
    return this.push({ ...event, target });
  }

  /** The bake after a batch: `batch.baking`, then the fleet checks' soak (without a target). */
  batchBakes(stage: string, batch: number, bakeMs = 120_000): this {
    this.push({ type: 'batch.baking', ...this.at(stage), batch, bakeMs, until: new Date(this.ms + bakeMs).toISOString() });
    this.push({ type: 'soak.started', ...this.at(stage), soakMs: bakeMs, checks: [check('error-rate')] });
    return this.wait(bakeMs);
  }

  /** `batch.finished` with the batch's counts as the fold has them. */
  batchFinished(stage: string, batch: number, budgetLeft: number | null): this {
    const targets = (this.doc().stages.find((s) => s.name === stage)?.targets ?? []).filter((t) => t.batch === batch);
    const updated = targets.filter((t) => t.status === 'updated').length;
    const failed = targets.filter((t) => t.failed).length;
    // As the engine says it: what is tolerated in all is what is left plus the stage's failures so far.
    const failedSoFar = (this.doc().stages.find((s) => s.name === stage)?.targets ?? []).filter((t) => t.failed).length;
    const tolerated = budgetLeft === null ? {} : { tolerated: budgetLeft + failedSoFar };
    return this.push({
      type: 'batch.finished',
      ...this.at(stage),
      batch,
      batches: this.batches[stage]?.length ?? 0,
      updated,
      failed,
      budgetLeft,
      ...tolerated,
    });
  }

  /** A whole batch whose targets pass, but `failing` (rolled back at once), then its bake. */
  batch(stage: string, batch: number, budgetLeft: number | null, failing: string[] = []): this {
    this.batchStarted(stage, batch);
    for (const target of this.batches[stage]?.[batch - 1] ?? []) {
      if (failing.includes(target)) this.targetFails(stage, target);
      else this.targetPasses(stage, target);
    }
    return this.batchBakes(stage, batch).batchFinished(stage, batch, budgetLeft);
  }

  stagePassed(stage: string): this {
    return this.push({ type: 'stage.passed', ...this.at(stage), durationMs: 1000, inconclusive: [] });
  }

  stageFailed(stage: string, reason: string, failedTargets: string[], budget?: 'perBatch' | 'total' | 'minHealthy'): this {
    return this.push({
      type: 'stage.failed',
      ...this.at(stage),
      reason,
      failedTargets,
      ...(budget ? { budget } : {}),
      durationMs: 1000,
      check: null,
      value: null,
    });
  }

  output(stage: string, target: string | null, text: string, phase: 'deploy' | 'rollback' = 'deploy'): this {
    return this.push({
      type: 'command.output',
      stage,
      ...(target === null ? {} : { target }),
      phase,
      stream: 'stdout',
      chunk: Buffer.from(text),
    });
  }

  runFinished(status: Exclude<RunStatus, 'running'>, failure: { stage: string; reason: string } | null = null): this {
    return this.push({ type: 'run.finished', status, durationMs: this.ms - Date.parse(this.events[0]?.time ?? ''), failure, signal: null });
  }

  /** The document the one reducer folds from these events. */
  doc(): StateDocument {
    return foldEvents(this.events);
  }
}

/** The document the one reducer folds from events that start with `run.started`. */
export function foldEvents(events: readonly RolloutEvent[]): StateDocument {
  const [first, ...rest] = events;
  if (first?.type !== 'run.started') throw new Error('a run starts with run.started');
  const doc = initialState(first);
  for (const event of rest) applyEvent(doc, event);
  return doc;
}

function ok(durationMs: number) {
  return { exitCode: 0, signal: null, timedOut: false, durationMs };
}

/** A check as `soak.started` announces it: failing once decides (failureThreshold 1). */
function check(name: string): SoakCheck {
  return soakCheck(name, { failureThreshold: 1 });
}

/** `count` target names `prefix-1` … in batches of the given sizes (the last size repeats). */
export function fleetOf(count: number, sizes: number[], prefix = 'web'): string[][] {
  const batches: string[][] = [];
  for (let n = 1, i = 0; n <= count; i++) {
    const size = sizes[Math.min(i, sizes.length - 1)] ?? count;
    const batch: string[] = [];
    for (let k = 0; k < size && n <= count; k++) batch.push(`${prefix}-${n++}`);
    batches.push(batch);
  }
  return batches;
}

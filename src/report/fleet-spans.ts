import type { Bar, Span } from './model.js';
import type { LogRecord } from './records.js';

/**
 * When each target's deploy, verify, checks and rollback ran, and each batch and bake, from the
 * event log: the document (the fold) says where each target ended up, not when each step ran.
 * Keys are `<stage index>\0<target>` and `<stage index>\0<batch>`.
 */
export class FleetSpans {
  private readonly byTarget = new Map<string, Span[]>();
  private readonly open = new Map<string, Span>();
  private readonly bakes = new Map<string, Span>();
  private readonly budgets = new Map<string, number | null>();
  private readonly batchBars: Bar[] = [];
  private readonly openBatch = new Map<number, Bar>();
  /** Fleet stages the run's rollback is undoing (by index), with the one bar their targets' rollbacks make and how many still run. */
  private readonly undoing = new Map<number, { bar: Bar | null; running: number }>();

  constructor(private readonly stages: string[]) {}

  /** Takes a record about a target or a batch; anything else is left alone. */
  take(record: LogRecord, at: number): void {
    const r = record as LogRecord & { index?: number | null; target?: unknown };
    if (record.type === 'rollback.started') {
      for (const name of record.stages) if (this.stages.includes(name)) this.undoing.set(this.stages.indexOf(name), { bar: null, running: 0 });
      return;
    }
    if (typeof r.index !== 'number') return;
    const index = r.index;
    const key = typeof r.target === 'string' ? `${index}\0${r.target}` : null;
    switch (record.type) {
      case 'deploy.started':
        if (key) this.start(key, 'deploy', at);
        break;
      case 'deploy.finished':
        if (key) this.finish(key, 'deploy', at, record.exitCode === 0 && !record.timedOut);
        break;
      case 'verify.finished':
        // Its start is not an event of its own: the command's duration says it.
        this.add(`${record.index}\0${record.target}`, { kind: 'verify', start: at - record.durationMs, end: at, state: record.ok ? 'ok' : 'failed' });
        break;
      case 'soak.started':
        if (key) this.start(key, 'soak', at);
        break;
      case 'target.passed':
      case 'target.failed': {
        const ok = record.type === 'target.passed';
        for (const kind of ['deploy', 'soak'] as const) this.finish(`${record.index}\0${record.target}`, kind, at, ok);
        break;
      }
      case 'rollback.step.started':
        if (key) this.start(key, 'rollback', at);
        if (key) this.undoStarted(index, at);
        break;
      case 'rollback.step.finished': {
        const ok = record.exitCode === 0 && !record.timedOut && record.error === undefined;
        if (key) this.finish(key, 'rollback', at, ok);
        if (key) this.undoFinished(index, at, ok);
        break;
      }
      case 'batch.started':
        this.closeBatch(record.index, at, true);
        this.openBatch.set(record.index, {
          lane: record.index,
          kind: 'batch',
          start: at,
          end: at,
          state: 'open',
          label: `batch ${record.batch}/${record.batches}`,
        });
        this.batchBars.push(this.openBatch.get(record.index)!);
        break;
      case 'batch.baking': {
        this.closeBatch(record.index, at, true);
        const bake: Span = { kind: 'bake', start: at, end: at, state: 'open' };
        this.bakes.set(`${record.index}\0${record.batch}`, bake);
        this.batchBars.push({ lane: record.index, kind: 'bake', start: at, end: at, state: 'open', label: `bake ${record.batch}` });
        break;
      }
      case 'batch.finished': {
        this.closeBatch(record.index, at, true);
        this.budgets.set(`${record.index}\0${record.batch}`, record.budgetLeft);
        const bake = this.bakes.get(`${record.index}\0${record.batch}`);
        if (bake?.state === 'open') Object.assign(bake, { end: at, state: 'ok' });
        const bar = this.batchBars.findLast((b) => b.lane === record.index && b.kind === 'bake' && b.state === 'open');
        if (bar) Object.assign(bar, { end: at, state: 'ok' });
        break;
      }
      case 'stage.passed':
      case 'stage.failed':
        this.closeBatch(record.index, at, record.type === 'stage.passed');
        for (const bar of this.batchBars)
          if (bar.lane === record.index && bar.state === 'open') Object.assign(bar, { end: at, state: record.type === 'stage.passed' ? 'ok' : 'failed' });
        break;
    }
  }

  /** What is still open ran until the record ends. */
  end(at: number): void {
    for (const undo of this.undoing.values()) if (undo.bar && undo.running > 0) Object.assign(undo.bar, { end: at, state: 'open' });
    for (const span of this.open.values()) span.end = at;
    this.open.clear();
    for (const span of this.bakes.values()) if (span.state === 'open') span.end = at;
    for (const bar of this.batchBars) if (bar.state === 'open') bar.end = at;
  }

  spansOf(index: number, target: string): Span[] | undefined {
    return this.byTarget.get(`${index}\0${target}`);
  }

  bakeOf(index: number, batch: number): Span | null {
    return this.bakes.get(`${index}\0${batch}`) ?? null;
  }

  /** Failures still tolerated after the batch, as `batch.finished` said (null: no limit, or not finished). */
  budgetOf(index: number, batch: number): number | null {
    return this.budgets.get(`${index}\0${batch}`) ?? null;
  }

  /** The fleet stages' batches, bakes and whole-stage rollbacks, for their lanes on the run's timeline. */
  stageBars(): Bar[] {
    return this.batchBars;
  }

  /** The run's rollback undoing a fleet stage target by target: one rollback bar on the stage's lane, from the first to the last. */
  private undoStarted(index: number, at: number): void {
    const undo = this.undoing.get(index);
    if (!undo) return; // a failed target's own rollback: its lane shows it
    undo.running++;
    if (undo.bar) return;
    undo.bar = { lane: index, kind: 'rollback', start: at, end: at, state: 'ok', label: 'rollback' };
    this.batchBars.push(undo.bar);
  }

  private undoFinished(index: number, at: number, ok: boolean): void {
    const undo = this.undoing.get(index);
    if (!undo?.bar) return;
    undo.running = Math.max(0, undo.running - 1);
    undo.bar.end = Math.max(undo.bar.end, at);
    if (!ok) undo.bar.state = 'failed';
  }

  private start(key: string, kind: Span['kind'], at: number): void {
    const span: Span = { kind, start: at, end: at, state: 'open' };
    this.add(key, span);
    this.open.set(`${key}\0${kind}`, span);
  }

  private finish(key: string, kind: Span['kind'], at: number, ok: boolean): void {
    const span = this.open.get(`${key}\0${kind}`);
    this.open.delete(`${key}\0${kind}`);
    if (span) Object.assign(span, { end: at, state: ok ? 'ok' : 'failed' });
  }

  private add(key: string, span: Span): void {
    const spans = this.byTarget.get(key);
    if (spans) spans.push(span);
    else this.byTarget.set(key, [span]);
  }

  private closeBatch(index: number, at: number, ok: boolean): void {
    const bar = this.openBatch.get(index);
    this.openBatch.delete(index);
    if (bar) Object.assign(bar, { end: at, state: ok ? 'ok' : 'failed' });
  }
}

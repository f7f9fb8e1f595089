import type { ChalkInstance } from 'chalk';
import type { RolloutEvent } from '../engine/events.js';
import { isInFlight, isTargetDeployed } from '../run/targets.js';
import type { StageState, StateDocument, TargetState } from '../state/document.js';
import { escapeControl } from './escape-control.js';
import { batchLine, nameList, targetsOfBatch } from './fleet-progress.js';

/**
 * What a log says about fleet stages, so that 500 targets stay readable at 3 a.m.: every failure
 * on its own line (a failed deploy, verify or check, the target's own rollback) followed by its
 * batch's progress; successes only counted, in a progress line when a batch is done, and in the
 * heartbeat (plain) or the live bar (terminal) while it runs. A run's rollback of a fleet stage
 * says its failures and, once the stage is undone, one line with the counts. `--verbose` prints
 * every target's every step.
 *
 * Counts come from the run's document (the one fold, which the state store has applied before a
 * reporter sees the event); without one (a reporter nobody follows the store for) the events'
 * own lines stand.
 */
export class FleetLog {
  /** Fleet stages as the events named them, for when there is no document to ask. */
  private readonly fleets = new Set<string>();
  /** The batch being deployed (its bake not begun): what the heartbeat and the live bar show. */
  underWay: { stage: string; batch: number } | null = null;
  /** The run's rollback has started: a target's step in it is counted, not listed. */
  private undoing = false;
  /** Fleet stages the run's rollback undoes, whose end is not said yet. */
  private readonly undone = new Set<string>();
  /** Each fleet stage's per-target checks' failure thresholds (`stage\0check`), for their failed-poll lines. */
  private readonly thresholds = new Map<string, number>();

  constructor(private readonly verbose: boolean) {}

  isFleet(stage: string | null, doc: StateDocument | null): boolean {
    if (stage === null) return false;
    const recorded = doc?.stages.find((s) => s.name === stage);
    return recorded ? recorded.targets !== undefined : this.fleets.has(stage);
  }

  /** Learns from an event, before it is shown (`doc`: the document with the event folded in). */
  see(event: RolloutEvent, doc: StateDocument | null): void {
    switch (event.type) {
      case 'run.started':
        for (const stage of Object.keys(event.targets ?? {})) this.fleets.add(stage);
        break;
      case 'run.resumed': {
        // Picked up by a later process mid-batch, or mid-undo: what is under way is read from the document.
        const stage = event.mode === 'forward' ? doc?.stages.find((s) => s.fleet && s.status === 'deploying' && s.fleet.batch > s.fleet.finished) : undefined;
        if (stage?.fleet) this.underWay = { stage: stage.name, batch: stage.fleet.batch };
        if (event.mode === 'rollback') {
          this.undoing = true;
          for (const s of doc?.stages ?? []) if (s.targets && s.status === 'rolling_back') this.undone.add(s.name);
        }
        break;
      }
      case 'batch.started':
        this.fleets.add(event.stage);
        this.underWay = { stage: event.stage, batch: event.batch };
        break;
      case 'soak.started':
        if (event.target !== undefined) for (const check of event.checks) this.thresholds.set(`${event.stage}\0${check.name}`, check.failureThreshold);
        break;
      case 'batch.baking':
      case 'batch.finished':
      case 'stage.passed':
      case 'stage.failed':
        this.underWay = null;
        break;
      case 'rollback.started':
        this.undoing = true;
        this.underWay = null;
        for (const stage of event.stages) if (this.isFleet(stage, doc)) this.undone.add(stage);
        break;
      case 'rollback.finished':
        this.undone.clear();
        break;
      case 'run.finished':
        this.underWay = null;
        this.undone.clear();
        break;
    }
  }

  threshold(stage: string, check: string): number | undefined {
    return this.thresholds.get(`${stage}\0${check}`);
  }

  /** Whether the event's own line is printed: a target's routine steps are not (but with --verbose), what went wrong is. */
  shows(event: RolloutEvent, doc: StateDocument | null): boolean {
    if (this.verbose) return true;
    switch (event.type) {
      case 'target.started':
      case 'target.passed':
        return false;
      case 'deploy.started':
      case 'soak.started':
      case 'rollback.step.started':
        return event.target === undefined;
      case 'deploy.finished':
        return event.target === undefined || !succeeded(event);
      case 'verify.finished':
        return !event.ok;
      case 'rollback.step.finished':
        // A failed target's own rollback is part of its failure's story; the run's undo of a whole stage is counted.
        return event.target === undefined || !succeeded(event) || !this.undoing;
      case 'rollback.step.skipped':
        return event.target === undefined || !this.undoing;
      case 'batch.finished':
        return doc === null; // the document's line says more (see `after`)
      default:
        return true;
    }
  }

  /** Lines to print after the event's own (nothing without a document): a batch's progress, a stage's undo. */
  after(event: RolloutEvent, doc: StateDocument | null, c: ChalkInstance): string[] {
    const stage = doc && 'stage' in event && event.stage !== null ? doc.stages.find((s) => s.name === event.stage) : undefined;
    if (!stage?.targets) return [];
    const name = c.bold.cyan(escapeControl(stage.name));
    switch (event.type) {
      case 'target.failed': {
        const batch = stage.targets.find((t) => t.name === event.target)?.batch;
        return batch === undefined ? [] : [`${name} ${batchLine(stage, batch)}`];
      }
      case 'batch.finished':
        return [
          `${name} ${batchLine(stage, event.batch, { done: true, budgetLeft: event.budgetLeft, ...(event.tolerated === undefined ? {} : { tolerated: event.tolerated }) })}`,
        ];
      case 'rollback.step.finished':
      case 'rollback.step.skipped':
        return this.undone.has(stage.name) && stage.status !== 'rolling_back' ? this.stageUndone(stage, name, c) : [];
      default:
        return [];
    }
  }

  /** A batch is being deployed, or a fleet stage undone: the heartbeat (or the live bar) has something to say. */
  get live(): boolean {
    return this.underWay !== null || this.undone.size > 0;
  }

  /** The heartbeat's or the live bar's text while a batch is deployed or a fleet stage undone, or null. */
  liveText(doc: StateDocument | null, c: ChalkInstance): string | null {
    const batch = this.underWay && doc?.stages.find((s) => s.name === this.underWay?.stage);
    if (batch && this.underWay) return `${c.bold.cyan(escapeControl(batch.name))} ${batchLine(batch, this.underWay.batch)}`;
    const undoing = doc?.stages.find((s) => this.undone.has(s.name) && s.status === 'rolling_back');
    if (!undoing?.targets) return null;
    const left = undoing.targets.filter((t) => t.status === 'rolling_back' || isTargetDeployed(t)).length;
    const failed = undoing.targets.filter((t) => t.status === 'rollback_failed').length;
    const rolledBack = undoing.targets.filter((t) => t.status === 'rolled_back').length;
    return `${c.bold.cyan(escapeControl(undoing.name))} rolling back: ${rolledBack} rolled back, ${left - failed} to go${failed > 0 ? `, ${failed} rollback failed` : ''}`;
  }

  /** The targets of the batch under way, or null. */
  batchTargets(doc: StateDocument | null): TargetState[] | null {
    const stage = this.underWay && doc?.stages.find((s) => s.name === this.underWay?.stage);
    return stage && this.underWay ? targetsOfBatch(stage, this.underWay.batch) : null;
  }

  /** The targets of the batch under way that are in flight, named (bounded), for the live bar. */
  inFlight(doc: StateDocument | null): string {
    const busy = (this.batchTargets(doc) ?? []).filter(isInFlight);
    return nameList(
      busy.map((t) => escapeControl(t.name)),
      4,
    );
  }

  private stageUndone(stage: StageState, name: string, c: ChalkInstance): string[] {
    this.undone.delete(stage.name);
    const targets = stage.targets ?? [];
    const rolledBack = targets.filter((t) => t.status === 'rolled_back').length;
    const failed = targets.filter((t) => t.status === 'rollback_failed').map((t) => escapeControl(t.name));
    const counts = `${rolledBack} target${rolledBack === 1 ? '' : 's'} rolled back`;
    if (failed.length === 0) return [`${name} undone: ${counts}`];
    return [`${name} ${c.red('✗ not fully undone')}: ${counts}, ${c.red(`${failed.length} rollback failed`)} (${nameList(failed)}): a human must look`];
  }
}

function succeeded(o: { exitCode: number | null; timedOut: boolean; error?: string }): boolean {
  return o.exitCode === 0 && !o.timedOut && o.error === undefined;
}

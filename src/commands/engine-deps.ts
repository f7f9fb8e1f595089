import { randomBytes } from 'node:crypto';
import { createMeasurer } from '../checks/measure.js';
import type { Context } from '../context.js';
import type { EngineDeps } from '../engine/deps.js';
import type { RolloutEvent } from '../engine/events.js';
import { runCommand } from '../exec/run-command.js';
import type { HttpClient } from '../http/client.js';
import type { Reporter } from '../output/reporter.js';
import type { Plan } from '../plan/types.js';
import type { EventLog } from '../report/event-log.js';
import { unitKey } from '../run/unit-key.js';
import type { Redactor } from '../secrets/redact.js';
import { redactEvents } from '../secrets/redact-events.js';
import { machineId, processStart } from '../state/identity.js';
import type { StateStore } from '../state/store.js';

export interface EngineWiring {
  ctx: Context;
  plan: Plan;
  redactor: Redactor;
  reporter: Reporter;
  eventLog: EventLog | null;
  http: HttpClient;
  /** Stops the engine as a cancel does (a signal, a lost lock, a failed state write). */
  signal: AbortSignal;
  hardSignal: AbortSignal;
}

/**
 * The engine's dependencies for one run: commands (their process groups recorded in the state, by
 * unit), measurements, randomness, and one `emit` whose events are redacted first, then folded by
 * the store, logged, heard by `listeners` (webhooks) and shown by the reporter, in that order.
 */
export function engineDeps(wiring: EngineWiring): (runId: string, store: StateStore, listeners?: ((event: RolloutEvent) => void)[]) => EngineDeps {
  const { ctx, plan, redactor, reporter, eventLog, http } = wiring;
  return (runId, store, listeners = []) => ({
    runId,
    clock: ctx.clock,
    env: ctx.env,
    // Each running command's process group goes into the state, under its unit: a later run
    // stops them if we die. Reported by the command itself, not watched globally: with units
    // running at once (or a check's command), a watcher would record another's group.
    exec: async (spec) => {
      const unit = unitKey(spec.unit ?? null);
      const onStart = (pgid: number) => {
        const startTicks = processStart(pgid);
        const machine = machineId();
        if (startTicks && machine) store.recordProcessGroup(unit, { pgid, startTicks, machine, host: ctx.host, command: redactor.text(spec.command) });
      };
      try {
        return await runCommand({ ...spec, onStart });
      } finally {
        store.recordProcessGroup(unit, null);
      }
    },
    measure: createMeasurer(plan, { env: ctx.env, exec: runCommand, runId, clock: ctx.clock, http }),
    // Redacted before anything sees them: the store, webhooks and the reporter get no secret.
    emit: redactEvents(
      redactor,
      (event: RolloutEvent) => {
        const recorded = store.handle(event);
        eventLog?.append(event);
        for (const listener of listeners) listener(event);
        const shown = reporter.handle(event);
        return recorded && shown ? Promise.all([recorded, shown]).then(() => undefined) : (recorded ?? shown);
      },
      // Under GitHub Actions, a deploy's own ::add-mask:: is honoured (redacted here, re-emitted there).
      reporter.addMask ? (escaped) => reporter.addMask?.(escaped) : undefined,
    ),
    signal: wiring.signal,
    hardSignal: wiring.hardSignal,
    randomHex: (bytes) => randomBytes(bytes).toString('hex'),
  });
}

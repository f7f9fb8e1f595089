import type { Emit, RolloutEvent } from '../engine/events.js';
import type { Reporter } from '../output/reporter.js';
import { type Redactor, StreamRedactor } from './redact.js';

/**
 * Wraps the engine's listener so the state store and the reporter only ever see redacted events.
 * Command output is redacted as a stream per (stage, phase, stream): a held-back tail catches a
 * secret split across chunks, and is released before the next non-output event (a command's
 * output always arrives before its `finished` event).
 */
export function redactEvents(redactor: Redactor, emit: Emit): Emit {
  if (!redactor.active) return emit;
  const streams = new Map<string, { redactor: StreamRedactor; event: RolloutEvent & { type: 'command.output' } }>();
  // Synchronous, so events keep their order; the held tail is tiny, so backpressure can wait.
  const flush = () => {
    for (const [key, pending] of streams) {
      streams.delete(key);
      const rest = pending.redactor.end();
      if (rest.length > 0) void emit({ ...pending.event, chunk: rest });
    }
  };
  return (event) => {
    if (event.type === 'command.output') {
      const key = `${event.stage}\0${event.phase}\0${event.stream}`;
      let pending = streams.get(key);
      if (!pending) {
        pending = { redactor: new StreamRedactor(redactor), event };
        streams.set(key, pending);
      }
      pending.event = event;
      const chunk = pending.redactor.push(event.chunk);
      return chunk.length > 0 ? emit({ ...event, chunk }) : undefined;
    }
    flush();
    return emit(redactor.deep(event));
  };
}

/** A reporter whose warnings are redacted too (they may quote commands or paths). */
export function redactWarnings(redactor: Redactor, reporter: Reporter): (message: string) => void {
  return (message) => reporter.warn(redactor.text(message));
}

/** Redacts an error's message in place, keeping its class and exit code, and returns it. */
export function redactError(redactor: Redactor, error: unknown): unknown {
  if (error instanceof Error && redactor.active) {
    error.message = redactor.text(error.message);
    if (error.stack) error.stack = redactor.text(error.stack);
  }
  return error;
}

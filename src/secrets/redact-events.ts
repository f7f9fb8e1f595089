import type { Emit, RolloutEvent } from '../engine/events.js';
import { eventUnit, unitKey } from '../run/unit-key.js';
import { MaskCommandReader, type OutputPiece, unescapeMaskValue } from './mask-commands.js';
import { type Redactor, StreamRedactor } from './redact.js';

/**
 * Wraps the engine's listener so the state store and the reporter only ever see redacted events.
 * Command output is redacted as a stream per (unit, phase, stream) (src/run/unit-key.ts): a
 * held-back tail catches a secret split across chunks, and is released before the next non-output
 * event about the same unit (a command's output always arrives before its `finished` event). Other
 * units' tails stay held: their commands may still be running, and releasing the first half of a
 * secret they are printing would leak it. Only what cannot be part of a secret is released early
 * (StreamRedactor does that chunk by chunk). `run.finished` releases everything: no command runs
 * after it.
 *
 * With `onMask` (under GitHub Actions), a command's own `::add-mask::VALUE` lines are honoured:
 * the value is redacted from then on, that line included, and `onMask` re-emits the command
 * where the runner acts on it (our relay of the line is prefixed and inside paused commands).
 */
export function redactEvents(redactor: Redactor, emit: Emit, onMask?: (escaped: string) => void): Emit {
  if (!redactor.active && !onMask) return emit;
  type Pending = { unit: string; redactor: StreamRedactor; masks: MaskCommandReader | null; event: RolloutEvent & { type: 'command.output' } };
  const streams = new Map<string, Pending>();
  const relay = (pending: Pending, pieces: OutputPiece[]): ReturnType<Emit>[] =>
    pieces.map((piece) => {
      if (piece.mask !== undefined) {
        const value = unescapeMaskValue(piece.mask);
        if (value.trim() !== '') {
          redactor.add(value);
          onMask?.(piece.mask);
        }
      }
      const chunk = pending.redactor.push(piece.text);
      return chunk.length > 0 ? emit({ ...pending.event, chunk }) : undefined;
    });
  // Synchronous, so events keep their order; the held tail is tiny, so backpressure can wait.
  const flush = (unit: string | null) => {
    for (const [key, pending] of streams) {
      if (unit !== null && pending.unit !== unit) continue;
      streams.delete(key);
      if (pending.masks) relay(pending, pending.masks.end());
      const rest = pending.redactor.end();
      if (rest.length > 0) void emit({ ...pending.event, chunk: rest });
    }
  };
  return (event) => {
    if (event.type === 'command.output') {
      const unit = unitKey(eventUnit(event));
      const key = `${unit}\0${event.phase}\0${event.stream}`;
      let pending = streams.get(key);
      if (!pending) {
        pending = { unit, redactor: new StreamRedactor(redactor), masks: onMask ? new MaskCommandReader() : null, event };
        streams.set(key, pending);
      }
      pending.event = event;
      const pieces = pending.masks
        ? pending.masks.push(event.chunk)
        : [{ text: Buffer.from(event.chunk.buffer, event.chunk.byteOffset, event.chunk.byteLength) }];
      const waits = relay(pending, pieces).filter((wait) => wait !== undefined);
      return waits.length === 0 ? undefined : waits.length === 1 ? waits[0] : Promise.all(waits).then(() => undefined);
    }
    flush(event.type === 'run.finished' ? null : unitKey(eventUnit(event)));
    return emit(redactor.deep(event));
  };
}

/** Redacts an error's message in place, keeping its class and exit code, and returns it. */
export function redactError(redactor: Redactor, error: unknown): unknown {
  if (error instanceof Error && redactor.active) {
    error.message = redactor.text(error.message);
    if (error.stack) error.stack = redactor.text(error.stack);
  }
  return error;
}

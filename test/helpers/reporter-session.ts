import { PassThrough } from 'node:stream';
import { Chalk } from 'chalk';
import type { RolloutEvent } from '../../src/engine/events.js';
import type { Reporter } from '../../src/output/reporter.js';
import type { Terminal } from '../../src/output/terminal.js';
import { applyEvent, initialState } from '../../src/run/reduce.js';
import type { StateDocument } from '../../src/state/document.js';

/** A reporter's clock that never moves (elapsed times come from the events). */
export const stillClock = { now: () => 0, sleep: async () => undefined };

/** A terminal whose stderr is kept as text, without colour; a TTY outside CI with `tty`. */
export function captureTerminal(options: { tty?: boolean } = {}): Terminal & { err: PassThrough; text: () => string } {
  const err = new PassThrough();
  let text = '';
  err.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const tty = options.tty ?? false;
  return { out: new PassThrough(), err, isTTY: tty, isCI: !tty, color: new Chalk({ level: 0 }), text: () => text };
}

/**
 * Events to a reporter as a session wires them: the state store folds each event first (one
 * reducer), and the reporter follows its document. `doc`: the document a later process reads back
 * (a resume, a rollback); else the first `run.started` starts one. Returns a feeder for more events.
 */
export function followSession(reporter: Reporter, doc: StateDocument | null = null): (events: RolloutEvent[]) => Promise<void> {
  let current = doc;
  reporter.follow?.(() => current);
  return async (events) => {
    for (const event of events) {
      if (event.type === 'run.started') current = initialState(event);
      else if (current) applyEvent(current, event);
      await reporter.handle(event);
    }
    await new Promise((resolve) => setImmediate(resolve)); // a PassThrough delivers 'data' on the next tick
  };
}

/** All the events, then close; `follow: false` for a reporter nobody gives a document. */
export async function feedAll(reporter: Reporter, events: RolloutEvent[], follow = true): Promise<void> {
  if (follow) await followSession(reporter)(events);
  else for (const event of events) await reporter.handle(event);
  reporter.close();
  await new Promise((resolve) => setImmediate(resolve));
}

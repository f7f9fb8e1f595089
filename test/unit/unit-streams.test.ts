import { PassThrough, Writable } from 'node:stream';
import { Chalk } from 'chalk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommandOutput, RolloutEvent } from '../../src/engine/events.js';
import { PlainReporter } from '../../src/output/plain-reporter.js';
import { QuietReporter } from '../../src/output/quiet-reporter.js';
import { eventUnit, unitKey, unitLabel } from '../../src/run/unit-key.js';
import { MASK, Redactor } from '../../src/secrets/redact.js';
import { redactEvents } from '../../src/secrets/redact-events.js';

/** Issue 16 item 5: commands of several units running at once, their output redacted and prefixed per unit. */

const time = '2026-12-04T10:00:00.000Z';
const output = (stage: string | null, chunk: string, extra: Record<string, unknown> = {}): CommandOutput =>
  ({ type: 'command.output', time, runId: 'r', stage, phase: 'deploy', stream: 'stdout', chunk: Buffer.from(chunk), ...extra }) as CommandOutput;
const finished = (stage: string): RolloutEvent => ({
  type: 'deploy.finished',
  time,
  runId: 'r',
  stage,
  index: 0,
  exitCode: 0,
  signal: null,
  timedOut: false,
  durationMs: 1,
});
const runFinished: RolloutEvent = { type: 'run.finished', time, runId: 'r', status: 'succeeded', durationMs: 1, failure: null, signal: null };
const rollbackStarted: RolloutEvent = { type: 'rollback.started', time, runId: 'r', scope: 'stages', stages: [] };

describe('unit identity', () => {
  it('keys a unit by its stage, or stage/target, never two units alike', () => {
    expect(unitKey({ stage: 'canary' })).toBe('canary');
    expect(unitKey({ stage: 'canary', target: 'web-1' })).toBe('canary/web-1');
    expect(unitKey({ stage: 'a/b' })).not.toBe(unitKey({ stage: 'a', target: 'b' }));
    expect(unitKey({ stage: 'a%2Fb' })).not.toBe(unitKey({ stage: 'a/b' }));
    expect(unitKey(null)).toBe('');
    expect(unitLabel({ stage: 'canary', target: 'web-1' })).toBe('canary | web-1');
    expect(unitLabel(null)).toBe('rollback');
  });

  it('reads the unit from an event, and none from what is about the whole run', () => {
    expect(eventUnit(finished('canary'))).toEqual({ stage: 'canary' });
    expect(eventUnit(output('canary', 'x', { target: 'web-1' }))).toEqual({ stage: 'canary', target: 'web-1' });
    expect(eventUnit(output(null, 'x'))).toBeNull();
    expect(eventUnit(runFinished)).toBeNull();
    expect(eventUnit({ type: 'run.resumed', time, runId: 'r', mode: 'forward', stage: 'canary' })).toBeNull();
  });
});

/** Two units' writes, each a list of chunks ending with the unit's `finished` event, merged in a random order. */
const SECRETS = { a: 'QWERTYUIOPAS', b: 'ZXCVBNMLKJHG' } as const;
// Filler shares no byte with either secret: any secret byte in the output is a leak.
const filler = fc.array(fc.constantFrom('x', 'y', '-', ' ', '\n', 'z0'), { maxLength: 6 }).map((parts) => parts.join(''));
const unitText = (secret: string) => fc.array(fc.oneof(filler, fc.constant(secret)), { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));
const cuts = fc.array(fc.nat(), { maxLength: 8 });

function split(text: string, at: number[]): string[] {
  const points = [...new Set(at.map((cut) => cut % (text.length + 1)))].sort((x, y) => x - y);
  const bounds = [0, ...points, text.length];
  return bounds.slice(1).map((end, index) => text.slice(bounds[index], end));
}

/** Merges two sequences keeping each one's order; `picks` says which goes next. */
function interleave<T>(first: T[], second: T[], picks: boolean[]): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  for (let k = 0; i < first.length || j < second.length; k++) {
    const takeFirst = j >= second.length || (i < first.length && (picks[k % Math.max(1, picks.length)] ?? true));
    out.push(takeFirst ? (first[i++] as T) : (second[j++] as T));
  }
  return out;
}

describe('redaction of units running at once', () => {
  it('no byte of either secret reaches the listener, and every other byte arrives in order per unit', () => {
    fc.assert(
      fc.property(
        unitText(SECRETS.a),
        unitText(SECRETS.b),
        cuts,
        cuts,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
        fc.boolean(),
        (textA, textB, cutsA, cutsB, picks, honourMasks) => {
          const redactor = new Redactor(Object.values(SECRETS));
          const seen: RolloutEvent[] = [];
          const emit = redactEvents(redactor, (event) => void seen.push(event), honourMasks ? () => undefined : undefined);
          const events = (stage: string, text: string, at: number[]): RolloutEvent[] => [
            ...split(text, at).map((chunk) => output(stage, chunk)),
            finished(stage),
          ];
          // A run-level event may come between any two (a rollback starting), and the run's end last.
          const merged = interleave(events('a', textA, cutsA), events('b', textB, cutsB), picks);
          merged.splice(picks.length % (merged.length + 1), 0, rollbackStarted);
          for (const event of [...merged, runFinished]) void emit(event);

          const printed = (stage: string) =>
            Buffer.concat(seen.flatMap((event) => (event.type === 'command.output' && event.stage === stage ? [Buffer.from(event.chunk)] : []))).toString();
          const secretBytes = new Set([...SECRETS.a, ...SECRETS.b]);
          for (const [stage, text, secret] of [['a', textA, SECRETS.a] as const, ['b', textB, SECRETS.b] as const]) {
            const shown = printed(stage);
            expect([...shown].filter((char) => secretBytes.has(char))).toEqual([]);
            expect(shown).toBe(text.replaceAll(secret, MASK));
          }
          // Each unit's output reaches the listener before its `finished` event.
          for (const stage of ['a', 'b']) {
            const end = seen.findIndex((event) => event.type === 'deploy.finished' && event.stage === stage);
            expect(seen.findLastIndex((event) => event.type === 'command.output' && event.stage === stage)).toBeLessThan(end);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("keeps a unit's half-printed secret held when another unit finishes", () => {
    const redactor = new Redactor([SECRETS.a]);
    const seen: string[] = [];
    const emit = redactEvents(redactor, (event) => void seen.push(event.type === 'command.output' ? `${event.stage}:${Buffer.from(event.chunk)}` : event.type));
    void emit(output('a', 'token=QWERTY'));
    void emit(output('b', 'done\n'));
    void emit(finished('b'));
    void emit(output('a', 'UIOPAS\n'));
    void emit(finished('a'));
    expect(seen).toEqual(['a:token=', 'b:done\n', 'deploy.finished', `a:${MASK}\n`, 'deploy.finished']);
  });
});

function capture(): { term: ConstructorParameters<typeof PlainReporter>[0]['term']; text: () => string } {
  let text = '';
  const err = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += String(chunk);
      callback();
    },
  });
  return { term: { out: new PassThrough(), err, isTTY: false, isCI: true, color: new Chalk({ level: 0 }) }, text: () => text };
}
const clock = { now: () => 0, sleep: async () => undefined };

describe('output prefixes of units running at once', () => {
  it('never glues partial lines of two units together, and keeps each unit’s bytes in order', () => {
    // Each unit prints its own letters: a line holding the other's is a glued line.
    const text = (letter: string) => fc.array(fc.constantFrom(letter, `${letter}${letter}`, '\n'), { maxLength: 30 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text('x'), text('y'), cuts, cuts, fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }), (textA, textB, cutsA, cutsB, picks) => {
        const { term, text: printed } = capture();
        const reporter = new PlainReporter({ term, clock });
        const chunks = (stage: string, whole: string, at: number[], extra = {}) => split(whole, at).map((chunk) => output(stage, chunk, extra));
        for (const event of interleave(chunks('a', textA, cutsA), chunks('a', textB, cutsB, { target: 'web-1' }), picks)) void reporter.handle(event);
        reporter.close();
        const lines = printed().split('\n');
        expect(lines.pop()).toBe('');
        const of = (prefix: string) => lines.filter((line) => line.startsWith(prefix)).map((line) => line.slice(prefix.length));
        const linesA = of('a | ').filter((line) => !line.startsWith('web-1 | '));
        const linesB = of('a | web-1 | ');
        expect(linesA.length + linesB.length).toBe(lines.length);
        expect(linesA.join('')).toMatch(/^x*$/);
        expect(linesB.join('')).toMatch(/^y*$/);
        // Every byte is there, in order; a line may be ended early, never joined with another unit's.
        expect(linesA.join('')).toBe(textA.replaceAll('\n', ''));
        expect(linesB.join('')).toBe(textB.replaceAll('\n', ''));
        expect(linesA.length).toBeGreaterThanOrEqual(textA.split('\n').length - (textA.endsWith('\n') || textA === '' ? 1 : 0));
      }),
      { numRuns: 1000 },
    );
  });

  it('starts a new prefixed line when another unit interrupts a half-written one', () => {
    const { term, text } = capture();
    const reporter = new PlainReporter({ term, clock });
    void reporter.handle(output('canary', 'hello '));
    void reporter.handle(output('half', 'other\n'));
    void reporter.handle(output('canary', 'world\n'));
    reporter.close();
    expect(text()).toBe('canary | hello \nhalf | other\ncanary | world\n');
  });

  it('--quiet replays the failed command’s own output, not another unit’s', () => {
    const { term, text } = capture();
    const reporter = new QuietReporter({ term, clock });
    const started = (stage: string): RolloutEvent => ({ type: 'deploy.started', time, runId: 'r', stage, index: 0, command: 'deploy' });
    void reporter.handle(started('canary'));
    void reporter.handle(output('canary', 'canary says\n'));
    void reporter.handle(started('half'));
    void reporter.handle(output('half', 'half says\n'));
    void reporter.handle({ ...(finished('canary') as object), exitCode: 1 } as RolloutEvent);
    void reporter.handle(finished('half'));
    reporter.close();
    expect(text()).toContain('canary | canary says\n');
    expect(text()).not.toContain('half says');
  });
});

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { askAtGate, parseGateAnswer } from '../../src/prompt/gate-prompt.js';

function io() {
  const input = new PassThrough();
  const output = new PassThrough();
  let written = '';
  output.on('data', (chunk: Buffer) => {
    written += chunk.toString();
  });
  return { input, output, written: () => written };
}

describe('the promote / abort / wait question at a gate', () => {
  it.each([
    ['p', 'promote'],
    ['promote', 'promote'],
    ['  PROMOTE ', 'promote'],
    ['a', 'abort'],
    ['Abort', 'abort'],
    ['w', 'wait'],
    ['wait', 'wait'],
    ['', null],
    ['yes', null],
    ['pa', null],
  ] as const)('%j means %s', (line, answer) => {
    expect(parseGateAnswer(line)).toBe(answer);
  });

  it('shows the evidence, re-asks on anything else, and takes the first answer', async () => {
    const t = io();
    const answer = askAtGate(t, 'Waiting at gate canary-1 after canary (approval): look');
    t.input.write('maybe\n');
    t.input.write('\n');
    t.input.write('a\n');
    expect(await answer).toBe('abort');
    expect(t.written()).toContain('Waiting at gate canary-1 after canary (approval): look');
    expect(t.written().match(/Promote, abort or wait\? \[p\/a\/w\]/g)).toHaveLength(3);
    expect(t.written()).toContain('Please type p (promote), a (abort) or w (wait');
  });

  it('an answer split across chunks is one line', async () => {
    const t = io();
    const answer = askAtGate(t, 'evidence');
    t.input.write('pro');
    t.input.write('mote\n');
    expect(await answer).toBe('promote');
  });

  it('the end of input means wait', async () => {
    const t = io();
    const answer = askAtGate(t, 'evidence');
    t.input.end('nonsense\n');
    expect(await answer).toBe('wait');
  });

  it('an interrupt (Ctrl-C) means wait, and an interrupt already seen asks nothing', async () => {
    const t = io();
    const interrupt = new AbortController();
    const answer = askAtGate({ ...t, signal: interrupt.signal }, 'evidence');
    interrupt.abort('SIGINT');
    expect(await answer).toBe('wait');

    const quiet = io();
    expect(await askAtGate({ ...quiet, signal: interrupt.signal }, 'evidence')).toBe('wait');
    expect(quiet.written()).toBe('');
  });
});

import { createInterface } from 'node:readline';

export type GateAnswer = 'promote' | 'abort' | 'wait';

export interface PromptIO {
  /** Where the answer is typed (stdin at a terminal; any stream in tests). */
  input: NodeJS.ReadableStream;
  /** Where the question goes. */
  output: NodeJS.WritableStream;
  /** Ctrl-C (the process's SIGINT) answers "wait". */
  signal?: AbortSignal;
}

const ANSWERS: Record<string, GateAnswer> = { p: 'promote', promote: 'promote', a: 'abort', abort: 'abort', w: 'wait', wait: 'wait' };

/** The typed answer a line means, or null for anything else (asked again). */
export function parseGateAnswer(line: string): GateAnswer | null {
  return ANSWERS[line.trim().toLowerCase()] ?? null;
}

/**
 * Shows a gate's evidence and asks promote / abort / wait until a line says one of them. The end of
 * input (EOF, a closed terminal) and an interrupt mean "wait": the run stays paused, as without a
 * terminal. Reads lines with the terminal in its normal mode, so the terminal echoes and Ctrl-C
 * stays a signal.
 */
export function askAtGate(io: PromptIO, evidence: string): Promise<GateAnswer> {
  const { input, output, signal } = io;
  if (signal?.aborted) return Promise.resolve('wait');
  const question = 'Promote, abort or wait? [p/a/w] ';
  output.write(`\n${evidence}\n${question}`);
  const lines = createInterface({ input, terminal: false });
  return new Promise<GateAnswer>((resolve) => {
    let answered = false;
    const finish = (answer: GateAnswer) => {
      if (answered) return;
      answered = true;
      signal?.removeEventListener('abort', onAbort);
      lines.close();
      resolve(answer);
    };
    const onAbort = () => {
      output.write('\n');
      finish('wait');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    lines.on('line', (line) => {
      const answer = parseGateAnswer(line);
      if (answer) finish(answer);
      else output.write(`Please type p (promote), a (abort) or w (wait, the default on Ctrl-C).\n${question}`);
    });
    lines.on('close', () => finish('wait'));
  });
}

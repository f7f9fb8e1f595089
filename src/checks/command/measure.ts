import type { MeasureContext, Measurement } from '../kind.js';
import { comparisonEnv, judgeComparison } from './compare.js';
import type { CommandCheckSpec } from './index.js';

/** Output kept from a check command: its last line is all that matters, and memory must stay flat. */
const KEEP_BYTES = 4096;
/** A comparing command prints both sides' points on its last line: room for some thousands of them. */
const KEEP_COMPARE_BYTES = 1024 * 1024;

/** Exit 0 = pass, 1 = fail, anything else (other code, signal, timeout, cannot start) = could not measure. */
export async function measureCommand(spec: CommandCheckSpec, ctx: MeasureContext, signal: AbortSignal): Promise<Measurement> {
  const { timeoutMs } = ctx;
  const started = performance.now();
  const stdout = new Tail(spec.compare ? KEEP_COMPARE_BYTES : KEEP_BYTES);
  const stderr = new Tail();
  const result = await ctx.exec({
    command: spec.run,
    cwd: ctx.dir,
    env: { ...ctx.env, ...spec.env, ROLLOUT_PHASE: 'check', ...(spec.compare ? comparisonEnv(ctx) : {}) },
    timeoutMs,
    killGraceMs: ctx.killGraceMs,
    signal,
    onOutput: (stream, chunk) => (stream === 'stdout' ? stdout : stderr).add(chunk),
  });
  const latencyMs = Math.round(performance.now() - started);
  // A failing or erring command's own words are on stderr: its last lines go into the reason.
  const said = stderr.lastLines(STDERR_LINES);
  const error = (message: string): Measurement => ({
    value: null,
    display: message,
    error: { kind: 'command', message: message + stderrTail(said) },
    latencyMs,
  });
  if (result.error !== undefined) return error(`could not start: ${result.error.split('\n')[0]}`);
  if (result.timedOut) return error(`timed out after ${timeoutMs}ms (its process group was killed)`);
  if (result.aborted) return error('cancelled');
  if (result.signal !== null) return error(`killed by ${result.signal}`);
  if (result.exitCode !== 0 && result.exitCode !== 1) return error(`exit ${result.exitCode}`);

  const line = stdout.lastLine();
  // A comparing command reports data; its verdict is the comparison's, so exit 1 is no verdict of its own.
  if (spec.compare) {
    if (result.exitCode !== 0) return error(`exit ${result.exitCode} (a compare: command reports both sides and exits 0)`);
    const judged = judgeComparison(line, spec.compare, ctx, latencyMs);
    return typeof judged === 'string' ? error(judged) : judged;
  }
  const value = parseValue(line);
  const display = line === '' ? `exit ${result.exitCode}` : line.length > 80 ? `${line.slice(0, 80)}…` : line;
  if (result.exitCode === 1) return { value, display, verdict: 'fail', reasonKind: 'exit', reason: `exit 1${lastWords(line)}${stderrTail(said)}`, latencyMs };
  return { value, display, verdict: 'pass', noData: line === '', latencyMs };
}

/** A number, or JSON, or else the text itself; null when the command printed nothing. */
export function parseValue(line: string): unknown {
  if (line === '') return null;
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(line)) return Number(line);
  try {
    return JSON.parse(line);
  } catch {
    return line;
  }
}

/** Lines of stderr quoted in a failing command's reason, each shortened, the whole bounded. */
const STDERR_LINES = 3;

function stderrTail(lines: string[]): string {
  if (lines.length === 0) return '';
  const text = lines.map((l) => (l.length > 160 ? `${l.slice(0, 160)}…` : l)).join(' | ');
  return ` (stderr: ${text})`;
}

function lastWords(line: string): string {
  return line === '' ? '' : `: ${line.length > 160 ? `${line.slice(0, 160)}…` : line}`;
}

/** The last few KiB of a stream, so a chatty command cannot grow memory. */
class Tail {
  private text = '';

  constructor(private readonly keep = KEEP_BYTES) {}

  add(chunk: Uint8Array): void {
    this.text = (this.text + Buffer.from(chunk).toString('utf8')).slice(-this.keep);
  }

  lastLine(): string {
    return this.lastLines(1)[0] ?? '';
  }

  /** The last `n` non-blank lines (the first kept one may be cut, as the tail is bytes). */
  lastLines(n: number): string[] {
    const lines = this.text.split('\n').map((l) => l.trim());
    return lines.filter((l) => l !== '').slice(-n);
  }
}

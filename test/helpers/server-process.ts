import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * A real server the tests start for themselves (Graphite's carbon-cache and web app, InfluxDB): a
 * child process whose output is kept for the error when it dies early, stopped with SIGTERM (then
 * SIGKILL after 10 s) and awaited, so no test leaves one behind.
 */
export interface ServerProcess {
  child: ChildProcess;
  output(): string;
  /** Rejects as soon as the process exits: race it against a readiness wait. */
  exited: Promise<never>;
  stop(): Promise<void>;
}

export function startProcess(name: string, command: string, args: string[], env: Record<string, string> = {}, cwd?: string): ServerProcess {
  let output = '';
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, ...(cwd ? { cwd } : {}) });
  child.stdout?.on('data', (chunk) => {
    output = (output + chunk).slice(-8000);
  });
  child.stderr?.on('data', (chunk) => {
    output = (output + chunk).slice(-8000);
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`${name} could not start (${command}): ${error.message}`)));
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${output.slice(-2000)}`)));
  });
  exited.catch(() => undefined);
  return {
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Polls `probe` until it holds, or fails with `what` after `limitMs`. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, limitMs = 30_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} was not ready within ${limitMs}ms`);
}

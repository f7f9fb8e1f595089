import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binPath } from '../helpers/cli.js';
import { type HealthServer, startHealthServer } from '../helpers/health-server.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/** Runs the CLI inside a real pseudo-terminal (util-linux `script`), optionally sized first. */
async function runInPty(dir: string, size: string | null) {
  const log = path.join(dir, 'typescript.log');
  const command = `${size ? `stty ${size}; ` : ''}'${process.execPath}' '${binPath}' run`;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, TERM: 'xterm-256color' };
  const result = await execa('script', ['-qfec', command, log], { cwd: dir, env, extendEnv: false, reject: false, stdin: 'ignore', timeout: 30_000 });
  return { exitCode: result.exitCode, timedOut: result.timedOut, screen: await readFile(log, 'utf8') };
}

describe('at a terminal', { timeout: 40_000 }, () => {
  let dir: string;
  let server: HealthServer;
  beforeEach(async () => {
    dir = await makeTempDir();
    server = await startHealthServer(200);
    await writePlan(
      dir,
      [
        'stages:',
        '  - name: canary',
        '    deploy: echo hello',
        '    soak: 3s',
        '    health:',
        `      - url: ${server.url('/healthz')}`,
        '        interval: 200ms',
      ].join('\n'),
    );
  });
  afterEach(async () => {
    await server.close();
    await removeTempDir(dir);
  });

  it('shows a spinner with the time left and each check’s last result and latency', async () => {
    const { exitCode, timedOut, screen } = await runInPty(dir, 'cols 120 rows 40');
    expect(timedOut).toBe(false);
    expect(exitCode, screen.slice(0, 2000)).toBe(0);
    expect(screen).toMatch(/canary.*soaking: [\d.]+s left · http:\/\/127\.0\.0\.1:\d+\/healthz .*✓.* HTTP 200 in \d+ms \(\d+ ok, 0 failed\)/);
    expect(screen).toContain('\u001b['); // colour and cursor control on a TTY
    expect(screen).toMatch(/canary.*✓ passed/);
    // Spinner redraws are bounded: a 3 s soak is a few kB of screen updates, not megabytes.
    expect(screen.length).toBeLessThan(200_000);
  });

  it('falls back to plain lines on a terminal that reports no width, instead of looping', async () => {
    const { exitCode, timedOut, screen } = await runInPty(dir, 'cols 0 rows 0');
    expect(timedOut).toBe(false);
    expect(exitCode, screen.slice(0, 2000)).toBe(0);
    expect(screen).not.toMatch(/soaking: .* left/);
    expect(screen).toMatch(/canary.*✓ passed/);
    expect(screen.length).toBeLessThan(20_000);
  });
});

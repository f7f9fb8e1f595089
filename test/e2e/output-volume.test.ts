import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binPath } from '../helpers/cli.js';
import { readState } from '../helpers/state.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/** Peak resident memory (VmHWM) of a live process, in bytes; undefined once it is gone. */
function peakRss(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

describe('deploy output volume', { timeout: 120_000 }, () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it('streams 200 MB of deploy output through, prefixed, with the CLI under 150 MB RSS', async () => {
    const bytes = 200_000_000;
    await writePlan(
      dir,
      ['stages:', '  - name: big', `    deploy: yes "deploy output line 0123456789 abcdefghij" | head -c ${bytes}`, '    soak: 0'].join('\n'),
    );

    const child = spawn(process.execPath, [binPath, 'run'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', CI: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let received = 0;
    let head = '';
    let peak = 0;
    child.stderr.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (head.length < 4096) head += chunk.toString();
    });
    const sampler = setInterval(() => {
      peak = Math.max(peak, peakRss(child.pid as number) ?? 0);
    }, 25);
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(sampler);

    expect(exitCode).toBe(0);
    // Every byte arrived, plus a "big | " prefix per line.
    expect(received).toBeGreaterThan(bytes);
    expect(head).toContain('big | deploy output line 0123456789 abcdefghij\n');
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(150 * 1024 * 1024);
    expect((await readState(path.join(dir, '.rollout/state.json'))).status).toBe('succeeded');
  });

  it('streams one endless line with no newline without holding it in memory', async () => {
    await writePlan(dir, ['stages:', '  - name: oneline', '    deploy: head -c 50000000 /dev/zero | tr "\\0" x', '    soak: 0'].join('\n'));
    const child = spawn(process.execPath, [binPath, 'run'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', CI: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let received = 0;
    let peak = 0;
    child.stderr.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    const sampler = setInterval(() => {
      peak = Math.max(peak, peakRss(child.pid as number) ?? 0);
    }, 25);
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(sampler);
    expect(exitCode).toBe(0);
    expect(received).toBeGreaterThan(50_000_000);
    expect(peak).toBeLessThan(150 * 1024 * 1024);
  });
});

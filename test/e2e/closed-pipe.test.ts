import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { binPath, describeResult, repoRoot, runCli, STACK_TRACE } from '../helpers/cli.js';
import { defaultStatePath, lockPath, readState } from '../helpers/state.js';
import { exists, readLines, writePlan } from '../helpers/temp-dir.js';
import { useWorkspace } from '../helpers/workspace.js';

/** Three stages, each noisy enough to overflow a reader that takes 300 bytes; `failAt` fails that stage's deploy. */
function noisyPlan(failAt?: string): string {
  const stage = (name: string) => `  - name: ${name}
    deploy: for i in $(seq 1 200); do echo "${name} deploy line $i"; done; echo ${name} >> deployed${name === failAt ? '; exit 7' : ''}
    rollback: echo ${name} >> rolled-back
    health: [{ url: "HEALTH" }]`;
  return `defaults: { soak: 300ms, health: { interval: 50ms, timeout: 1s, failureThreshold: 2 } }
stages:
${['canary', 'half', 'full'].map(stage).join('\n')}
`;
}

/** Runs `rollout <args>` in a bash pipeline and returns the CLI's own exit code (PIPESTATUS[0]). */
async function inPipeline(dir: string, args: string, pipeline: string): Promise<number> {
  const script = `node ${JSON.stringify(binPath)} ${args} ${pipeline} >/dev/null; echo "\${PIPESTATUS[0]}" > cli-exit-code`;
  await execa('bash', ['-c', script], { cwd: dir, env: { NO_COLOR: '1', CI: 'true' }, timeout: 40_000 });
  return Number((await fs.readFile(path.join(dir, 'cli-exit-code'), 'utf8')).trim());
}

describe('a reader that goes away never stops or corrupts a rollout', { timeout: 60_000 }, () => {
  const ws = useWorkspace();

  const rows = [
    { name: 'stdout and stderr into `head -c 300`', args: 'run', pipeline: '2>&1 | head -c 300', failAt: undefined, exit: 0, status: 'succeeded' },
    { name: 'stdout into `true`, stderr to a file', args: 'run', pipeline: '2>err | true', failAt: undefined, exit: 0, status: 'succeeded' },
    { name: '--json into `head -c 100`', args: 'run --json', pipeline: '2>&1 | head -c 100', failAt: undefined, exit: 0, status: 'succeeded' },
    { name: 'a failing stage, everything into `head -c 300`', args: 'run', pipeline: '2>&1 | head -c 300', failAt: 'half', exit: 1, status: 'rolled_back' },
  ] as const;

  it.each(rows)('$name: finishes, records the outcome, releases the lock, exits $exit', async (row) => {
    await writePlan(ws.dir, noisyPlan(row.failAt).replaceAll('HEALTH', ws.server.url('/ok')));
    const exitCode = await inPipeline(ws.dir, row.args, row.pipeline);

    expect(exitCode).toBe(row.exit);
    const state = await readState(defaultStatePath(ws.dir));
    expect(state.status).toBe(row.status);
    expect(await exists(lockPath(defaultStatePath(ws.dir)))).toBe(false);
    if (row.failAt) {
      expect(await readLines(path.join(ws.dir, 'deployed'))).toEqual(['canary', 'half']);
      expect(await readLines(path.join(ws.dir, 'rolled-back'))).toEqual(['half', 'canary']);
    } else {
      expect(await readLines(path.join(ws.dir, 'deployed'))).toEqual(['canary', 'half', 'full']);
    }
    if (await exists(path.join(ws.dir, 'err'))) {
      const stderr = await fs.readFile(path.join(ws.dir, 'err'), 'utf8');
      expect(stderr).not.toContain('EPIPE');
      expect(stderr).not.toMatch(STACK_TRACE);
      expect(stderr).toContain('✓ succeeded');
    }
  });
});

describe('an internal error (a bug) is reported like any error and exits 70', { timeout: 30_000 }, () => {
  const ws = useWorkspace();

  // A fault injected from outside the code under test: a module preloaded with --import throws
  // (or rejects) from a timer while the rollout is deploying.
  it.each([
    { kind: 'an uncaught exception', inject: 'setTimeout(()=>{throw(new(Error)(`injected-bug`))},800)' },
    { kind: 'an unhandled rejection', inject: 'setTimeout(()=>{Promise.reject(new(Error)(`injected-bug`))},800)' },
  ])('$kind: one paragraph, no stack, exit 70, the running deploy stopped', async ({ inject }) => {
    await writePlan(ws.dir, 'stages:\n  - name: canary\n    deploy: sleep 3; touch deploy-finished\n');
    const result = await runCli(['run'], { cwd: ws.dir, env: { NODE_OPTIONS: `--import=data:text/javascript,${inject}` } });

    expect(result.exitCode, describeResult(result)).toBe(70);
    expect(result.stderr).toContain('error: injected-bug');
    expect(result.stderr).toContain('internal error in rollout');
    expect(result.stderr).not.toMatch(STACK_TRACE);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await exists(path.join(ws.dir, 'deploy-finished')), 'the deploy outlived the CLI').toBe(false);
  });
});

describe('an internal error whose reporting fails too', () => {
  const ws = useWorkspace();

  it('still says what happened, in one line, and exits 70 (never silence)', async () => {
    // A copy of the built CLI without the chunk that holds the error reporter, as when dist/ is
    // rebuilt under a running CLI: the crash handler cannot load it.
    const copy = path.join(ws.dir, 'cli');
    await fs.cp(path.join(repoRoot, 'bin'), path.join(copy, 'bin'), { recursive: true });
    await fs.cp(path.join(repoRoot, 'dist'), path.join(copy, 'dist'), { recursive: true });
    await fs.copyFile(path.join(repoRoot, 'package.json'), path.join(copy, 'package.json'));
    await fs.symlink(path.join(repoRoot, 'node_modules'), path.join(copy, 'node_modules'));
    const chunks = (await fs.readdir(path.join(copy, 'dist'))).filter((f) => /^cli\..+\.js$/.test(f));
    const reporter: string[] = [];
    for (const chunk of chunks)
      if ((await fs.readFile(path.join(copy, 'dist', chunk), 'utf8')).includes('an internal error in rollout; please report it at')) reporter.push(chunk);
    expect(reporter, 'the chunk with the error reporter').toHaveLength(1);
    await fs.rm(path.join(copy, 'dist', reporter[0] as string));
    await writePlan(ws.dir, 'stages:\n  - name: canary\n    deploy: sleep 3\n');

    const inject = 'setTimeout(()=>{throw(new(Error)(`injected-bug`))},800)';
    const result = await execa(process.execPath, [path.join(copy, 'bin', 'rollout.js'), 'run'], {
      cwd: ws.dir,
      env: { NODE_OPTIONS: `--import=data:text/javascript,${inject}`, CI: 'true', NO_COLOR: '1' },
      reject: false,
      timeout: 30_000,
    });
    expect(result.exitCode, result.stderr).toBe(70);
    expect(result.stderr).toMatch(
      /^error: injected-bug \(and reporting it failed: .+; an internal error in rollout, please report it at https:\/\/github\.com\/rolloutctl\/rolloutctl\/issues\)$/m,
    );
    expect(result.stderr).not.toMatch(STACK_TRACE);
  });
});

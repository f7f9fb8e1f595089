import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeResult, runCli, startCli, toCliResult } from '../helpers/cli.js';
import { readState, waitForState } from '../helpers/state.js';
import { writePlan } from '../helpers/temp-dir.js';
import { useWorkspace } from '../helpers/workspace.js';

describe('how a run ends, in words', { timeout: 40_000 }, () => {
  const ws = useWorkspace();

  it('after Ctrl-C, the last line says what is left live and how to finish or undo it; clock and durations agree', async () => {
    await writePlan(
      ws.dir,
      `stages:
  - name: canary
    deploy: "true"
    soak: 0
  - name: half
    deploy: "true"
    soak: 1m
  - name: full
    deploy: "true"
`,
      'plans/prod.yml',
    );
    const cli = startCli(['run', '-c', 'plans/prod.yml'], { cwd: ws.dir });
    await waitForState(path.join(ws.dir, 'plans', '.rollout', 'state.json'), (s) => s.stages[1]?.status === 'soaking', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    cli.kill('SIGINT');
    const result = toCliResult(await cli);
    expect(result.exitCode, describeResult(result)).toBe(130);

    const lines = result.stderr.trim().split('\n');
    expect(lines.at(-1)).toBe(
      'Left deployed: canary, half — finish with `rollout resume -c plans/prod.yml` or undo with `rollout rollback -c plans/prod.yml`.',
    );

    // The clock prefix of the final line, its duration and the summary's all tell the same time.
    const final = /^\[(\d\d):(\d\d)\] ⚠ interrupted in ([\d.]+)s$/m.exec(result.stderr);
    expect(final, result.stderr).not.toBeNull();
    const clockSeconds = Number(final?.[1]) * 60 + Number(final?.[2]);
    expect(Math.floor(Number(final?.[3]))).toBe(clockSeconds);
    expect(result.stdout).toContain(`interrupted in ${final?.[3]}s`);
  });

  it('`rollout resume` of a run that already succeeded says so and exits 0 (a retried CI job must not fail)', async () => {
    await writePlan(ws.dir, 'stages:\n  - name: canary\n    deploy: echo deployed >> deploys\n    soak: 0\n');
    expect((await runCli(['run'], { cwd: ws.dir })).exitCode).toBe(0);
    const state = await readState(path.join(ws.dir, '.rollout', 'state.json'));

    const resumed = await runCli(['resume'], { cwd: ws.dir });
    expect(resumed.exitCode, describeResult(resumed)).toBe(0);
    expect(resumed.stdout).toContain(`Run ${state.runId} already succeeded`);
    expect(resumed.stderr).not.toContain('error');
    const json = await runCli(['resume', '--json'], { cwd: ws.dir });
    expect(json.exitCode).toBe(0);
    expect(json.stdout).toBe('');
    expect((await fs.readFile(path.join(ws.dir, 'deploys'), 'utf8')).trim().split('\n')).toHaveLength(1);
  });
});

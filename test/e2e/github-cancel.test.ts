import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { binPath, repoRoot } from '../helpers/cli.js';
import { defaultStatePath, lockPath, readState, waitForState } from '../helpers/state.js';
import { exists, readLines, writePlan } from '../helpers/temp-dir.js';
import { useWorkspace } from '../helpers/workspace.js';

/**
 * A cancelled GitHub job, as the runner does it: SIGINT to the step's entry process only (the
 * bash running the step's script, never its process group), SIGTERM 7.5 s later, then a kill
 * 2.5 s after that. Emulated with the same order and ratio at a fifth of the gaps.
 */
const SIGTERM_AFTER_MS = 1_500;
const KILL_AFTER_MS = 500;

interface ActionStep {
  id?: string;
  run?: string;
}

/** The `run:` lines of `rollout run` in the GitHub Actions examples of a Markdown file. */
async function documentedRunSteps(file: string): Promise<string[]> {
  const text = await fs.readFile(path.join(repoRoot, file), 'utf8');
  return [...text.matchAll(/^\s*(?:- )?run: (.*npx rolloutctl@[\d.]+ run\b.*)$/gm)].map((m) => m[1] ?? '');
}

describe('a cancelled GitHub Actions job reaches the CLI', { timeout: 40_000 }, () => {
  const ws = useWorkspace();

  async function cancelStep(script: string, env: Record<string, string>) {
    await writePlan(
      ws.dir,
      `vars: { image_tag: v1 }
onInterrupt: rollback
stages:
  - name: canary
    deploy: echo canary >> deployed
    rollback: echo canary >> rolled-back
    soak: 30s
    health: [{ url: "${ws.server.url('/ok')}", interval: 100ms }]
`,
    );
    // As the runner runs `shell: bash`: the script in a file, `bash --noprofile --norc -eo pipefail {0}`
    // (not `bash -c`, where bash itself may exec a last command and hide a missing `exec`).
    const scriptFile = path.join(ws.dir, 'step.sh');
    await fs.writeFile(scriptFile, `${script}\n`);
    const step = execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', scriptFile], {
      cwd: ws.dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: ws.dir, NO_COLOR: '1', CI: 'true', GITHUB_ACTIONS: 'true', ...env },
      extendEnv: false,
      reject: false,
      all: true,
      detached: true, // its own process group, like a runner step: only `step.pid` is signalled
    });
    const statePath = defaultStatePath(ws.dir);
    await waitForState(statePath, (s) => s.stages[0]?.status === 'soaking', 20_000);
    const pid = step.pid as number;
    process.kill(pid, 'SIGINT');
    const term = setTimeout(() => process.kill(pid, 'SIGTERM'), SIGTERM_AFTER_MS);
    const kill = setTimeout(() => process.kill(pid, 'SIGKILL'), SIGTERM_AFTER_MS + KILL_AFTER_MS);
    const result = await step;
    clearTimeout(term);
    clearTimeout(kill);
    return { result, state: await readState(statePath), locked: await exists(lockPath(statePath)) };
  }

  it("action.yml's step: the CLI records the cancel, rolls back (onInterrupt: rollback), releases the lock", async () => {
    const action = parse(await fs.readFile(path.join(repoRoot, 'action.yml'), 'utf8')) as { runs: { steps: ActionStep[] } };
    const script = action.runs.steps.find((s) => s.id === 'run')?.run ?? '';
    const { result, state, locked } = await cancelStep(script, { ROLLOUT_BIN: binPath, INPUT_CONFIG: '', INPUT_STATE: '', INPUT_VARS: '', INPUT_ARGS: '' });

    expect(result.exitCode, result.all).toBe(130);
    expect(state.status).toBe('interrupted');
    expect(state.interruptedBy).toBe('SIGINT');
    expect(await readLines(path.join(ws.dir, 'rolled-back'))).toEqual(['canary']);
    expect(locked, 'the lock was left behind').toBe(false);
  });

  it.each(['README.md', 'docs/ci.md'])('the `run:` step %s shows: the CLI records the cancel', async (file) => {
    const steps = await documentedRunSteps(file);
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) expect(step, `${file}: a step the runner signals must exec the CLI`).toMatch(/^exec npx /);
    const script = (steps[0] ?? '').replace(/npx rolloutctl@[\d.]+/, `node ${JSON.stringify(binPath)}`).replace(/\$\{\{ [^}]+ \}\}/g, 'v2');
    const { result, state, locked } = await cancelStep(script, {});

    expect(result.exitCode, result.all).toBe(130);
    expect(state.status).toBe('interrupted');
    expect(await readLines(path.join(ws.dir, 'rolled-back'))).toEqual(['canary']);
    expect(locked).toBe(false);
  });
});

import { realpathSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { binPath, repoRoot, runCli } from '../helpers/cli.js';
import { codeBlocks, documentationFiles } from '../helpers/markdown-blocks.js';
import { installPackedPackage, npmEnv } from '../helpers/packed-package.js';
import { isProcessAlive, killQuietly, waitFor } from '../helpers/processes.js';
import { defaultStatePath, lockPath, readState, waitForState } from '../helpers/state.js';
import { exists, makeTempDir, readLines, removeTempDir, writePlan } from '../helpers/temp-dir.js';
import { useWorkspace } from '../helpers/workspace.js';

/**
 * A cancelled GitHub job, as the runner does it: SIGINT to the step's entry process only (the
 * bash running the step's script, never its process group), SIGTERM 7.5 s later, then a kill
 * 2.5 s after that. Emulated with the same order and ratio at a fifth of the gaps.
 *
 * The documented steps run exactly as written (only `${{ … }}` filled in), `npx` included: the real
 * npm, resolving `rolloutctl@<version>` to the packed tarball installed beside the job, with npm's
 * script shell Debian's dash, which swallows SIGINT and dies of SIGTERM without passing either on.
 */
const SIGTERM_AFTER_MS = 1_500;
const KILL_AFTER_MS = 500;
const DASH = '/bin/dash';

interface ActionStep {
  id?: string;
  run?: string;
}

/** The `run:` scripts of GitHub steps that start a rollout (`… run`), in the workflows of a Markdown file. */
function documentedRolloutSteps(file: string): string[] {
  const scripts: string[] = [];
  for (const block of codeBlocks(file).filter((b) => b.lang === 'yaml' && b.code.includes('steps:'))) {
    const doc = parse(block.code) as { jobs?: Record<string, { steps?: ActionStep[] }> } | null;
    for (const job of Object.values(doc?.jobs ?? {})) {
      for (const step of job.steps ?? []) if (step.run && /rolloutctl@[\d.]+/.test(step.run) && /\brun\b --var/.test(step.run)) scripts.push(step.run);
    }
  }
  return scripts;
}

describe('a cancelled GitHub Actions job reaches the CLI', { timeout: 120_000 }, () => {
  const ws = useWorkspace();
  let packDir: string;
  let appDir: string;

  beforeAll(async () => {
    packDir = await makeTempDir('rollout-pack-');
    appDir = await makeTempDir('rollout-cancel-app-');
    await installPackedPackage(packDir, appDir);
  }, 180_000);

  afterAll(async () => {
    await removeTempDir(packDir);
    await removeTempDir(appDir);
  });

  const twoStages = `vars: { image_tag: v1 }
stages:
  - name: canary
    deploy: echo canary >> deployed
    soak: 8s
  - name: full
    deploy: echo full >> deployed
    soak: 0
`;

  /** Runs `script` as a GitHub step in a job directory inside the npm project, and cancels it as the runner does. */
  async function cancelStep(script: string, plan: string, env: Record<string, string> = {}) {
    const jobDir = await fs.mkdtemp(path.join(appDir, 'job-'));
    await writePlan(jobDir, plan);
    // As the runner runs `shell: bash`: the script in a file, `bash --noprofile --norc -eo pipefail {0}`
    // (not `bash -c`, where bash itself may exec a last command and hide a missing `exec`).
    const scriptFile = path.join(jobDir, 'step.sh');
    await fs.writeFile(scriptFile, `${script}\n`);
    const step = execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', scriptFile], {
      cwd: jobDir,
      env: {
        ...npmEnv(),
        HOME: jobDir,
        GITHUB_ACTIONS: 'true',
        // Never the registry: `rolloutctl@<version>` is the one installed in appDir.
        npm_config_offline: 'true',
        npm_config_script_shell: DASH,
        ...env,
      },
      extendEnv: false,
      reject: false,
      all: true,
      detached: true, // its own process group, like a runner step: only `step.pid` is signalled
    });
    const statePath = defaultStatePath(jobDir);
    await waitForState(statePath, (s) => s.stages[0]?.status === 'soaking', 60_000);
    const cliPid = (JSON.parse(await fs.readFile(lockPath(statePath), 'utf8')) as { pid: number }).pid;
    const pid = step.pid as number;
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(pid, name);
      } catch {} // the step may be gone already
    };
    signal('SIGINT');
    const term = setTimeout(() => signal('SIGTERM'), SIGTERM_AFTER_MS);
    const kill = setTimeout(() => signal('SIGKILL'), SIGTERM_AFTER_MS + KILL_AFTER_MS);
    const result = await step;
    clearTimeout(term);
    clearTimeout(kill);
    // Whatever the step's own process did, the CLI must be gone soon after: a CLI left running deploys on.
    const stopped = await waitFor(() => !isProcessAlive(cliPid), 15_000);
    killQuietly(cliPid);
    return { jobDir, result, stopped, state: await readState(statePath), locked: await exists(lockPath(statePath)) };
  }

  it("action.yml's step: the CLI records the cancel, rolls back (onInterrupt: rollback), releases the lock", async () => {
    const action = parse(await fs.readFile(path.join(repoRoot, 'action.yml'), 'utf8')) as { runs: { steps: ActionStep[] } };
    const script = action.runs.steps.find((s) => s.id === 'run')?.run ?? '';
    const plan = `onInterrupt: rollback
stages:
  - name: canary
    deploy: echo canary >> deployed
    rollback: echo canary >> rolled-back
    soak: 30s
    health: [{ url: "${ws.server.url('/ok')}", interval: 100ms }]
`;
    const { jobDir, result, state, locked } = await cancelStep(script, plan, {
      ROLLOUT_BIN: binPath,
      INPUT_CONFIG: '',
      INPUT_STATE: '',
      INPUT_VARS: '',
      INPUT_ARGS: '',
    });

    expect(result.exitCode, result.all).toBe(130);
    expect(state.status).toBe('interrupted');
    expect(state.interruptedBy).toBe('SIGINT');
    expect(await readLines(path.join(jobDir, 'rolled-back'))).toEqual(['canary']);
    expect(locked, 'the lock was left behind').toBe(false);
  });

  it('npm runs its shim through dash here, the shell that swallows the cancel', () => {
    expect(realpathSync(DASH)).toMatch(/dash$/);
  });

  it.each(['README.md', 'docs/ci.md'])('the rollout step %s shows, run as written through npx: the rollout stops where it was, resumable', async (file) => {
    const steps = documentedRolloutSteps(file);
    expect(steps.length).toBeGreaterThan(0);
    const script = (steps[0] ?? '').replace(/\$\{\{ [^}]+ \}\}/g, 'v2');
    const { jobDir, result, stopped, state, locked } = await cancelStep(script, twoStages);

    expect(stopped, 'rollout kept running after its step ended').toBe(true);
    expect(result.exitCode, result.all).toBe(130); // the CLI itself heard the SIGINT, and finished in the grace
    expect(state.status).toBe('interrupted');
    expect(state.interruptedBy).toBe('SIGINT');
    expect(await readLines(path.join(jobDir, 'deployed'))).toEqual(['canary']); // `full` never deployed
    expect(locked, 'the lock was left behind').toBe(false);

    const resumed = await runCli(['resume'], { cwd: jobDir, timeout: 60_000 });
    expect(resumed.exitCode, resumed.all).toBe(0);
    expect((await readLines(path.join(jobDir, 'deployed'))).at(-1)).toBe('full');
  });

  it.each(documentationFiles())('%s: no example runs `exec npx` (npm’s shell would be what the runner signals)', (file) => {
    for (const block of codeBlocks(file)) expect(block.code, `${file}:${block.line}`).not.toMatch(/\bexec npx /);
  });

  it('the old `exec npx rolloutctl@… run`: the CLI takes its npm shell’s death as the cancel and stops', async () => {
    const version = (JSON.parse(await fs.readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    const { jobDir, stopped, state, locked, result } = await cancelStep(`exec npx rolloutctl@${version} run --var image_tag=v2`, twoStages);

    expect(stopped, 'rollout kept running after npm was stopped').toBe(true);
    expect(state.status, result.all).toBe('interrupted');
    expect(state.interruptedBy).toBe('SIGTERM');
    expect(result.all).toMatch(/the npm process that started rollout was stopped .*taken as SIGTERM/);
    expect(await readLines(path.join(jobDir, 'deployed'))).toEqual(['canary']);
    expect(locked, 'the lock was left behind').toBe(false);
  });
});

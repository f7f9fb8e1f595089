import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { type HealthServer, startHealthServer } from '../helpers/health-server.js';
import { requireNodeBinary, SMOKE_MAJORS } from '../helpers/node-versions.js';
import { defaultStatePath, readState } from '../helpers/state.js';
import { makeTempDir, readLines, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/**
 * "Works on Node 22 and 24", tested: for each, build with tsc under that Node, run the happy path
 * and a rollback with that build, and install the packed tarball with that Node's npm on PATH and
 * run it the way `npx rolloutctl` does. The binaries come from `.ci/install-deps.sh`.
 */
describe.each(SMOKE_MAJORS)('on Node.js %i', { timeout: 240_000 }, (major) => {
  let node: string;
  let work: string;
  let server: HealthServer;
  const env = (extra: Record<string, string> = {}) => {
    const clean: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('ROLLOUT_') && key !== 'FORCE_COLOR') clean[key] = value;
    // This Node first on PATH, so npm, npx and the bin's `#!/usr/bin/env node` all run on it.
    return {
      ...clean,
      PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}`,
      NO_COLOR: '1',
      CI: 'true',
      XDG_CACHE_HOME: path.join(work, 'cache'),
      ...extra,
    };
  };
  /** A built CLI: tsc's output under `major`, with the repo's package.json, bin and dependencies. */
  const build = () => path.join(work, 'build');

  beforeAll(async () => {
    node = requireNodeBinary(major);
    work = await makeTempDir(`rollout-node${major}-`);
    server = await startHealthServer(200);
  });
  afterAll(async () => {
    await server?.close();
    await removeTempDir(work);
  });

  it('runs this Node, and builds on it as `npm run build` does (tsc, then the bundle)', async () => {
    expect((await execa(node, ['--version'])).stdout).toMatch(new RegExp(`^v${major}\\.`));
    const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const dist = path.join(build(), 'dist');
    const result = await execa(node, [tsc, '-p', 'tsconfig.build.json', '--outDir', dist], { cwd: repoRoot, env: env(), reject: false });
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    await fs.cp(path.join(repoRoot, 'bin'), path.join(build(), 'bin'), { recursive: true });
    await fs.copyFile(path.join(repoRoot, 'package.json'), path.join(build(), 'package.json'));
    await fs.symlink(path.join(repoRoot, 'node_modules'), path.join(build(), 'node_modules'));
    const bundle = await execa(node, [path.join(repoRoot, 'scripts', 'bundle.js'), dist], { cwd: repoRoot, env: env(), reject: false });
    expect(bundle.exitCode, `${bundle.stdout}\n${bundle.stderr}`).toBe(0);
    // The CLI that runs below is the bundle: dist/cli.js imports its chunks, not tsc's module tree.
    expect(await fs.readFile(path.join(dist, 'cli.js'), 'utf8')).toMatch(/from\s*["']\.\/cli\.[\w-]+\.js["']/);
  });

  it('runs the happy path, with its compile cache private to the user', async () => {
    const dir = path.join(work, 'happy');
    await writePlan(
      dir,
      `stages:\n${['canary', 'full']
        .map(
          (name) =>
            `  - name: ${name}\n    deploy: echo ${name} >> deploy.log\n    soak: 150ms\n    health: [{ url: "${server.url(`/${name}`)}", interval: 50ms }]\n`,
        )
        .join('')}`,
    );
    const run = await execa(node, [path.join(build(), 'bin', 'rollout.js'), 'run'], { cwd: dir, env: env(), reject: false });
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(await readLines(path.join(dir, 'deploy.log'))).toEqual(['canary', 'full']);
    expect((await readState(defaultStatePath(dir))).status).toBe('succeeded');
    expect(server.requests.map((r) => r.path)).toEqual(expect.arrayContaining(['/canary', '/full']));

    // Node >= 22.1 caches compiled modules in a 0700 directory of ours, one subdirectory per Node version.
    const cache = path.join(work, 'cache', 'rolloutctl', 'compile-cache');
    expect((await fs.stat(cache)).mode & 0o777).toBe(0o700);
    expect(await fs.readdir(cache)).toEqual([expect.stringMatching(new RegExp(`^v${major}\\.`))]);
  });

  it('rolls back the stages a failed run deployed, newest first; and runs with the compile cache off', async () => {
    const dir = path.join(work, 'rollback');
    await writePlan(
      dir,
      `stages:\n${['one', 'two', 'three']
        .map(
          (name) =>
            `  - name: ${name}\n    deploy: echo ${name} >> deploy.log${name === 'three' ? ' && exit 1' : ''}\n    rollback: echo ${name} >> rollback.log\n    soak: 0\n`,
        )
        .join('')}`,
    );
    const xdg = path.join(work, 'no-cache');
    const run = await execa(node, [path.join(build(), 'bin', 'rollout.js'), 'run'], {
      cwd: dir,
      env: env({ ROLLOUT_NO_COMPILE_CACHE: '1', XDG_CACHE_HOME: xdg }),
      reject: false,
    });
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(1);
    expect(await readLines(path.join(dir, 'rollback.log'))).toEqual(['three', 'two', 'one']);
    expect((await readState(defaultStatePath(dir))).status).toBe('rolled_back');
    await expect(fs.stat(xdg)).rejects.toThrow(/ENOENT/);
  });

  it('installs from the packed tarball with this Node’s npm and runs as npx runs it', async () => {
    const packDir = path.join(work, 'pack');
    const appDir = path.join(work, 'app');
    await fs.mkdir(packDir);
    await fs.mkdir(appDir);
    // dist/ is what `npm test` built; --ignore-scripts keeps prepack from rebuilding it under running tests.
    const pack = await execa('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], { cwd: repoRoot, env: env() });
    const [info] = JSON.parse(pack.stdout) as { filename: string }[];
    if (!info) throw new Error(`npm pack printed nothing: ${pack.stdout}`);
    await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(packDir, path.basename(info.filename))], {
      cwd: appDir,
      env: env(),
    });

    const help = await execa('npx', ['--no-install', 'rollout', '--help'], { cwd: appDir, env: env(), reject: false });
    expect(help.exitCode, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: rollout');
    await writePlan(
      appDir,
      `stages:\n  - name: only\n    deploy: node --version > node-version.txt\n    soak: 100ms\n    health: [{ url: "${server.url('/npx')}", interval: 50ms }]\n`,
    );
    const run = await execa('npx', ['--no-install', 'rollout', 'run'], { cwd: appDir, env: env(), reject: false });
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect((await fs.readFile(path.join(appDir, 'node-version.txt'), 'utf8')).trim()).toBe((await execa(node, ['--version'])).stdout);
    expect((await readState(defaultStatePath(appDir))).status).toBe('succeeded');
  });
});

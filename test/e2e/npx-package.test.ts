import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { type HealthServer, startHealthServer } from '../helpers/health-server.js';
import { defaultStatePath, readState } from '../helpers/state.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/**
 * What `npx rolloutctl` gets: the packed tarball installed into an empty directory, used from
 * there. Proves the package carries everything it needs and nothing it should not.
 */
describe('the published package', { timeout: 180_000 }, () => {
  let packDir: string;
  let appDir: string;
  let files: string[];
  let server: HealthServer;
  const env = () => {
    const clean: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('ROLLOUT_') && key !== 'FORCE_COLOR') clean[key] = value;
    return { ...clean, NO_COLOR: '1', CI: 'true' };
  };

  beforeAll(async () => {
    packDir = await makeTempDir('rollout-pack-');
    appDir = await makeTempDir('rollout-npx-');
    server = await startHealthServer(200);
    // --ignore-scripts: prepack's `npm run build` would rewrite dist/ (the bundle deletes and rewrites its
    // chunks) under the CLIs other test files are running at this moment. `npm test` built it already.
    const pack = await execa('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], { cwd: repoRoot, env: env() });
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    if (!info) throw new Error(`npm pack printed nothing: ${pack.stdout}`);
    files = info.files.map((f) => f.path);
    await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(packDir, path.basename(info.filename))], {
      cwd: appDir,
      env: env(),
    });
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    await removeTempDir(packDir);
    await removeTempDir(appDir);
  });

  it('contains bin, dist, schema.json and README, and no tests, fixtures or sources', () => {
    for (const needed of ['package.json', 'bin/rollout.js', 'dist/cli.js', 'dist/commands/run.js', 'schema.json', 'README.md']) expect(files).toContain(needed);
    const unwanted = files.filter((f) => /^(test|src|bench|examples|\.ci|node_modules)\//.test(f) || /\.test\.|fixture/i.test(f));
    expect(unwanted).toEqual([]);
  });

  it('runs from the install: --help, init, and a real one-stage rollout', async () => {
    const bin = path.join(appDir, 'node_modules', '.bin', 'rollout');
    const help = await execa('npx', ['--no-install', 'rollout', '--help'], { cwd: appDir, env: env(), reject: false });
    expect(help.exitCode, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: rollout');
    expect(help.stdout).toContain('Examples:');

    const init = await execa(bin, ['init'], { cwd: appDir, env: env(), reject: false });
    expect(init.exitCode, init.stderr).toBe(0);
    const validate = await execa(bin, ['validate'], { cwd: appDir, env: env(), reject: false });
    expect(validate.exitCode, validate.stderr).toBe(0);

    const runDir = path.join(appDir, 'service');
    await fs.mkdir(runDir);
    await writePlan(
      runDir,
      `stages:\n  - name: only\n    deploy: echo "deployed $ROLLOUT_STAGE" > deployed.txt\n    soak: 200ms\n    health: [{ url: "${server.url()}", interval: 50ms }]\n`,
    );
    const run = await execa(bin, ['run'], { cwd: runDir, env: env(), reject: false });
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(await fs.readFile(path.join(runDir, 'deployed.txt'), 'utf8')).toBe('deployed only\n');
    expect((await readState(defaultStatePath(runDir))).status).toBe('succeeded');
    expect(server.requestCount()).toBeGreaterThan(0);
  });

  it('ships the docs README links to, says where the project lives, and where to report a bug', async () => {
    const installed = path.join(appDir, 'node_modules', 'rolloutctl');
    const pkg = JSON.parse(await fs.readFile(path.join(installed, 'package.json'), 'utf8'));
    expect(pkg.repository).toMatchObject({ type: 'git', url: 'git+https://github.com/rolloutctl/rolloutctl.git' });
    expect(pkg.homepage).toBe('https://github.com/rolloutctl/rolloutctl#readme');
    expect(pkg.bugs).toEqual({ url: 'https://github.com/rolloutctl/rolloutctl/issues' });
    // Every relative link in the shipped README and docs to a page, the schema or the changelog resolves in
    // node_modules. (Links to examples/, bench/, .ci/ and action.yml are the repository's: npm's page
    // resolves them against `repository`.)
    const pages = ['README.md', ...files.filter((f) => /^docs\/[^/]+\.md$/.test(f))];
    expect(pages.length).toBeGreaterThan(10);
    const dead: string[] = [];
    for (const page of pages) {
      const text = await fs.readFile(path.join(installed, page), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (!target || /^[a-z]+:|^\$\{/.test(target)) continue;
        const file = path.normalize(path.join(path.dirname(page), target));
        if (/^(examples|bench|\.ci)\/|^action\.yml$/.test(file)) continue;
        if (!files.includes(file)) dead.push(`${page} → ${target}`);
      }
    }
    expect(dead).toEqual([]);

    // A bug, injected as test/e2e/closed-pipe.test.ts does: a preloaded module throws while a deploy runs.
    const buggy = path.join(appDir, 'buggy');
    await writePlan(buggy, 'stages:\n  - name: canary\n    deploy: sleep 3\n');
    const late = await execa(path.join(installed, 'bin', 'rollout.js'), ['run'], {
      cwd: buggy,
      env: { ...env(), NODE_OPTIONS: '--import=data:text/javascript,setTimeout(()=>{throw(new(Error)(`injected-bug`))},800)' },
      reject: false,
    });
    expect(late.exitCode, late.stderr).toBe(70);
    expect(late.stderr).toContain('please report it at https://github.com/rolloutctl/rolloutctl/issues');
  });

  it('with no plan file, points at `rollout init`, not at a file inside node_modules', async () => {
    const empty = path.join(appDir, 'empty');
    await fs.mkdir(empty);
    const result = await execa(path.join(appDir, 'node_modules', '.bin', 'rollout'), ['validate'], { cwd: empty, env: env(), reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('no plan file in');
    expect(result.stderr).toContain('`rollout init`');
    expect(result.stderr).not.toContain('rollout.config.example.yml');
  });
});

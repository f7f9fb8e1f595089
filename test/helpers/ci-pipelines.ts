import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { binPath, repoRoot } from './cli.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

/**
 * What the workflow and pipeline emulators (github-workflow.ts, gitlab-pipeline.ts) share. Together they are
 * just enough of a GitHub Actions runner and a GitLab runner to run the documented two-job flows of
 * docs/ci.md for real: each job in its own fresh directory (a fresh runner), its `run:` / `script:`
 * executed by bash as the runner does, `npx rolloutctl@<version>` resolving to the built CLI, and
 * nothing carried between jobs but what the pipeline says: artifacts, job outputs, dotenv reports.
 * Anything the documented YAML uses that this does not understand is an error, never ignored.
 */

const version = (JSON.parse(await fs.readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

const created: string[] = [];
/** A fresh directory for a runner or a job, removed by removeRunnerDirs(). */
export async function runnerDir(prefix: string): Promise<string> {
  const dir = await makeTempDir(prefix);
  created.push(dir);
  return dir;
}
/** Removes every directory the pipelines run so far created (call in afterAll). */
export async function removeRunnerDirs(): Promise<void> {
  for (const dir of created.splice(0)) await removeTempDir(dir);
}

/**
 * A bin directory with `npx` (rolloutctl@<version> only → the built CLI; `npx -p rolloutctl@<version> -c
 * CMD` runs CMD with the package's `rolloutctl` and `rollout` on PATH) and, when given, a `gh` stand-in.
 */
export async function shimBin(dir: string, gh?: string): Promise<string> {
  const bin = path.join(dir, 'bin');
  const pkgBin = path.join(dir, 'package-bin');
  await fs.mkdir(bin, { recursive: true });
  await fs.mkdir(pkgBin, { recursive: true });
  const cli = `#!/bin/sh\nexec "${process.execPath}" "${binPath}" "$@"\n`;
  for (const name of ['rollout', 'rolloutctl']) await fs.writeFile(path.join(pkgBin, name), cli, { mode: 0o755 });
  await fs.writeFile(
    path.join(bin, 'npx'),
    [
      '#!/bin/sh',
      `if [ "$1" = "-p" ] && [ "$2" = "rolloutctl@${version}" ] && [ "$3" = "-c" ]; then PATH="${pkgBin}:$PATH" exec sh -c "$4"; fi`,
      `if [ "$1" != "rolloutctl@${version}" ]; then echo "npx: unexpected $*" >&2; exit 127; fi`,
      'shift',
      `exec "${process.execPath}" "${binPath}" "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  if (gh !== undefined) await fs.writeFile(path.join(bin, 'gh'), gh, { mode: 0o755 });
  return bin;
}

export async function runBash(script: string, cwd: string, env: Record<string, string>) {
  const file = path.join(cwd, '..', `step-${Math.random().toString(36).slice(2)}.sh`);
  await fs.writeFile(file, `${script}\n`);
  // As the runners do: a script file, not `bash -c`, errors stop it.
  return execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], { cwd, env, extendEnv: false, reject: false, all: true, timeout: 30_000 });
}

export const baseEnv = (bin: string, home: string): Record<string, string> => ({
  PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
  HOME: home,
  NO_COLOR: '1',
  CI: 'true',
});

/** `KEY=value` lines and `KEY<<DELIM` … `DELIM` blocks: `$GITHUB_OUTPUT`, `$GITHUB_ENV` and GitLab's dotenv report. */
export function parseKeyValueFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block) {
      const end = lines.indexOf(block[2] ?? '', i + 1);
      out[block[1] ?? ''] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  }
  return out;
}

export async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

import { chmodSync, chownSync, cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { binPath, repoRoot } from './cli.js';

const NOBODY = 65534;

/**
 * Starts the CLI as a user whom file modes bind. Root writes into a read-only directory anyway, so
 * under root the CLI runs as `nobody` (setpriv, util-linux) and `cwd` is handed to it first.
 */
export function startUnprivileged(args: string[], cwd: string, timeout = 90_000) {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, NO_COLOR: '1', CI: 'true' };
  const options = { cwd, env, extendEnv: false, reject: false, all: true, timeout } as const;
  if (process.getuid?.() !== 0) return execa(process.execPath, [binPath, ...args], options);
  chownRecursive(cwd, NOBODY);
  return execa('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, readableBin(), ...args], options);
}

let readableCopy: string | undefined;

/**
 * The built CLI where `nobody` can read it: the checkout may sit in a directory only root may enter
 * (a clone into `mktemp -d` is mode 700). The bundle needs only bin/, dist/ and package.json.
 */
function readableBin(): string {
  if (readableCopy === undefined) {
    const dir = mkdtempSync(path.join(tmpdir(), 'rollout-cli-'));
    chmodSync(dir, 0o755);
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    for (const part of ['bin', 'dist', 'package.json']) cpSync(path.join(repoRoot, part), path.join(dir, part), { recursive: true });
    readableCopy = path.join(dir, path.relative(repoRoot, binPath));
  }
  return readableCopy;
}

function chownRecursive(dir: string, id: number): void {
  chownSync(dir, id, id);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownRecursive(full, id);
    else chownSync(full, id, id);
  }
}

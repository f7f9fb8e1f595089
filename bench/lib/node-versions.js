import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './common.js';

/**
 * The Node.js binaries the start-up figures run on: the one running the bench, and the npm
 * registry's node@<major> packages, installed (idempotently) by .ci/install-node.sh. The bench
 * fetches them itself; the test suite only uses what .ci/install-deps.sh installed.
 */
export function nodeBinaries(majors) {
  const current = Number(process.versions.node.split('.')[0]);
  const others = majors.filter((major) => major !== current);
  if (others.length > 0)
    execFileSync('bash', [path.join(repoRoot, '.ci', 'install-node.sh'), ...others.map(String)], { stdio: ['ignore', 'inherit', 'inherit'] });
  return [{ major: current, path: process.execPath }, ...others.map((major) => ({ major, path: nodeBinary(major) }))].sort((a, b) => a.major - b.major);
}

/** Where .ci/install-node.sh puts a major's binary (the layout is defined there). */
export function nodeBinary(major, env = process.env) {
  const cache = env.ROLLOUT_NODE_CACHE || path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache'), 'rolloutctl', 'node');
  return path.join(cache, String(major), 'node_modules', 'node', 'bin', 'node');
}

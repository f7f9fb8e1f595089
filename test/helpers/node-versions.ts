import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The Node.js majors the smoke suite proves, besides the one running the tests. */
export const SMOKE_MAJORS = [22, 24] as const;

/** Where `.ci/install-node.sh` puts a major's binary (the layout is defined there). */
export function nodeBinary(major: number, env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.ROLLOUT_NODE_CACHE || path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache'), 'rolloutctl', 'node');
  return path.join(cache, String(major), 'node_modules', 'node', 'bin', 'node');
}

/** The binary, or an error saying how to get it: a missing Node is a failed test, never a skip. */
export function requireNodeBinary(major: number): string {
  const bin = nodeBinary(major);
  if (!existsSync(bin)) throw new Error(`Node.js ${major} is not installed at ${bin}: run bash .ci/install-deps.sh (or bash .ci/install-node.sh ${major})`);
  return bin;
}

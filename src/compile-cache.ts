import { lstatSync, mkdirSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

/** `module.enableCompileCache` exists from Node 22.1; @types/node 20 does not know it. */
type WithCompileCache = { enableCompileCache?: (dir: string) => { status: number; message?: string; directory?: string } };

/**
 * Where V8 keeps compiled bytecode of our modules between runs: `$XDG_CACHE_HOME/rolloutctl/compile-cache`,
 * else a per-user directory in the temp dir (`rolloutctl-compile-cache-<uid>`). Never a directory
 * other users can write: a poisoned cache would be code run as us.
 */
export function compileCacheDir(env: Env, uid: number | undefined = process.getuid?.()): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'rolloutctl', 'compile-cache');
  return join(tmpdir(), `rolloutctl-compile-cache-${uid ?? 'user'}`);
}

/** The directory, created 0700 if missing, when it is ours alone: a real directory we own with no group/other bits. */
export function privateDir(dir: string, uid: number | undefined = process.getuid?.()): string | null {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const info = lstatSync(dir);
    if (!info.isDirectory()) return null;
    if (uid !== undefined && info.uid !== uid) return null;
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) return null;
    return dir;
  } catch {
    return null;
  }
}

/**
 * Turns on Node's module compile cache (Node >= 22.1) before the CLI's modules load: on 22 and 24
 * compiling our modules and dependencies is a large part of start-up. Off under
 * ROLLOUT_NO_COMPILE_CACHE=1 (and Node's own NODE_DISABLE_COMPILE_CACHE). Never fails the CLI.
 */
export function enableCompileCache(env: Env = process.env): void {
  const enable = (module as WithCompileCache).enableCompileCache;
  if (typeof enable !== 'function') return;
  if (env.ROLLOUT_NO_COMPILE_CACHE && env.ROLLOUT_NO_COMPILE_CACHE !== '0') return;
  const dir = privateDir(compileCacheDir(env));
  if (dir === null) return;
  try {
    enable(dir);
  } catch {
    // A cache is an optimisation: a read-only or full disk must not stop a deploy.
  }
}

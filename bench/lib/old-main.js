import { execFileSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, tempDir } from './common.js';

/**
 * The main of 2026-11-25 (the last commit before the `analysis` merge), which issue 16 measured at
 * 5.9–6.8 s CPU for 1,000 HTTP checks over a 20 s soak: the baseline our CPU must not exceed.
 */
export const MAIN_2026_11_25 = '881b5cc';

/**
 * A built copy of an older commit, to run beside ours in the same minutes: its tree from git (no
 * checkout of this one is touched), our node_modules (its dependencies are a subset of ours), and
 * its own build of the day (tsc). Null, with why, where that cannot be done (no git history, as in
 * an npm tarball): the figure then says so instead of comparing.
 */
export function buildRevision(revision) {
  try {
    execFileSync('git', ['-C', repoRoot, 'cat-file', '-e', `${revision}^{commit}`], { stdio: 'ignore' });
  } catch {
    return { bin: null, dir: null, why: `commit ${revision} is not in this checkout's history` };
  }
  const dir = tempDir(`rev-${revision}`);
  execFileSync('bash', ['-c', `git -C "${repoRoot}" archive ${revision} | tar -x -C "${dir}"`], { stdio: ['ignore', 'ignore', 'inherit'] });
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  execFileSync(process.execPath, [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(dir, 'tsconfig.build.json')], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const bin = path.join(dir, 'bin', 'rollout.js');
  return existsSync(bin) ? { bin, dir, why: null } : { bin: null, dir, why: `the build of ${revision} has no bin/rollout.js` };
}

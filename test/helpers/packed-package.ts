import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from './cli.js';

/**
 * What `npx rolloutctl@<version>` gets: the packed tarball, installed into `appDir` (which then
 * resolves `npx rolloutctl@<version>` to it, offline). Returns the files the tarball holds.
 */
export async function installPackedPackage(packDir: string, appDir: string): Promise<string[]> {
  // --ignore-scripts: prepack's `npm run build` would rewrite dist/ (the bundle deletes and rewrites its
  // chunks) under the CLIs other test files are running at this moment. `npm test` built it already.
  const pack = await execa('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], { cwd: repoRoot, env: npmEnv() });
  const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  if (!info) throw new Error(`npm pack printed nothing: ${pack.stdout}`);
  await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(packDir, path.basename(info.filename))], {
    cwd: appDir,
    env: npmEnv(),
  });
  return info.files.map((f) => f.path);
}

/** The test's environment without our own settings (ROLLOUT_*, colour), as a user's shell has it. */
export function npmEnv(): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('ROLLOUT_') && key !== 'FORCE_COLOR') clean[key] = value;
  // npm's update check is the one request it would make to the registry: tests talk to 127.0.0.1 only.
  return { ...clean, NO_COLOR: '1', CI: 'true', npm_config_update_notifier: 'false' };
}

import { mkdirSync, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../errors.js';

/** statfs(2) magic numbers of kernel filesystems, which hold no files of ours. */
const KERNEL_FILESYSTEMS = new Map<number, string>([
  [0x9fa0, '/proc (procfs)'],
  [0x62656572, '/sys (sysfs)'],
  [0x64626720, 'debugfs'],
  [0x27e0eb, 'cgroupfs'],
  [0x63677270, 'cgroupfs'],
  [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpffs'],
  [0x1373, 'devfs'],
]);

/** What to do about an unusable state path, said in every such message. */
export const CHOOSE_ANOTHER_PATH =
  "choose a path on a writable disk with --state, ROLLOUT_STATE or the plan's `state:` (default .rollout/state.json beside the plan)";

/**
 * Creates `dir` and any missing parents (mode 0700), one level at a time. Not `mkdir -p`
 * (`{recursive: true}`): on /proc Node's recursive mkdir spins forever at full CPU, deaf to SIGTERM,
 * since /proc/x answers ENOENT while /proc exists. A path on a kernel filesystem is refused first
 * (KernelFilesystemError); any other failure is the errno error, for the caller to put in its own terms.
 */
export function ensureDirectory(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  while (statSync(at, { throwIfNoEntry: false }) === undefined) {
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  refuseKernelFilesystem(at, resolve(dir), dir);
  for (const level of missing) {
    try {
      mkdirSync(level, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // made meanwhile by someone else: fine
    }
  }
}

function refuseKernelFilesystem(existing: string, absolute: string, dir: string): void {
  // By name first: a container may leave /proc or /sys an empty directory of the root filesystem.
  const top = /^\/(proc|sys)(\/|$)/.exec(absolute)?.[1];
  let name = top === undefined ? undefined : `/${top} (${top === 'proc' ? 'procfs' : 'sysfs'})`;
  try {
    name ??= KERNEL_FILESYSTEMS.get(statfsSync(existing).type);
  } catch {
    // Not knowable here (an old kernel, another OS): mkdir will say what is wrong.
  }
  if (name) throw new KernelFilesystemError(`${dir} is on ${name}, a kernel filesystem that cannot hold files`);
}

/** A path on /proc, /sys and the like: bad input, which each caller completes with what to do instead. */
export class KernelFilesystemError extends InputError {}

/** An errno failure to create or write the state's directory or lock, before anything ran: exit 2, with what to do. */
export function unusableLocation(location: string, error: unknown): Error {
  if (error instanceof KernelFilesystemError)
    return new InputError(`cannot use ${location} for the state: ${error.message}; ${CHOOSE_ANOTHER_PATH}. Nothing was run.`);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (error instanceof InputError || typeof code !== 'string') return error instanceof Error ? error : new Error(String(error));
  const hint =
    code === 'EACCES' || code === 'EPERM'
      ? 'this user may not write there: make the directory writable for it, or '
      : code === 'EROFS'
        ? 'that filesystem is read-only: '
        : code === 'ENOTDIR' || code === 'EEXIST'
          ? 'part of the path is a file, not a directory: '
          : code === 'ENOSPC' || code === 'EDQUOT'
            ? 'the disk is full: free some space, or '
            : '';
  return new InputError(`cannot use ${location} for the state (${(error as Error).message}); ${hint}${CHOOSE_ANOTHER_PATH}. Nothing was run.`);
}

import { readFileSync } from 'node:fs';

/** How often the parent is looked at: a syscall, so cheap; a cancel is noticed within this long. */
export const PARENT_POLL_MS = 250;

/**
 * Under npm's shim (`npx`, `npm exec`, `npm run`) the CLI is npm's grandchild: npm → `sh -c` → node.
 * A CI cancel signals npm only; npm passes it to the shell, and Debian's `sh` (dash) swallows SIGINT
 * while it waits and dies of SIGTERM without passing either on. The CLI would run on as an orphan and
 * deploy the next stages. The one trace of the cancel it can see is its parent shell dying: under npm
 * that is taken as a cancel (`onGone`). Outside npm a parent may go on purpose (`nohup … &`, then the
 * terminal closes), so nothing is watched there.
 */
export function watchParentUnderNpm(env: Readonly<Record<string, string | undefined>>, onGone: () => void, ppid = () => process.ppid): () => void {
  // npm's run-script sets npm_lifecycle_event for `npx` ("npx"), `npm exec` and `npm run <script>`.
  if (env.npm_lifecycle_event === undefined) return () => {};
  const parent = ppid();
  if (parent <= 1 || !mayBeShell(parent)) return () => {};
  const timer = setInterval(() => {
    if (ppid() === parent) return;
    clearInterval(timer);
    onGone();
  }, PARENT_POLL_MS);
  timer.unref(); // never what keeps the CLI alive
  return () => clearInterval(timer);
}

const SHELLS = new Set(['sh', 'dash', 'bash', 'ash', 'zsh', 'ksh', 'mksh', 'busybox']);

/**
 * Whether the parent is a shell (npm's `sh -c`), where /proc can tell. The variable is inherited by
 * everything below npm (a test runner started by `npm test`, and what it starts): only a shell
 * parent is npm's shim. Without /proc (macOS), the variable alone decides.
 */
function mayBeShell(pid: number): boolean {
  let comm: string;
  try {
    comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return true;
  }
  return SHELLS.has(comm);
}

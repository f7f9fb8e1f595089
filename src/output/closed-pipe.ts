/**
 * A reader that goes away (`rollout run 2>&1 | head -c 300`, `2>log | true`, a CI log streamer that
 * dies) must not take the rollout with it: the state file and its events are the record, the log is
 * a view. So once a write to our stdout or stderr fails (EPIPE, or any other error: there is no
 * one left to tell), that stream's output is dropped without a word and the run goes on, finishes,
 * releases its lock and exits with the code of its outcome.
 *
 * Writes after that report success (`true`) instead of `false`, so no reporter waits for a 'drain'
 * that a closed pipe will never emit.
 */
export function survivePipeClose(stream: NodeJS.WriteStream): void {
  let gone = false;
  stream.on('error', () => {
    gone = true;
  });
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((...args: unknown[]): boolean => {
    if (!gone && !stream.destroyed) return write(...args);
    const callback = args.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    if (callback) process.nextTick(callback);
    return true;
  }) as typeof stream.write;
}

import { expect } from 'vitest';
import type { StateDocument, TargetState } from '../../src/state/document.js';
import { describeResult, runCli, startCli } from './cli.js';
import { hostNames, START_VERSION, startFleetHosts } from './fleet-hosts.js';
import { expectedVersions, fleetPlan, invocations } from './fleet-plan.js';
import { seededRandom } from './seeded-random.js';
import { makeTempDir, removeTempDir, writePlan } from './temp-dir.js';

/**
 * One crash trial over concurrent targets (crash-consistency.test.ts's loop, for fleets): six
 * real hosts, one of them broken; a one-box stage, then batches of 3 and 2 deployed side by side
 * (slowed by a sleep, so most kills find several in flight) and a budget of one failure. The run, then resumes, are SIGKILLed at random moments;
 * then a resume runs to the end. After every kill the stored document must parse. At the end:
 * every target updated, the broken one rolled back, each host on the version that says; and no
 * target deployed more often than once plus the kills that found it in flight (none twice).
 */
export interface CrashStore {
  /** Top-level plan lines that put the state where this store keeps it (`state:`, `key:`). */
  planLines(seed: number): string[];
  /** The stored document, or null before the first write; a torn document must throw here. */
  read(seed: number, dir: string): Promise<StateDocument | null>;
  resumeArgs: string[];
  env?: Record<string, string>;
  timeoutMs: number;
}

const NEW = 'v2.0.0';
const BROKEN = 'h04';
/** Each trial kills up to this many attempts (the run, then resumes) before letting one finish. */
const KILLED_ATTEMPTS = 2;
const IN_FLIGHT: TargetState['status'][] = ['deploying', 'verifying', 'soaking'];

function allTargets(state: StateDocument): TargetState[] {
  return state.stages.flatMap((stage) => stage.targets ?? []);
}

/** `kills` that landed; `concurrentKills`: those that found two or more targets mid-deploy at once. */
export async function fleetCrashTrial(seed: number, store: CrashStore): Promise<{ kills: number; concurrentKills: number }> {
  const rand = seededRandom(seed);
  const names = hostNames(6);
  const fleet = await startFleetHosts(names, { broken: [BROKEN] });
  const dir = await makeTempDir('rollout-fleet-crash-');
  const plan = fleetPlan(
    fleet,
    [
      { name: 'one-box', targets: '[h01]' },
      { name: 'rest', targets: '"*"', batch: '[3, 2]', maxParallel: 3, failureBudget: '{ total: 1 }', beforeDeploy: 'sleep 0.2', soak: '150ms' },
    ],
    { version: NEW, extra: store.planLines(seed) },
  );
  await writePlan(dir, plan);
  /** Kills that found each target mid-deploy: each may deploy it once more. */
  const inFlightAtKill: Record<string, number> = {};
  let kills = 0;
  let concurrentKills = 0;
  try {
    for (let attempt = 0; ; attempt++) {
      const before = await store.read(seed, dir);
      if (before?.status === 'succeeded') break;
      // A run killed after it took the lock but before its first record leaves no record: the next `run`
      // takes the same options as a resume (on PostgreSQL, --wait-lock for the lease's TTL).
      const args = before === null ? ['run', ...store.resumeArgs.slice(1)] : store.resumeArgs;
      if (attempt >= KILLED_ATTEMPTS) {
        const final = await runCli(args, { cwd: dir, env: store.env, timeout: store.timeoutMs });
        expect(final.exitCode, `seed ${seed}: ${describeResult(final)}`).toBe(0);
        break;
      }
      const child = startCli(args, { cwd: dir, env: store.env, timeout: store.timeoutMs });
      let killed = false;
      const kill = () => {
        killed = true;
        child.kill('SIGKILL');
      };
      let timer: NodeJS.Timeout | undefined;
      let exited = false;
      if (rand() < 0.15) timer = setTimeout(kill, Math.floor(rand() * 150));
      else {
        // Aim inside the work, whatever the machine's load: once the k-th target has started
        // (k drawn from those left), then up to 2.5 s more: mid-deploy, verify, soak, rollback or bake.
        const started = (doc: StateDocument | null) => (doc ? allTargets(doc).filter((t) => t.status !== 'pending').length : 0);
        const base = started(before);
        const k = Math.min(names.length, base + 1 + Math.floor(rand() * (names.length - base)));
        const delay = Math.floor(rand() * 2500);
        void (async () => {
          while (!exited) {
            const doc = await store.read(seed, dir).catch(() => null); // a torn document fails the check after the kill
            if (started(doc) >= k) {
              timer = setTimeout(kill, delay);
              return;
            }
            await new Promise((resolve) => setTimeout(resolve, 25));
          }
        })();
      }
      const result = await child;
      exited = true;
      if (timer) clearTimeout(timer);
      if (result.exitCode !== undefined && result.exitCode !== 0) throw new Error(`seed ${seed}: ${args[0]} exited ${result.exitCode}\n${result.all}`);
      if (result.exitCode === undefined && killed) kills++;
      const after = await store.read(seed, dir); // must parse, whatever moment the kill hit
      const inFlight = (after ? allTargets(after) : []).filter((target) => IN_FLIGHT.includes(target.status));
      for (const target of inFlight) inFlightAtKill[target.name] = (inFlightAtKill[target.name] ?? 0) + 1;
      if (killed && result.exitCode === undefined && inFlight.length >= 2) concurrentKills++;
    }
    const state = await store.read(seed, dir);
    expect(state?.status, `seed ${seed}`).toBe('succeeded');
    const statuses = Object.fromEntries(allTargets(state as StateDocument).map((t) => [t.name, t.status]));
    expect(statuses, `seed ${seed}`).toEqual(expectedVersions(names, 'updated', { [BROKEN]: 'rolled_back' }));
    expect(await fleet.versions(), `seed ${seed}`).toEqual(expectedVersions(names, NEW, { [BROKEN]: START_VERSION }));
    const deploys = await invocations(dir);
    for (const name of names) {
      const allowed = 1 + (inFlightAtKill[name] ?? 0);
      expect(
        deploys[name] ?? 0,
        `seed ${seed}: ${name} deployed ${deploys[name]} times, in flight at ${inFlightAtKill[name] ?? 0} kills`,
      ).toBeGreaterThanOrEqual(1);
      expect(deploys[name] ?? 0, `seed ${seed}: ${name} deployed ${deploys[name]} times, in flight at ${inFlightAtKill[name] ?? 0} kills`).toBeLessThanOrEqual(
        allowed,
      );
    }
    return { kills, concurrentKills };
  } finally {
    await fleet.close();
    await removeTempDir(dir);
  }
}

import { fleetBestCaseMs } from './fleet/describe.js';
import { type CheckSampling, checkSampling } from './sampling.js';
import type { Check, Plan, Stage } from './types.js';

export interface StageTimeline {
  stage: string;
  /**
   * Shortest time the stage can take: its soak (deploy time not counted: it is unknown); for a
   * fleet stage, its batches' soaks in rounds of maxParallel plus its bakes (fleet/describe.ts).
   */
  shortestMs: number;
  /** How long each check watches (each target's, on a fleet stage). */
  soakMs: number;
  /** Worst case from a check going bad to the stage failing; null without deciding checks. */
  detectMs: number | null;
  /** The check with that worst case. */
  slowestCheck: string | null;
  /** The soak can end before a failure that starts late in it is detected. */
  soakShorterThanDetect: boolean;
  /** Each check's own worst case, and how many measurements (and points) it gets by the soak's end. */
  checks: ({ name: string; detectMs: number | null; dryRun: boolean } & CheckSampling)[];
  /**
   * Set when every deciding check of this stage goes through an entry point that every stage
   * watches (e.g. the public URL in front of the load balancer): such a check may rarely reach
   * the slice this stage deployed, so the bound says little about it.
   */
  sharedEntryPoint: string | null;
}

export interface Timeline {
  /** Sum of the soaks (and bakes): the shortest time to full rollout, on top of the deploy commands' own time. */
  shortestMs: number;
  stages: StageTimeline[];
}

/**
 * Worst case for one check, for a failure that every measurement sees: it breaks just after a good
 * measurement (or at the soak's start, before `initialDelay` is over); the next comes one interval
 * later; every failing one then hangs for the full timeout, which pushes the next to the next
 * free slot of the fixed schedule; the deciding failure (`failureThreshold` in a row, or
 * `maxFailures`+1 in all) is known when it times out. A dryRun check never decides: null.
 */
export function detectMs(check: Check): number | null {
  if (check.dryRun) return null;
  const needed = Math.min(check.failureThreshold, check.maxFailures === null ? Number.POSITIVE_INFINITY : check.maxFailures + 1);
  const period = check.intervalMs * Math.max(1, Math.ceil(check.timeoutMs / check.intervalMs));
  return Math.max(check.intervalMs, check.initialDelayMs) + (needed - 1) * period + check.timeoutMs;
}

export function stageTimeline(stage: Stage, shared: ReadonlySet<string> = new Set()): StageTimeline {
  let worst: { name: string; ms: number } | null = null;
  const checks = stage.checks.map((check) => {
    const ms = detectMs(check);
    if (ms !== null && (worst === null || ms > worst.ms)) worst = { name: check.name, ms };
    return { name: check.name, detectMs: ms, dryRun: check.dryRun, ...checkSampling(check, stage.soakMs) };
  });
  const deciding = measuredChecks(stage).filter((c) => !c.dryRun);
  const onlyShared = deciding.length > 0 && deciding.every((c) => c.entryPoint !== null && shared.has(c.entryPoint));
  const found = worst as { name: string; ms: number } | null;
  return {
    stage: stage.name,
    shortestMs: stage.fleet === null ? stage.soakMs : fleetBestCaseMs(stage.fleet, stage.soakMs),
    soakMs: stage.soakMs,
    detectMs: found?.ms ?? null,
    slowestCheck: found?.name ?? null,
    soakShorterThanDetect: found !== null && stage.soakMs < found.ms,
    checks,
    sharedEntryPoint: onlyShared ? (deciding[0]?.entryPoint ?? null) : null,
  };
}

export function planTimeline(plan: Plan): Timeline {
  const stages = plan.stages.map((stage) => stageTimeline(stage, sharedEntryPoints(plan)));
  return { shortestMs: stages.reduce((sum, s) => sum + s.shortestMs, 0), stages };
}

/** Entry points that every stage of a multi-stage plan watches. */
function sharedEntryPoints(plan: Plan): Set<string> {
  if (plan.stages.length < 2) return new Set();
  const perStage = plan.stages.map(
    (s) =>
      new Set(
        measuredChecks(s)
          .filter((c) => !c.dryRun)
          .map((c) => c.entryPoint),
      ),
  );
  const [first, ...rest] = perStage;
  return new Set([...(first ?? [])].filter((e): e is string => e !== null && rest.every((set) => set.has(e))));
}

/** The checks a stage measures: on a fleet stage each target's (its own list keeps `${target.…}` unfilled). */
function measuredChecks(stage: Stage): Check[] {
  return stage.fleet === null ? stage.checks : Object.values(stage.fleet.targetChecks).flat();
}

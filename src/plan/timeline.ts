import type { HealthCheck, Plan, Stage } from './types.js';

export interface StageTimeline {
  stage: string;
  /** Shortest time the stage can take: its soak (deploy time not counted: it is unknown). */
  shortestMs: number;
  /** Worst case from a check going bad to the stage failing; null without health checks. */
  detectMs: number | null;
  /** The check with that worst case. */
  slowestCheck: string | null;
  /** The soak can end before a failure that starts late in it is detected. */
  soakShorterThanDetect: boolean;
}

export interface Timeline {
  /** Sum of the soaks: the shortest time to full rollout, on top of the deploy commands' own time. */
  shortestMs: number;
  stages: StageTimeline[];
}

/**
 * Worst case for one check: it breaks just after a healthy poll; the next poll comes one interval
 * later; every failing poll then hangs for the full poll timeout, which pushes the next one to the
 * next free slot of the fixed schedule; the threshold-th failure is known when its poll times out.
 */
export function detectMs(check: HealthCheck): number {
  const period = check.intervalMs * Math.max(1, Math.ceil(check.timeoutMs / check.intervalMs));
  return check.intervalMs + (check.failureThreshold - 1) * period + check.timeoutMs;
}

export function stageTimeline(stage: Stage): StageTimeline {
  let worst: { name: string; ms: number } | null = null;
  for (const check of stage.health) {
    const ms = detectMs(check);
    if (worst === null || ms > worst.ms) worst = { name: check.name, ms };
  }
  return {
    stage: stage.name,
    shortestMs: stage.soakMs,
    detectMs: worst?.ms ?? null,
    slowestCheck: worst?.name ?? null,
    soakShorterThanDetect: worst !== null && stage.soakMs < worst.ms,
  };
}

export function planTimeline(plan: Plan): Timeline {
  const stages = plan.stages.map(stageTimeline);
  return { shortestMs: stages.reduce((sum, s) => sum + s.shortestMs, 0), stages };
}

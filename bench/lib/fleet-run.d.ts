/** Types for fleet-run.js, which the report's tests import (test/helpers/fleet-run.ts). */
export interface FleetRunOptions {
  runId?: string;
  start?: number;
  stage?: string;
  targets?: number;
  batches?: number[];
  maxParallel?: number;
  polls?: number;
  bakeMs?: number;
  name?: (index: number) => string;
  failing?: Map<number, 'check' | 'deploy' | 'verify'>;
  reason?: (index: number, how: 'check' | 'deploy' | 'verify') => string;
  stageFails?: boolean;
}
export function fleetRunEvents(options?: FleetRunOptions): ({ type: string; time: string; runId: string } & Record<string, unknown>)[];

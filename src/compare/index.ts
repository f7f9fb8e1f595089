/** Canary-versus-baseline comparison, kind-neutral: two series or two counts in, a verdict with its explanation out. */
export { compareCounts } from './counts.js';
export { compareDistributions } from './distributions.js';
export { counterGrowth, type PointSeries, poolPoints } from './series.js';
export {
  COMPARE_DEFAULTS,
  type CompareSettings,
  compareRulesShape,
  compareShape,
  normaliseCompare,
  type RawCompare,
  type RawCompareRules,
  type SideQuery,
} from './settings.js';
export type { Comparison, ComparisonDetail, Look } from './verdict.js';

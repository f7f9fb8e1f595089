import { describe, expect, it } from 'vitest';
import { counterGrowth, type PointSeries, poolPoints } from '../../src/compare/index.js';

/** Points one second apart from `start` seconds, as the metric seam's range reading gives them (epoch ms). */
const series = (start: number, values: number[]): PointSeries => ({ points: values.map((v, i) => [(start + i) * 1000, v] as const) });

describe('reading a range answer for a comparison', () => {
  it('counts a counter’s growth over the window: rises, a restart as all-new growth, a series born inside counted from 0', () => {
    expect(counterGrowth([series(100, [10, 12, 15])], 100_000)).toBe(5);
    expect(counterGrowth([series(100, [10, 12, 3, 4])], 100_000)).toBe(2 + 3 + 1); // restarted at 3
    expect(counterGrowth([series(103, [1, 1, 2])], 100_000)).toBe(2); // created by its first error at 103
    expect(counterGrowth([series(100, [10, 12]), series(101, [4, 5])], 100_000)).toBe(2 + 5);
    expect(counterGrowth([series(100, [Number.NaN, 3, 4])], 100_000)).toBe(4); // first finite point at 101: born inside
    expect(counterGrowth([], 100_000)).toBe(0);
  });

  it('pools every series’ points for a distribution and drops NaN (0/0: no traffic in that step)', () => {
    expect(poolPoints([series(0, [1, Number.NaN, 2]), series(0, [3])])).toEqual([1, 2, 3]);
  });
});

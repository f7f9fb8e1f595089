import { describe, expect, it } from 'vitest';
import { readSeries } from '../../src/checks/metric/kept-series.js';
import type { Range, RangeReading } from '../../src/checks/metric/source.js';

/** A server's answer on the range grid: one series per query, value = f(t); records what was asked. */
function server(asked: Range[], value: (query: number, t: number) => number, labels = (q: number) => ({ q: String(q) })) {
  return async (query: number, range: Range): Promise<RangeReading> => {
    asked.push(range);
    const points: [number, number][] = [];
    for (let t = range.startMs; t <= range.endMs; t += range.stepMs) points.push([t, value(query, t)]);
    return { kind: 'range', series: [{ labels: labels(query), points }] };
  };
}

describe('a comparison keeps its series between looks', () => {
  it('fetches only the points since the last look (and the last two steps again), and holds what a full fetch holds', async () => {
    const asked: Range[] = [];
    const fetch = server(asked, (q, t) => q * 1000 + t / 1000);
    const first = await readSeries(undefined, 2, { startMs: 10_000, endMs: 20_000, stepMs: 1000 }, fetch);
    if (first.kind !== 'series') throw new Error('expected series');
    const second = await readSeries(first.kept, 2, { startMs: 10_000, endMs: 25_500, stepMs: 1000 }, fetch);
    if (second.kind !== 'series') throw new Error('expected series');
    expect(asked.slice(2).map((r) => r.startMs)).toEqual([18_000, 18_000]);
    const full = await readSeries(
      undefined,
      2,
      { startMs: 10_000, endMs: 25_500, stepMs: 1000 },
      server([], (q, t) => q * 1000 + t / 1000),
    );
    if (full.kind !== 'series') throw new Error('expected series');
    expect(second.series).toEqual(full.series);
    expect(second.series[1]?.[0]?.points).toHaveLength(16);
  });

  it('takes a point that changed since the last look (a late scrape), and keeps a series the new answer lacks', async () => {
    let late = false;
    const asked: Range[] = [];
    const fetch = async (_query: number, range: Range): Promise<RangeReading> => {
      asked.push(range);
      const points: [number, number][] = [];
      for (let t = range.startMs; t <= range.endMs; t += range.stepMs) points.push([t, t === 5000 && late ? 99 : 1]);
      const series = [{ labels: { code: '200' }, points }];
      // A series seen only in the first answer (its points all before the refetched steps).
      if (range.startMs === 0) series.push({ labels: { code: '500' }, points: [[0, 7]] });
      return { kind: 'range', series };
    };
    const first = await readSeries(undefined, 1, { startMs: 0, endMs: 5000, stepMs: 1000 }, fetch);
    if (first.kind !== 'series') throw new Error('expected series');
    late = true;
    const second = await readSeries(first.kept, 1, { startMs: 0, endMs: 6000, stepMs: 1000 }, fetch);
    if (second.kind !== 'series') throw new Error('expected series');
    const [ok, failed] = second.series[0] ?? [];
    expect(ok?.points.find(([t]) => t === 5000)?.[1]).toBe(99);
    expect(ok?.points.map(([t]) => t)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000]);
    expect(failed).toEqual({ labels: { code: '500' }, points: [[0, 7]] });
  });

  it('starts over for another window (a new soak) or a step it cannot align, and keeps nothing new on an error', async () => {
    const asked: Range[] = [];
    const fetch = server(asked, () => 1);
    const first = await readSeries(undefined, 1, { startMs: 0, endMs: 5000, stepMs: 1000 }, fetch);
    if (first.kind !== 'series') throw new Error('expected series');
    await readSeries(first.kept, 1, { startMs: 3000, endMs: 9000, stepMs: 1000 }, fetch);
    await readSeries(first.kept, 1, { startMs: 0, endMs: 9000, stepMs: 1500 }, fetch);
    expect(asked.slice(1).map((r) => r.startMs)).toEqual([3000, 0]);
    const failed = await readSeries(first.kept, 1, { startMs: 0, endMs: 9000, stepMs: 1000 }, async () => ({
      kind: 'error',
      error: { kind: 'http', message: 'bad' },
    }));
    expect(failed).toMatchObject({ kind: 'error', reading: { error: { message: 'bad' } } });
  });
});

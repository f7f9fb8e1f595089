import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

interface BenchRow {
  id: string;
  figure: string;
  unit: string;
  ours: number | null;
  baseline: number | null;
  ratio: number | null;
  target: string;
  pass: boolean | null;
  note: string;
}

const figureIds = [
  'startup.version',
  'startup.help',
  'startup.validate',
  'stages.overhead',
  'polling.jitter.p50',
  'polling.jitter.p99',
  'polling.cpu',
  'polling.cpu.main',
  'polling.rss',
  'polling.state',
  'detect.p50',
  'detect.p95',
  'output.throughput',
  'output.rss',
  'state.write.p50',
  'state.write.p99',
  'stages.overhead.pg',
  'metric.detect.p50',
  'metric.detect.p95',
  'metric.cpu',
  'metric.rss',
  'report.size',
  'report.write',
  'report.render',
  'report.fleet.size',
  'report.fleet.render',
  'compare.detect.p95',
  'compare.cpu',
  'compare.rss',
  'fleet.cpu',
  'fleet.wall',
  'fleet.state',
  'fleet.writes',
  'fleet.report',
];

// Runs every bench script once at tiny sizes. Speed is judged by `npm run bench`, never here:
// this only checks that each figure is measured and reported in the expected shape.
describe('npm run bench --smoke', { timeout: 240_000 }, () => {
  let dir: string | undefined;
  afterEach(async () => removeTempDir(dir));

  it('runs every figure once and writes a well-formed result and table', { timeout: 150_000 }, async () => {
    dir = await makeTempDir('rollout-bench-smoke-');
    const out = path.join(dir, 'latest.json');
    const result = await execa(process.execPath, [path.join(repoRoot, 'bench', 'run.js'), '--smoke', '--out', out], { cwd: repoRoot, reject: false });
    expect(result.exitCode, result.stderr).toBe(0);

    const doc = JSON.parse(readFileSync(out, 'utf8')) as { version: number; smoke: boolean; rows: BenchRow[] };
    expect(doc.version).toBe(1);
    expect(doc.smoke).toBe(true);
    expect(doc.rows.map((r) => r.id)).toEqual(figureIds);
    for (const r of doc.rows) {
      expect(typeof r.ours, r.id).toBe('number');
      expect(Number.isFinite(r.ours), r.id).toBe(true);
      // null only where the baseline tool is missing (the curl loop needs /usr/bin/curl).
      expect(r.baseline === null || Number.isFinite(r.baseline), r.id).toBe(true);
      expect(typeof r.target, r.id).toBe('string');
      expect([true, false, null], r.id).toContain(r.pass);
    }
    const table = result.stdout.split('\n');
    expect(table[0]).toBe('| figure | ours | baseline | ratio | target | result |');
    expect(table).toHaveLength(figureIds.length + 2);
  });
});

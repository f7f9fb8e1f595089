import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli } from '../helpers/cli.js';
import { FleetScript, fleetOf } from '../helpers/fleet-script.js';
import { defaultStatePath } from '../helpers/state.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/**
 * `rollout status` of a fleet run, through the built CLI: the state file holds a document folded from
 * a fleet run's events (the engine that writes such runs is tested with it; this is the reader).
 */
describe('rollout status with a fleet', { timeout: 30_000 }, () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it('lists the targets by state and says what resume will do; --json is the document with every target', async () => {
    await writePlan(dir, 'stages:\n  - name: everyone\n    deploy: "true"\n');
    const run = new FleetScript({ everyone: fleetOf(500, [1, 10]) }).stageStarted('everyone');
    for (let b = 1; b <= 5; b++) run.batch('everyone', b, 4, b === 3 ? ['web-15'] : []);
    run.batchStarted('everyone', 6).targetPasses('everyone', 'web-42').targetStarts('everyone', 'web-43').runFinished('interrupted');
    const doc = { ...run.doc(), lineage: 'fleet-lineage', serial: 7 };
    await fs.mkdir(path.dirname(defaultStatePath(dir)), { recursive: true });
    await fs.writeFile(defaultStatePath(dir), JSON.stringify(doc));

    const result = await runCli(['status'], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stdout).toContain(
      [
        'everyone: batch 6 of 51 stopped · 41 of 500 updated, 1 failed, 1 in progress, 457 pending',
        '  batch 1–2   all 11 updated',
        '  batch 3     9 of 10 updated, 1 failed',
        '  batch 4–5   all 20 updated',
        '  batch 6     1 of 10 updated, 1 in progress, 8 pending',
        '  batch 7–51  449 pending',
        '  failed (1):',
        '    web-15  health check healthz failed 1 time in a row: HTTP 503 (expected 2xx) (rolled back)',
        '  in progress (1):',
        '    web-43  soaking · healthz not measured yet',
      ].join('\n'),
    );
    expect(result.stdout).toContain('It left deployed: everyone (42 of 500 targets).');
    expect(result.stdout).toContain(
      '`rollout resume` will go on with everyone at batch 6 of 51: deploy again the 1 target cut short (web-43), then deploy the 457 pending, then go on. ' +
        'The 1 target that failed stays failed (`rollout resume --retry-failed` deploys it again).',
    );
    expect(result.stdout.split('\n').length).toBeLessThan(30);

    const json = await runCli(['status', '--json'], { cwd: dir });
    expect(json.exitCode, describeResult(json)).toBe(0);
    const printed = JSON.parse(json.stdout) as typeof doc;
    expect(printed.stages[0]?.targets).toHaveLength(500);
    expect(printed.stages[0]?.targets?.find((t) => t.name === 'web-15')).toMatchObject({ batch: 3, status: 'rolled_back', failed: true });
  });
});

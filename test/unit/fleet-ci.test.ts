import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { RolloutEvent } from '../../src/engine/events.js';
import { BuildkiteGroups } from '../../src/output/buildkite.js';
import { GitHubActions } from '../../src/output/github.js';
import { GitLabSections } from '../../src/output/gitlab.js';
import { PlainReporter } from '../../src/output/plain-reporter.js';
import { unitKey, unitLabel } from '../../src/run/unit-key.js';
import { MASK, Redactor } from '../../src/secrets/redact.js';
import { redactEvents } from '../../src/secrets/redact-events.js';
import { FleetScript } from '../helpers/fleet-script.js';
import { captureTerminal, feedAll, stillClock } from '../helpers/reporter-session.js';

/** A fleet's command output (prefix and redaction per target) and its CI markers (a block per batch). */

describe("a target's command output", () => {
  const SECRET = 'QWERTYUIOPAS';
  const finished = (run: FleetScript, target: string) =>
    run.push({ type: 'deploy.finished', stage: 'everyone', index: 0, target, exitCode: 0, signal: null, timedOut: false, durationMs: 5 });

  it('is prefixed `stage | target |` and redacted as a stream of its own: another target finishing releases none of its secret', async () => {
    const run = new FleetScript({ everyone: [['eu-1', 'eu-2']] }).stageStarted('everyone').batchStarted('everyone', 1);
    run.output('everyone', 'eu-1', `token=${SECRET.slice(0, 6)}`);
    run.output('everyone', 'eu-2', 'eu-2 says hi\n');
    finished(run, 'eu-2');
    run.output('everyone', 'eu-1', `${SECRET.slice(6)} done\n`);
    finished(run, 'eu-1');
    run.output('everyone', 'eu-2', `rolling back ${SECRET}\n`, 'rollback');
    const term = captureTerminal();
    const reporter = new PlainReporter({ term, clock: stillClock });
    const shown: RolloutEvent[] = [];
    const emit = redactEvents(new Redactor([SECRET]), (event) => {
      shown.push(event);
      return reporter.handle(event);
    });
    for (const event of run.events) await emit(event);
    reporter.close();
    await new Promise((resolve) => setImmediate(resolve));
    const output = term
      .text()
      .split('\n')
      .filter((line) => line.startsWith('everyone |'));
    expect(output).toEqual([
      'everyone | eu-1 | token=',
      'everyone | eu-2 | eu-2 says hi',
      `everyone | eu-1 | ${MASK} done`,
      `everyone | eu-2 | rolling back ${MASK}`,
    ]);
    expect(term.text()).not.toMatch(/QWE|UIO|PAS/);
    // eu-1's held tail stayed held across eu-2's finish, and was released before eu-1's own.
    const order = shown.map((e) => (e.type === 'command.output' ? `${e.target}:${Buffer.from(e.chunk)}` : `${e.type}:${'target' in e ? e.target : ''}`));
    const masked = order.findIndex((e) => e.startsWith(`eu-1:${MASK}`));
    expect(masked).toBeGreaterThan(order.indexOf('deploy.finished:eu-2'));
    expect(masked).toBeLessThan(order.indexOf('deploy.finished:eu-1'));
  });

  it('a target and a stage named like `stage/target` never share a prefix or a stream', () => {
    expect(unitKey({ stage: 'everyone', target: 'eu-1' })).not.toBe(unitKey({ stage: 'everyone/eu-1' }));
    expect(unitLabel({ stage: 'everyone', target: 'eu-2' })).toBe('everyone | eu-2');
  });
});

const ERASE = '\u001b[0K';

describe('a fleet in CI logs', () => {
  /** Two batches; eu-3 fails in the second and is rolled back. */
  const run = () => {
    const script = new FleetScript({ everyone: [['eu-1'], ['eu-2', 'eu-3']] }).stageStarted('everyone').batch('everyone', 1, 1);
    script.batchStarted('everyone', 2).output('everyone', 'eu-2', 'eu-2 deploying\n').targetPasses('everyone', 'eu-2').targetFails('everyone', 'eu-3');
    return script.batchBakes('everyone', 2).batchFinished('everyone', 2, 0).stagePassed('everyone').runFinished('succeeded');
  };
  const markers = (log: string) => log.split('\n').filter((line) => /^(::(group|endgroup|error)|---|\^\^\^)/.test(line) || line.startsWith(`${ERASE}section`));

  it('GitHub: a group per batch (a target’s commands run at once with others: no group of their own), the job summary lists the targets', async () => {
    const term = captureTerminal();
    const summary = path.join(scratch(), 'summary.md');
    await feedAll(new GitHubActions(new PlainReporter({ term, clock: stillClock }), term.err, { GITHUB_STEP_SUMMARY: summary }), run().events);
    expect(markers(term.text())).toEqual(['::group::everyone batch 1/2: 1 target', '::endgroup::', '::group::everyone batch 2/2: 2 targets', '::endgroup::']);
    const inside = term.text().slice(term.text().indexOf('::group::everyone batch 2/2'), term.text().lastIndexOf('::endgroup::'));
    expect(inside).toContain('everyone | eu-2 | eu-2 deploying\n');
    expect(inside).toContain('everyone eu-3 ✗ failed: ');
    expect(fs.readFileSync(summary, 'utf8')).toContain(
      '**❌ failed (1)**\n\n- eu-3: health check healthz failed 1 time in a row: HTTP 503 (expected 2xx) (rolled back)',
    );
  });

  it('GitHub: the failed stage’s annotation names its failed targets', async () => {
    const script = new FleetScript({ everyone: [['eu-1', 'eu-2', 'eu-3']] }).stageStarted('everyone').batchStarted('everyone', 1);
    script.targetFails('everyone', 'eu-1').targetFails('everyone', 'eu-2', { how: 'deploy' });
    script.stageFailed('everyone', 'failure budget exceeded: 2 failed, 1 tolerated', ['eu-1', 'eu-2'], 'total').runFinished('failed');
    const term = captureTerminal();
    await feedAll(new GitHubActions(new PlainReporter({ term, clock: stillClock }), term.err, {}), script.events);
    expect(markers(term.text())).toContain(
      '::error title=rollout%3A stage everyone failed::failure budget exceeded: 2 failed, 1 tolerated (failed: eu-1, eu-2)',
    );
  });

  it('Buildkite: a group per batch, opened where a target failed; the bake is a group, a target’s soak is not', async () => {
    const term = captureTerminal();
    await feedAll(new BuildkiteGroups(new PlainReporter({ term, clock: stillClock }), term.err, { PATH: '/nonexistent' }), run().events);
    expect(markers(term.text())).toEqual([
      '--- everyone batch 1/2: 1 target',
      '--- everyone bake',
      '--- everyone batch 2/2: 2 targets',
      '^^^ +++',
      '--- everyone bake',
    ]);
  });

  it('GitLab: a collapsed section per batch', async () => {
    const term = captureTerminal();
    await feedAll(new GitLabSections(new PlainReporter({ term, clock: stillClock }), term.err, path.join(scratch(), 'rollout.env')), run().events);
    const sections = markers(term.text()).map((line) => line.replaceAll(ERASE, '').replace(/:\d+:/, ':T:').split('\r')[0]);
    expect(sections).toEqual([
      'section_start:T:rollout_everyone_batch_1[collapsed=true]',
      'section_end:T:rollout_everyone_batch_1',
      'section_start:T:rollout_everyone_batch_2[collapsed=true]',
      'section_end:T:rollout_everyone_batch_2',
    ]);
  });
});

function scratch(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-fleet-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

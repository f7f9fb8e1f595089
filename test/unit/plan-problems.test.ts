import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { validateInProcess } from '../helpers/validate-in-process.js';

/** `rollout validate` on a plan: every problem once, duplicates of stage names always among them. */
describe('validate reports every problem, each once', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  async function problems(plan: string): Promise<string[]> {
    await fs.writeFile(path.join(dir, 'rollout.config.yml'), plan);
    const result = await validateInProcess(dir, 'rollout.config.yml');
    expect(result.exitCode).toBe(2);
    return result.stderr
      .split('\n')
      .filter((line) => line.startsWith('  '))
      .map((line) => line.trim());
  }

  it.each([
    {
      name: 'a bad soak, once',
      plan: 'defaults: { soak: 5 minutes }\nstages:\n  - name: canary\n    deploy: "true"\n',
      expected: ['rollout.config.yml:1:19 defaults.soak: expected a duration like 250ms, 30s, 5m, 1h or 1m30s'],
    },
    {
      name: 'a duplicate stage name next to other problems',
      plan: 'stages:\n  - name: canary\n    deploy: "true"\n    soak: soon\n  - name: canary\n    deploi: x\n',
      expected: [
        'rollout.config.yml:4:11 stages.0.soak: expected a duration like 250ms, 30s, 5m, 1h or 1m30s',
        'rollout.config.yml:5:5 stages.1.deploy: is required',
        'rollout.config.yml:5:11 stages.1.name: duplicate stage name "canary" (also stages.0.name)',
        'rollout.config.yml:6:5 stages.1.deploi: unknown key (did you mean "deploy"?)',
      ],
    },
    {
      name: 'a duplicate stage name alone, once',
      plan: 'stages:\n  - name: a\n    deploy: "true"\n  - name: a\n    deploy: "true"\n  - name: a\n    deploy: "true"\n',
      expected: [
        'rollout.config.yml:4:11 stages.1.name: duplicate stage name "a" (also stages.0.name)',
        'rollout.config.yml:6:11 stages.2.name: duplicate stage name "a" (also stages.0.name)',
      ],
    },
    {
      name: 'a compare block of the wrong shape, each key named',
      plan: [
        'stages:',
        '  - name: canary',
        '    deploy: "true"',
        '    health:',
        '      - type: prometheus',
        '        server: http://prometheus:9090',
        '        compare:',
        '          method: fisher',
        '          baseline: up',
        '          canary: { errors: "e{v=\\"${vars.nope}\\"}", total: t }',
        '          effect: { measure: cles, allowed: 1, critical: 0.5 }',
      ].join('\n'),
      expected: [
        'rollout.config.yml:9:21 stages.0.health.0.compare.baseline: fisher compares counts: give {errors: <query>, total: <query>}',
        'rollout.config.yml:10:29 stages.0.health.0.compare.canary.errors: ${vars.nope}: the plan declares no var "nope"',
        'rollout.config.yml:11:30 stages.0.health.0.compare.effect.measure: counts take difference or ratio',
        'rollout.config.yml:11:58 stages.0.health.0.compare.effect.critical: must be at least allowed (1)',
      ],
    },
    {
      name: 'a confidence that is not a fraction',
      plan: 'stages:\n  - name: canary\n    deploy: "true"\n    health:\n      - type: prometheus\n        server: http://p:9090\n        compare: { baseline: a, canary: b, confidence: 98 }\n',
      expected: ['rollout.config.yml:7:56 stages.0.health.0.compare.confidence: must be between 0 and 1'],
    },
    {
      name: 'neither query nor compare',
      plan: 'stages:\n  - name: canary\n    deploy: "true"\n    health:\n      - type: prometheus\n        server: http://prometheus:9090\n        pass: result < 1\n',
      expected: ['rollout.config.yml:5:9 stages.0.health.0.query: give either query: (with pass:/fail:) or compare: (baseline and canary)'],
    },
  ])('$name', async ({ plan, expected }) => {
    const found = await problems(plan);
    expect(found.map((line) => line.slice(line.indexOf('rollout.config.yml')))).toEqual(expected);
  });
});

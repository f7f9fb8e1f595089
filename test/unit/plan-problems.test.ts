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
  ])('$name', async ({ plan, expected }) => {
    const found = await problems(plan);
    expect(found.map((line) => line.slice(line.indexOf('rollout.config.yml')))).toEqual(expected);
  });
});

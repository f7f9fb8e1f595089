import fs from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STACK_TRACE } from '../helpers/cli.js';
import { mutatedPlanText } from '../helpers/plan-mutations.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { validateInProcess } from '../helpers/validate-in-process.js';

describe('rollout validate on 1,000+ mutated plans (in process, same code path as the CLI)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('rollout-fuzz-');
  });
  afterAll(async () => removeTempDir(dir));

  it('always ends with exit 0 or 2 and a message, never a crash or a stack trace', async () => {
    let valid = 0;
    await fc.assert(
      fc.asyncProperty(mutatedPlanText, fc.constantFrom('rollout.config.yml', 'rollout.config.json', '.rolloutrc'), async (text, name) => {
        await fs.writeFile(path.join(dir, name), text);
        const result = await validateInProcess(dir, name);
        const shown = `exit ${result.exitCode}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
        expect([0, 2], shown).toContain(result.exitCode);
        expect(result.stdout + result.stderr, shown).not.toMatch(STACK_TRACE);
        expect(result.stderr, shown).not.toContain('an internal error');
        if (result.exitCode === 0) {
          valid++;
          expect(result.stdout, shown).toMatch(/is valid/);
        } else expect(result.stderr, shown).toMatch(/^error: \S/);
      }),
      { numRuns: 1500 },
    );
    // The generator must also produce plans that survive, or it only tests the parser's front door.
    expect(valid).toBeGreaterThan(10);
  }, 120_000);
});

import fs from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli, STACK_TRACE } from '../helpers/cli.js';
import { mutatedPlanText } from '../helpers/plan-mutations.js';
import { exists, makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';

/** The V8 heap is capped so a plan that makes the CLI balloon crashes it, failing the test. */
const BOUNDED = { NODE_OPTIONS: '--max-old-space-size=64' };
/** Generous: only a hang or a pathological slowdown hits it. */
const TIMEOUT = 10_000;

const aliasBomb = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
  'stages: [{name: x, deploy: "true"}]',
].join('\n');

const hostile: { title: string; text: () => string; expected: RegExp }[] = [
  { title: 'an alias bomb (billion laughs)', text: () => aliasBomb, expected: /too many YAML aliases/ },
  { title: 'a custom tag', text: () => 'stages: !exec [{name: x, deploy: "true"}]\n', expected: /custom YAML tags are not allowed/ },
  { title: 'a language-specific tag', text: () => 'name: !!python/object/apply:os.system ["id"]\nstages: []\n', expected: /custom YAML tags are not allowed/ },
  { title: 'a duplicate key', text: () => 'stages: []\nstages: [{name: x, deploy: "true"}]\n', expected: /2:1: duplicate key/ },
  { title: 'a plan over 1 MiB', text: () => `stages: [{name: x, deploy: "true"}]\n#${'x'.repeat(1024 * 1024)}\n`, expected: /the limit is 1048576 \(1 MiB\)/ },
  { title: 'a __proto__ key', text: () => '__proto__: {polluted: true}\nstages: [{name: x, deploy: "true"}]\n', expected: /key "__proto__" is not allowed/ },
  {
    title: 'a constructor key',
    text: () => 'stages: [{name: x, deploy: "true", constructor: {prototype: 1}}]\n',
    expected: /key "constructor" is not allowed/,
  },
  {
    title: 'a prototype key in JSON',
    text: () => '{"stages": [{"name": "x", "deploy": "true"}], "vars": {"prototype": 1}}',
    expected: /key "prototype" is not allowed/,
  },
  { title: 'a mapping as a key', text: () => '? {a: 1}\n: x\nstages: []\n', expected: /keys must be plain scalars/ },
  { title: 'flow nesting half a million deep', text: () => `${'['.repeat(500_000)}${']'.repeat(500_000)}`, expected: /nested deeper than 64 levels/ },
  {
    title: 'JSON nesting deep inside a valid plan',
    text: () => `{"stages": [{"name": "x", "deploy": "true"}], "vars": ${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`,
    expected: /nested deeper than 64 levels/,
  },
  { title: 'a flat list of 300,000 items', text: () => `stages: [${Array(300_000).fill('x').join(',')}]`, expected: /more than 20000 lines, items and keys/ },
  { title: 'a block sequence nested by dashes', text: () => `stages: ${'- '.repeat(300_000)}x`, expected: /more than 20000 lines, items and keys/ },
];

describe('hostile plans are refused with exit 2, quickly and in bounded memory', { timeout: 60_000 }, () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => removeTempDir(dir));

  for (const plan of hostile) {
    it(`refuses ${plan.title}`, async () => {
      await writePlan(dir, plan.text(), 'rollout.config.yml');
      const result = await runCli(['validate'], { cwd: dir, env: BOUNDED, timeout: TIMEOUT });
      expect(result.timedOut, describeResult(result)).toBe(false);
      expect(result.exitCode, describeResult(result)).toBe(2);
      expect(result.stderr).toMatch(plan.expected);
      expect(result.all).not.toMatch(STACK_TRACE);
      expect(result.all).not.toMatch(/Warning:/);
    });
  }

  it('refuses a hostile plan on `run` too, before running or writing anything', async () => {
    await writePlan(dir, `${aliasBomb.replace('"true"', '"touch ran"')}\n`);
    const result = await runCli(['run'], { cwd: dir, env: BOUNDED, timeout: TIMEOUT });
    expect(result.exitCode, describeResult(result)).toBe(2);
    expect(await exists(path.join(dir, 'ran'))).toBe(false);
    expect(await exists(path.join(dir, '.rollout'))).toBe(false);
  });

  // Thousands more go through `validate` in-process (test/unit/validate-fuzz.test.ts); these few prove the real CLI agrees.
  it('answers every one of 12 mutated plans with exit 0 or 2 and a message, through the real CLI', async () => {
    const texts = fc.sample(mutatedPlanText, { numRuns: 12, seed: 20261124 });
    for (const [index, text] of texts.entries()) {
      const file = path.join(dir, `plan-${index}.yml`);
      await fs.writeFile(file, text);
      const result = await runCli(['validate', '--config', file], { cwd: dir, env: BOUNDED, timeout: TIMEOUT });
      const shown = `plan ${index}:\n${text.slice(0, 2000)}\n${describeResult(result)}`;
      expect([0, 2], shown).toContain(result.exitCode);
      expect(result.exitCode === 0 ? result.stdout : result.stderr, shown).toMatch(result.exitCode === 0 ? /is valid/ : /^error: \S/);
      expect(result.all, shown).not.toMatch(STACK_TRACE);
    }
  });
});

import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { validateInProcess } from '../helpers/validate-in-process.js';

/** `rollout validate` on fleet plans: every problem in one pass, each at its file:line:col and key, exit 2. */
let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('rollout-fleet-problems-');
});
afterEach(async () => {
  await removeTempDir(dir);
});

async function problems(lines: string[]): Promise<string[]> {
  await fs.writeFile(path.join(dir, 'rollout.config.yml'), `${lines.join('\n')}\n`);
  const result = await validateInProcess(dir, 'rollout.config.yml');
  expect(result.exitCode, result.stdout).toBe(2);
  return result.stderr
    .split('\n')
    .filter((line) => line.startsWith('  '))
    .map((line) => line.trim().replace(/^rollout\.config\.yml:/, ''));
}

const TARGETS = [
  'targets:',
  '  eu-1: { host: eu-1.internal, region: eu }',
  '  eu-2: { host: eu-2.internal, region: eu }',
  '  us-1: { host: us-1.internal, region: us }',
];
const stage = (name: string, ...keys: string[]) => [`  - name: ${name}`, '    deploy: "true"', ...keys.map((k) => `    ${k}`)];

describe('fleet plan problems', () => {
  it('names unknown targets (with the closest), a target selected twice (both stages) and empty selections, all at once', async () => {
    expect(
      await problems([
        ...TARGETS,
        'stages:',
        ...stage('one-box', 'targets: [eu-1, eu-3, eu1]'),
        ...stage('europe', 'targets: { match: { region: [eu] } }'),
        ...stage('asia', 'targets: { match: { region: ap } }'),
        ...stage('typo', 'targets: { match: { regoin: eu } }'),
        ...stage('rest', 'targets: "*"'),
      ]),
    ).toEqual([
      '8:21 stages.0.targets.1: no target named "eu-3" (did you mean "eu-1"?)',
      '8:27 stages.0.targets.2: no target named "eu1" (did you mean "eu-1"?)',
      '11:14 stages.1.targets: target "eu-1" is selected by stage "one-box" and by stage "europe"; a target is deployed by one stage only',
      '14:14 stages.2.targets: selects no target: none has region ap',
      '17:33 stages.3.targets.match.regoin: no target has an attribute "regoin" (did you mean "region"?)',
    ]);
  });

  it('refuses a selection of 0 targets: an empty list, and "*" when nothing is left', async () => {
    expect(
      await problems([
        ...TARGETS,
        'stages:',
        ...stage('none', 'targets: []'),
        ...stage('all', 'targets: { match: { region: [eu, us] } }'),
        ...stage('rest', 'targets: "*"'),
      ]),
    ).toEqual(['8:14 stages.0.targets: must name at least one target', '14:14 stages.2.targets: selects no target: every target is selected by another stage']);
  });

  it('lets one stage take the rest ("*"), not two', async () => {
    expect(await problems([...TARGETS, 'stages:', ...stage('a', 'targets: "*"'), ...stage('b', 'targets: "*"')])).toEqual([
      '11:14 stages.1.targets: stage "a" already takes the rest ("*"); only one stage can',
    ]);
  });

  it('refuses targets: without top-level targets, and fleet keys on a stage without targets:', async () => {
    expect(
      await problems([
        'stages:',
        ...stage('a', 'targets: [eu-1]'),
        ...stage('b', 'batch: 2', 'maxParallel: 2', 'bake: 1m', 'verify: ./v.sh', 'failureBudget: { total: 1 }', 'onBudgetExceeded: stop'),
      ]),
    ).toEqual([
      '4:14 stages.0.targets: the plan names no targets: list them under the top-level `targets:` first',
      '7:12 stages.1.batch: only a stage with `targets:` has batch; without targets the stage is one unit',
      '8:18 stages.1.maxParallel: only a stage with `targets:` has maxParallel; without targets the stage is one unit',
      '9:11 stages.1.bake: only a stage with `targets:` has bake; without targets the stage is one unit',
      '10:13 stages.1.verify: only a stage with `targets:` has verify; without targets the stage is one unit',
      '11:20 stages.1.failureBudget: only a stage with `targets:` has failureBudget; without targets the stage is one unit',
      '12:23 stages.1.onBudgetExceeded: only a stage with `targets:` has onBudgetExceeded; without targets the stage is one unit',
    ]);
  });

  it('refuses batch entries of 0, 0%, negative, over 100% or not an amount', async () => {
    expect(
      await problems([
        ...TARGETS,
        'stages:',
        ...stage('a', 'targets: [eu-1]', 'batch: 0'),
        ...stage('b', 'targets: [eu-2]', 'batch: [1, "0%"]'),
        ...stage('c', 'targets: [us-1]', 'batch: [-1, "150%", "some", 1.5]', 'maxParallel: 0'),
      ]),
    ).toEqual([
      '9:12 stages.0.batch: must be at least 1: a batch deploys at least one target',
      '13:16 stages.1.batch.1: must be more than 0%: a batch deploys at least one target',
      '17:13 stages.2.batch.0: must be at least 1: a batch deploys at least one target',
      '17:17 stages.2.batch.1: must be at most 100%',
      '17:25 stages.2.batch.2: must be a whole number or a percentage like "25%"',
      '17:33 stages.2.batch.3: must be a whole number',
      '18:18 stages.2.maxParallel: must be at least 1',
    ]);
  });

  it('refuses a minHealthy the stage can never keep', async () => {
    expect(
      await problems([
        ...TARGETS,
        'stages:',
        ...stage('a', 'targets: [eu-1, eu-2]', 'failureBudget: { minHealthy: 3 }'),
        ...stage('b', 'targets: "*"', 'failureBudget: { minHealthy: "100%", total: "-1" }'),
      ]),
    ).toEqual(
      [
        '9:34 stages.0.failureBudget.minHealthy: minHealthy 3 of 2 targets is more than the stage has',
        '13:49 stages.1.failureBudget.total: must be a whole number or a percentage like "25%"',
        '13:34 stages.1.failureBudget.minHealthy: minHealthy 100% of 1 target is 1: no batch of 1 could ever start (1 − 1 healthy while it deploys is fewer than 1)',
      ].sort(byPosition),
    );
  });

  it('says which key uses ${target.…} where there is no target, or an attribute a target lacks', async () => {
    expect(
      await problems([
        'targets:',
        '  eu-1: { host: eu-1.internal, port: 80 }',
        '  eu-2: { host: eu-2.internal }',
        'checks:',
        '  rate: { type: command, run: "./rate.sh ${target.host}" }',
        'stages:',
        ...stage('plain', 'health: [{ url: "http://${target.host}/healthz" }]'),
        ...stage('fleet', 'targets: "*"', 'health: [{ url: "http://${target.host}:${target.prot}/" }]', 'fleetChecks: [rate]'),
      ]),
    ).toEqual([
      '5:31 checks.rate.run: ${target.host}: only the checks of a stage with `targets:` are measured per target (not fleetChecks, notify or a stage without targets)',
      '9:21 stages.0.health.0.url: ${target.host}: only the checks of a stage with `targets:` are measured per target (not fleetChecks, notify or a stage without targets)',
      '13:21 stages.1.health.0.url: ${target.prot}: target "eu-1" has no attribute "prot" (did you mean "port"?)',
      // The URL is still checked, as with any unknown placeholder: a port that is not a number is not a URL.
      '13:21 stages.1.health.0.url: must be an http:// or https:// URL; after substitution it is "http://eu-1.internal:${target.prot}/"',
    ]);
  });

  it('refuses ${target.…} in commands, naming the environment variable to use', async () => {
    expect(
      await problems([
        ...TARGETS,
        'rollback: ./undo.sh ${target.name}',
        'stages:',
        ...stage('a', 'targets: "*"', 'rollback: ./undo.sh "$ROLLOUT_TARGET_HOST"', 'verify: { run: "./v.sh ${ target.data-center }" }'),
      ]),
    ).toEqual([
      '5:11 rollback: ${target.name} is never filled into a command (a target\'s values reach commands only as environment variables): write "$ROLLOUT_TARGET"',
      '11:20 stages.0.verify.run: ${ target.data-center } is never filled into a command (a target\'s values reach commands only as environment variables): write "$ROLLOUT_TARGET_DATA_CENTER"',
    ]);
  });

  it('refuses bad target names, an attribute called name, and two attributes with one environment name', async () => {
    expect(await problems(['targets:', '  -bad: {}', '  ok: { name: x, data-center: a, data_center: b }', 'stages:', ...stage('a', 'targets: [ok]')])).toEqual([
      '2:9 targets.-bad: is not a valid name: it must be letters, digits, _ . or -, starting with a letter or digit',
      '3:15 targets.ok.name: a target’s name is its key (`${target.name}`, ROLLOUT_TARGET); call this attribute something else',
      '3:47 targets.ok.data_center: attribute "data_center" and attribute "data-center" both become ROLLOUT_TARGET_DATA_CENTER',
    ]);
  });
});

describe('a plan with schema problems', () => {
  it('keeps a target whose attribute is broken: stages selecting it are not told it does not exist', async () => {
    expect(await problems(['targets:', '  eu-1: { host: [a, b] }', '  eu-2: [eu-2.internal]', 'stages:', ...stage('a', 'targets: [eu-1, eu-2]')])).toEqual([
      '2:17 targets.eu-1.host: must be text, not a list',
      '3:9 targets.eu-2: must be a mapping (key: value), not a list',
    ]);
  });
});

describe("checks written in place in a stage's checks: list", () => {
  it('describes a wrong entry as the check it looks like, next to named ones', async () => {
    expect(
      await problems([
        'checks:',
        '  smoke: { type: command, run: ./smoke.sh }',
        'stages:',
        ...stage('a', 'checks:', '  - smoke', '  - { use: smoke, wiht: {} }', '  - { uri: "http://x" }', '  - { type: command, run: 5 }', '  - { type: nope }'),
      ]),
    ).toEqual([
      '8:23 stages.0.checks.1.wiht: unknown key (did you mean "with"?)',
      '9:9 stages.0.checks.2.url: is required',
      '9:11 stages.0.checks.2.uri: unknown key (did you mean "url"?)',
      '10:31 stages.0.checks.3.run: must be text, not a whole number',
      '11:17 stages.0.checks.4.type: unknown check type; the types are http, command, prometheus, graphite, influxdb, datadog, cloudwatch',
    ]);
  });
});

function byPosition(a: string, b: string): number {
  const [la, ca] = a.split(/[: ]/).map(Number) as [number, number];
  const [lb, cb] = b.split(/[: ]/).map(Number) as [number, number];
  return la - lb || ca - cb;
}

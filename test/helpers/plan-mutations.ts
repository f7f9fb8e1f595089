import fc from 'fast-check';
import { stringify } from 'yaml';

/** A valid plan using every key, the starting point for mutations. */
export const BASE_PLAN = {
  version: 1,
  name: 'checkout-api',
  vars: { image_tag: 'v2.4.0', replicas: 3, canary: true },
  secrets: ['HEALTH_TOKEN'],
  defaults: { soak: '30s', timeout: '10m', health: { interval: '5s', timeout: '2s', failureThreshold: 3 } },
  onFailure: 'rollback',
  state: '.rollout/state.json',
  stages: [
    {
      name: 'canary',
      deploy: './deploy.sh --weight 5',
      rollback: './deploy.sh --weight 0',
      soak: '2m',
      timeout: '5m',
      health: [
        {
          url: 'https://canary.internal/healthz?tag=${vars.image_tag}',
          name: 'canary-health',
          expectStatus: [200, 204],
          interval: '2s',
          timeout: 1,
          failureThreshold: 2,
          headers: { 'X-Env': 'prod' },
          insecure: false,
        },
      ],
    },
    {
      name: 'fleet',
      targets: '*',
      deploy: './deploy.sh "$ROLLOUT_TARGET_HOST"',
      batch: [1, '50%'],
      maxParallel: 2,
      bake: '1m',
      firstBake: '2m',
      failureBudget: { perBatch: 0, total: '10%', minHealthy: 1 },
      onBudgetExceeded: 'rollback-stage',
      onTargetFailure: 'keep',
      verify: { run: './version-of.sh', expect: '${vars.image_tag}', timeout: '30s' },
      checks: [{ url: 'http://${target.host}:${target.port}/healthz' }],
      fleetChecks: [],
    },
    { name: 'one-box', targets: ['ap-1'], deploy: './deploy.sh', verify: './version-of.sh' },
    { name: 'europe', targets: { match: { region: ['eu'] } }, deploy: './deploy.sh' },
    { name: 'full', deploy: './deploy.sh --weight 100' },
  ],
  targets: {
    'eu-1': { host: 'eu-1.internal', region: 'eu', port: 8080 },
    'us-1': { host: 'us-1.internal', region: 'us', port: 8080 },
    'us-2': { host: 'us-2.internal', region: 'us', port: 8080 },
    'ap-1': null,
  },
};

const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u001b[31m',
    '\ud800',
    '\u202e',
    '${env.X}',
    '${vars.nope}',
    '${',
    '5 minutes',
    '-1s',
    '1e309',
    'NaN',
    '__proto__',
    'constructor',
    '0x1F',
    '~',
    'null',
    'http://',
    'https://[::1',
  ),
);
const nastyNumber = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(1e308, -0, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, 1e-320));
const nastyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyString,
    nastyNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(nastyString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, child]) => paths(child, [...prefix, key]))];
}
const ALL_PATHS = paths(BASE_PLAN).filter((p) => p.length > 0);

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function parentOf(root: unknown, path: Path): Record<string | number, unknown> | undefined {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) {
    node = node?.[key] as Record<string | number, unknown>;
    if (node === null || typeof node !== 'object') return undefined;
  }
  return node;
}

type Mutation = (plan: Record<string, unknown>) => void;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // delete a key
  fc.constantFrom(...ALL_PATHS).map(
    (path): Mutation =>
      (plan) => {
        const parent = parentOf(plan, path);
        if (parent) delete parent[path.at(-1) as string];
      },
  ),
  // rename a key
  fc.tuple(fc.constantFrom(...ALL_PATHS), nastyString).map(
    ([path, name]): Mutation =>
      (plan) => {
        const parent = parentOf(plan, path);
        const key = path.at(-1) as string;
        if (parent && !Array.isArray(parent)) {
          Object.defineProperty(parent, name, { value: parent[key], enumerable: true, configurable: true, writable: true });
          delete parent[key];
        }
      },
  ),
  // retype a value
  fc.tuple(fc.constantFrom(...ALL_PATHS), nastyValue).map(
    ([path, value]): Mutation =>
      (plan) => {
        const parent = parentOf(plan, path);
        if (parent) parent[path.at(-1) as string] = value;
      },
  ),
  // nest deeply
  fc.tuple(fc.constantFrom(...ALL_PATHS), fc.integer({ min: 1, max: 200 })).map(
    ([path, depth]): Mutation =>
      (plan) => {
        const parent = parentOf(plan, path);
        let value: unknown = 'leaf';
        for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { k: value };
        if (parent) parent[path.at(-1) as string] = value;
      },
  ),
  // many stages or a huge string
  fc.integer({ min: 0, max: 300 }).map(
    (count): Mutation =>
      (plan) => {
        plan.stages = Array.from({ length: count }, (_, i) => ({ name: `s${i % 50}`, deploy: 'x'.repeat(i) }));
      },
  ),
);

/** Text-level damage: what a bad merge, a wrong editor or an attacker does to the file. */
const textMutation: fc.Arbitrary<(text: string) => string> = fc.oneof(
  fc.tuple(fc.nat(), nastyString).map(
    ([at, insert]) =>
      (text: string) =>
        text.slice(0, at % (text.length + 1)) + insert + text.slice(at % (text.length + 1)),
  ),
  fc.nat().map((at) => (text: string) => text.slice(0, at % (text.length + 1))),
  fc.tuple(fc.nat(), fc.nat({ max: 40 })).map(
    ([at, length]) =>
      (text: string) =>
        text.slice(0, at % (text.length + 1)) + text.slice((at % (text.length + 1)) + length),
  ),
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom(
        '&a ',
        '*a',
        '<<: *a\n',
        '!custom ',
        '!!binary ',
        '!!python/object:os.system ',
        '!!js/function ',
        '? ',
        '%YAML 1.1\n---\n',
        '---\n',
        '...\n',
        '|\n',
        '>-\n',
        '\t',
        '"',
        "'",
        '{',
        '[',
        '\ufeff',
        '#',
        '\r\n',
        '__proto__: {}\n',
        'constructor: 1\n',
        '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
        '- - - - - - - - - - - - - - - - - - - - - - - ',
      ),
    )
    .map(
      ([at, insert]) =>
        (text: string) =>
          text.slice(0, at % (text.length + 1)) + insert + text.slice(at % (text.length + 1)),
    ),
  fc.constant((text: string) => `${text}\n${text}`), // every key duplicated
  fc.constant(
    (text: string) => `a: &a ["x","x","x","x","x","x","x","x","x"]\n${'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'}${text}`,
  ),
);

/** A plan text: a mutated valid plan as YAML or JSON, possibly damaged as text, or pure noise. */
export const mutatedPlanText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(fc.array(mutation, { maxLength: 4 }), fc.boolean(), fc.array(textMutation, { maxLength: 3 })).map(([mutations, asJson, damage]) => {
      const plan = clone(BASE_PLAN) as Record<string, unknown>;
      for (const mutate of mutations) mutate(plan);
      let text = asJson ? JSON.stringify(plan, null, 2) : stringify(plan);
      for (const hurt of damage) text = hurt(text);
      return text;
    }),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 6 }) },
  {
    weight: 1,
    arbitrary: fc.anything({ maxDepth: 4 }).map((value) => {
      try {
        return String(stringify(value) ?? value);
      } catch {
        return String(value);
      }
    }),
  },
);

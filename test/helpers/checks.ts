import type { HttpSpec } from '../../src/checks/http/schema.js';
import type { CheckPolled, SoakCheck } from '../../src/engine/events.js';
import { soakCheck as announce } from '../../src/engine/soak.js';
import type { Check, CheckSettings } from '../../src/plan/types.js';

/** A normalised check with every default, as the engine gets it; `spec` is an http one unless given. */
export function testCheck(name: string, overrides: Partial<CheckSettings & Pick<Check, 'kind' | 'spec' | 'entryPoint'>> = {}): Check {
  const url = `http://127.0.0.1/${name}`;
  const spec: HttpSpec = {
    kind: 'http',
    url,
    displayUrl: url,
    expectStatus: null,
    bodyMatches: null,
    maxLatencyMs: null,
    headers: {},
    caFile: null,
    ca: null,
    insecure: false,
    proxy: null,
  };
  return {
    kind: 'http',
    name,
    description: `GET ${url}`,
    spec,
    entryPoint: url,
    source: ['stages', 0, 'health', 0],
    intervalMs: 1000,
    timeoutMs: 500,
    failureThreshold: 3,
    maxFailures: null,
    minSamples: 1,
    initialDelayMs: 0,
    dryRun: false,
    pass: null,
    fail: null,
    onNoData: 'inconclusive',
    maxConsecutiveErrors: 4,
    ...overrides,
  };
}

/** How `soak.started` announces `testCheck(name)` (polled every 5 s), as the engine builds it. */
export function soakCheck(name: string, overrides: Partial<SoakCheck> = {}): SoakCheck {
  return { ...announce(testCheck(name, { intervalMs: 5000 })), description: `GET http://x/${name}`, url: `GET http://x/${name}`, ...overrides };
}

type PolledBase = Pick<CheckPolled, 'time' | 'runId' | 'stage' | 'index' | 'check'>;

/** A passing `check.polled` event; override what the test is about. */
export function polled(base: PolledBase, overrides: Partial<CheckPolled> = {}): CheckPolled {
  return {
    ...base,
    type: 'check.polled',
    kind: 'http',
    ok: true,
    outcome: 'pass',
    status: 200,
    latencyMs: 12,
    error: null,
    value: { status: 200 },
    display: 'HTTP 200 in 12ms',
    condition: null,
    reason: null,
    dryRun: false,
    polls: 1,
    failures: 0,
    consecutiveFailures: 0,
    counts: { pass: 1, fail: 0, inconclusive: 0, error: 0 },
    consecutiveErrors: 0,
    ...overrides,
  };
}

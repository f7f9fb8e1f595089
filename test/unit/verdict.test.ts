import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/engine/events.js';
import { checkSubject, continuesAfterSoak, finalVerdict, newTally, type Rules, record } from '../../src/engine/verdict.js';

const rules = (overrides: Partial<Rules> = {}): Rules => ({ failureThreshold: 3, maxFailures: null, minSamples: 1, maxConsecutiveErrors: 4, ...overrides });
const letters: Record<string, Outcome> = { P: 'pass', F: 'fail', I: 'inconclusive', E: 'error' };

/** Folds a sequence like "PFFE" and says where (1-based) it decided, and the final verdict. */
function fold(sequence: string, r: Rules) {
  const tally = newTally();
  let decidedAt: number | null = null;
  [...sequence].forEach((letter, i) => {
    const decided = record('http check c', r, tally, letters[letter] as Outcome, `${letter}${i + 1}`);
    if (decided && decidedAt === null) decidedAt = i + 1;
  });
  return { decidedAt, ...finalVerdict(r, tally), tally };
}

describe('verdict rules over a soak', () => {
  it.each([
    // sequence, rules, decided at measurement #, final verdict
    ['PPPP', {}, null, 'pass'],
    ['FFF', {}, 3, 'fail'],
    ['FFPFFPFF', {}, null, 'pass'],
    ['FFIF', {}, 3 + 1, 'fail'], // inconclusive does not break a fail run
    ['FFEF', {}, 4, 'fail'], // nor does an error
    ['F', { failureThreshold: 1 }, 1, 'fail'],
    ['FPFPFP', { maxFailures: 2 }, 5, 'fail'], // tolerates 2, fails on the 3rd
    ['FPFP', { maxFailures: 2 }, null, 'pass'],
    ['PFPFPF', { maxFailures: 0, failureThreshold: 5 }, 2, 'fail'],
    ['EEEE', {}, 4, 'error'],
    ['EEEPEEE', {}, null, 'pass'], // a measurement resets the error run
    ['EEEIEEE', {}, null, 'inconclusive'], // as does an inconclusive one, but there is no pass
    ['EE', { maxConsecutiveErrors: 2 }, 2, 'error'],
    ['III', {}, null, 'inconclusive'], // no data all along
    ['PPI', { minSamples: 3 }, null, 'inconclusive'], // 2 of 3 decisive
    ['PPP', { minSamples: 3 }, null, 'pass'],
    ['PFP', { minSamples: 3 }, null, 'pass'],
    ['FFI', {}, null, 'inconclusive'], // decisive but never a pass
    ['', {}, null, 'inconclusive'],
  ] as const)('%s with %o decides at %s, ends %s', (sequence, overrides, decidedAt, verdict) => {
    const result = fold(sequence, rules(overrides));
    expect(result.decidedAt).toBe(decidedAt);
    expect(result.verdict).toBe(verdict);
  });

  it('names the check and the last reason in what it says', () => {
    expect(fold('FFF', rules()).reason).toBe('http check c failed 3 times in a row: F3');
    expect(fold('FPFPF', rules({ maxFailures: 2 })).reason).toBe('http check c failed 3 times (maxFailures: 2): F5');
    expect(fold('EEEE', rules()).reason).toBe('could not measure http check c (4 times in a row): E4');
    expect(fold('PI', rules({ minSamples: 2 })).reason).toBe('1 of 2 decisive measurements (minSamples); last: I2');
  });

  it('names the check by its kind, and an error of judging as such', () => {
    const prometheus = checkSubject({ kind: 'prometheus', name: 'error-rate' });
    expect(prometheus).toBe('prometheus check error-rate');
    const tally = newTally();
    for (let i = 0; i < 3; i++) record(prometheus, rules({ maxConsecutiveErrors: 3 }), tally, 'error', 'pass: x cannot be evaluated', 'condition-error');
    expect(tally.decided).toEqual({ verdict: 'error', reason: 'could not judge prometheus check error-rate (3 times in a row): pass: x cannot be evaluated' });
  });

  it('ignores measurements after it decided', () => {
    const { tally } = fold('FFFPP', rules());
    expect(tally.samples).toBe(3);
  });

  it.each([
    ['', true], // nothing measured yet: measure once
    ['P', false],
    ['PF', true], // a fail run in progress may still reach the threshold
    ['PE', true],
    ['PI', false],
    ['FFF', false], // decided
  ])('after the soak, %s measures on: %s', (sequence, expected) => {
    expect(continuesAfterSoak(fold(sequence, rules()).tally)).toBe(expected);
  });
});

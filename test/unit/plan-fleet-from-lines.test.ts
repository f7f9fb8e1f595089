import { describe, expect, it } from 'vitest';
import { MAX_INVENTORY_TARGETS, parseInventory } from '../../src/plan/fleet/inventory-lines.js';

/** The JSON lines of `targets: { from: … }` (issue 17): the map form's rules, each problem naming its output line. */
const lines = (...each: unknown[]) => `${each.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n')}\n`;

describe('inventory output', () => {
  it('reads one target a line, in order, attributes as text; blank lines are ignored', () => {
    const { targets, problems } = parseInventory(
      lines({ name: 'eu-1', host: 'eu-1.internal', port: 8080, canary: true }, '', '   ', { name: 'us-1', weight: 0.5 }, { name: 'ap.1' }),
    );
    expect(problems).toEqual([]);
    expect(targets).toEqual([
      { name: 'eu-1', attributes: { host: 'eu-1.internal', port: '8080', canary: 'true' } },
      { name: 'us-1', attributes: { weight: '0.5' } },
      { name: 'ap.1', attributes: {} },
    ]);
  });

  it('names the output line of every problem, in line order, all at once', () => {
    const { targets, problems } = parseInventory(
      lines(
        { name: 'eu-1', host: 'a' },
        'not json',
        { host: 'no-name' },
        { name: 'eu-1' },
        { name: 'eu-2', port: { n: 1 }, tags: ['a'], note: null, 'a.b': 1, a_b: 2 },
        [1, 2],
        { name: 'bad name' },
        { name: 7 },
        { name: 'eu-3', '9lives': 'x' },
        'null',
      ),
    );
    expect(problems).toEqual([
      'line 2 of its output is not JSON: "not json"',
      'line 3 of its output has no "name"',
      'line 4 of its output lists target "eu-1" again (first on line 1); each target is listed once',
      'line 5 of its output gives "eu-2" an attribute "port" that is a JSON object; attributes are text, numbers or true/false',
      'line 5 of its output gives "eu-2" an attribute "tags" that is a list; attributes are text, numbers or true/false',
      'line 5 of its output gives "eu-2" an attribute "note" that is null; attributes are text, numbers or true/false',
      'line 5 of its output: attribute "a_b" and attribute "a.b" both become ROLLOUT_TARGET_A_B',
      'line 6 of its output must be a JSON object like {"name": "eu-1", "host": "eu-1.internal"}, not a list',
      'line 7 of its output names a target "bad name": its name must be letters, digits, _ . or -, starting with a letter or digit',
      'line 8 of its output has a "name" that is a JSON number; it must be text',
      'line 9 of its output has an attribute "9lives" whose name must be a letter or _ followed by letters, digits, _ . or -',
      'line 10 of its output must be a JSON object like {"name": "eu-1", "host": "eu-1.internal"}, not null',
    ]);
    // A target whose attributes are wrong is still listed (stages selecting it are not also wrong); the first eu-1 stands.
    expect(targets.map((t) => t.name)).toEqual(['eu-1', 'eu-2', 'eu-3']);
    expect(targets[0]?.attributes).toEqual({ host: 'a' });
  });

  it('never lets an attribute called __proto__ through', () => {
    const { targets, problems } = parseInventory('{"name":"eu-1","__proto__":{"polluted":"yes"},"host":"a"}\n');
    expect(problems).toEqual(['line 1 of its output has an attribute "__proto__" whose name is not allowed']);
    expect(targets).toEqual([{ name: 'eu-1', attributes: { host: 'a' } }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('shows control characters of a bad line escaped, and cuts a long one short', () => {
    const { problems } = parseInventory(`\u001b]0;owned\u0007\u001b[2J\n${'x'.repeat(500)}\n`);
    expect(problems[0]).toBe('line 1 of its output is not JSON: "\\u001b]0;owned\\u0007\\u001b[2J"');
    expect(problems[1]).toBe(`line 2 of its output is not JSON: "${'x'.repeat(120)}…"`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must not get through
    for (const problem of problems) expect(problem).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it('refuses an output with no targets', () => {
    expect(parseInventory('\n\n').problems).toEqual([
      'the inventory command printed no targets (one JSON object per line, like {"name": "eu-1", "host": "eu-1.internal"})',
    ]);
    expect(parseInventory('').targets).toEqual([]);
  });

  it(`stops at ${MAX_INVENTORY_TARGETS} targets, saying so`, () => {
    const text = Array.from({ length: MAX_INVENTORY_TARGETS + 1 }, (_, i) => `{"name":"h${i}"}`).join('\n');
    const { problems, targets } = parseInventory(text);
    expect(problems).toEqual([`the inventory command printed more than 100,000 targets (line ${MAX_INVENTORY_TARGETS + 1}); that is the limit`]);
    expect(targets).toHaveLength(MAX_INVENTORY_TARGETS);
  });
});

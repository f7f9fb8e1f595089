import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deepMap } from '../../src/deep-map.js';
import { escapeControlDeep } from '../../src/output/escape-control.js';
import { MASK, Redactor } from '../../src/secrets/redact.js';

const upper = (text: string) => text.toUpperCase();

describe('deepMap', () => {
  it('returns what holds nothing to change itself, not a copy', () => {
    const event = { type: 'CHECK.POLLED', value: { status: 200, headers: { 'CONTENT-TYPE': 'TEXT' } }, list: ['A', 1, null] };
    expect(deepMap(event, upper)).toBe(event);
  });

  it('copies only the path to a change, keeping key order and the untouched branches', () => {
    const event = { a: { x: 'KEEP' }, b: ['KEEP', { y: 'change me' }], c: 3 };
    const mapped = deepMap(event, upper) as typeof event;
    expect(mapped).toEqual({ a: { x: 'KEEP' }, b: ['KEEP', { y: 'CHANGE ME' }], c: 3 });
    expect(mapped).not.toBe(event);
    expect(mapped.a).toBe(event.a);
    expect(Object.keys(mapped)).toEqual(['a', 'b', 'c']);
    expect(event.b[1]).toEqual({ y: 'change me' }); // the input is never written to
  });

  it('keeps a __proto__ key a key in a copy, never a prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": "yes"}, "text": "x"}');
    const mapped = deepMap(parsed, upper) as Record<string, unknown>;
    expect(Object.getPrototypeOf(mapped)).toBe(Object.prototype);
    expect(Object.hasOwn(mapped, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('leaves class instances and bytes alone unless told how to map bytes', () => {
    const when = new Date(0);
    const bytes = Buffer.from('abc');
    const value = { when, bytes };
    expect(deepMap(value, upper)).toBe(value);
    const mapped = deepMap(value, upper, (data) => Buffer.from(Buffer.from(data).toString().toUpperCase())) as typeof value;
    expect(mapped.when).toBe(when);
    expect(mapped.bytes.toString()).toBe('ABC');
  });

  it('gives what a full copying walk gives, for any JSON value', () => {
    const copyAll = (value: unknown): unknown =>
      typeof value === 'string'
        ? upper(value)
        : Array.isArray(value)
          ? value.map(copyAll)
          : value !== null && typeof value === 'object'
            ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyAll(v)]))
            : value;
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(deepMap(value, upper)).toEqual(copyAll(value));
      }),
    );
  });
});

describe('the deep walks that use it', () => {
  it('redaction and terminal escaping copy an event only when they change it', () => {
    const redactor = new Redactor(['s3cr3t-value']);
    const clean = { type: 'check.polled', display: 'HTTP 200 in 3ms', value: { body: 'ok' } };
    expect(redactor.deep(clean)).toBe(clean);
    expect(escapeControlDeep(clean)).toBe(clean);
    const leaky = { ...clean, value: { body: 'token s3cr3t-value \u001b[2J' } };
    expect(redactor.deep(leaky).value.body).toBe(`token ${MASK} \u001b[2J`);
    expect(escapeControlDeep(leaky).value.body).toBe('token s3cr3t-value \\x1b[2J');
    expect(leaky.value.body).toBe('token s3cr3t-value \u001b[2J');
  });
});

/**
 * `value` with `leaf` applied to every string (and, with `bytes`, every Uint8Array) inside plain
 * objects and arrays; anything else (numbers, class instances) is left as it is.
 *
 * Copy on write: an array or object none of whose leaves change is returned itself, not copied.
 * Events and state documents pass through here several times each (redaction, terminal escaping),
 * and almost never change: a soak of a thousand checks copied every measurement's event twice a
 * poll before. So a caller must not mutate what it gets back, nor expect a fresh object. A copy
 * gets its keys as own data properties (a `__proto__` key stays a key, never a prototype).
 */
export function deepMap(value: unknown, leaf: (text: string) => string, bytes?: (data: Uint8Array) => Uint8Array): unknown {
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return leaf(item);
    if (item === null || typeof item !== 'object') return item;
    if (bytes && item instanceof Uint8Array) return bytes(item);
    if (Array.isArray(item)) return mapArray(item, walk);
    const proto = Object.getPrototypeOf(item);
    return proto === Object.prototype || proto === null ? mapObject(item as Record<string, unknown>, walk) : item;
  };
  return walk(value);
}

// The loops below hold no closure: one capturing the loop variable would allocate a context per
// item, on the path taken for almost every value (nothing changes).
function mapArray(array: unknown[], walk: (item: unknown) => unknown): unknown[] {
  for (let i = 0; i < array.length; i++) {
    const walked = walk(array[i]);
    if (!Object.is(walked, array[i])) return copyArray(array, i, walked, walk);
  }
  return array;
}

/** The first change is at `at`: the items before it are kept, the ones after it still to be walked. */
function copyArray(array: unknown[], at: number, walked: unknown, walk: (item: unknown) => unknown): unknown[] {
  return array.map((item, j) => (j < at ? item : j === at ? walked : walk(item)));
}

// Keys by for…in (V8's cached enumeration, no array per object) until something changes: the
// walk passes every event's nested objects, and Object.keys was an array per object per pass.
function mapObject(object: Record<string, unknown>, walk: (item: unknown) => unknown): unknown {
  let i = 0;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    const item = object[key];
    const walked = walk(item);
    if (!Object.is(walked, item)) return copyObject(object, Object.keys(object), i, walked, walk);
    i++;
  }
  return object;
}

function copyObject(object: Record<string, unknown>, keys: string[], at: number, walked: unknown, walk: (item: unknown) => unknown): unknown {
  return Object.fromEntries(keys.map((key, j) => [key, j < at ? object[key] : j === at ? walked : walk(object[key])]));
}

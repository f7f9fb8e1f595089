import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileCacheDir, privateDir } from '../../src/compile-cache.js';

/** The compile cache holds code we run: it must live where only we can write. */
describe('compile cache directory', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'rollout-cc-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is under XDG_CACHE_HOME when set, else a per-user directory in the temp dir', () => {
    expect(compileCacheDir({ XDG_CACHE_HOME: '/home/ci/.cache' }, 1001)).toBe('/home/ci/.cache/rolloutctl/compile-cache');
    expect(compileCacheDir({}, 1001)).toBe(path.join(tmpdir(), 'rolloutctl-compile-cache-1001'));
    expect(compileCacheDir({ XDG_CACHE_HOME: '' }, 0)).toBe(path.join(tmpdir(), 'rolloutctl-compile-cache-0'));
  });

  it('is created 0700 when missing', () => {
    const dir = path.join(root, 'a', 'cache');
    expect(privateDir(dir)).toBe(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  const refused: [string, (dir: string) => void][] = [
    [
      'group- or world-writable',
      (dir) => {
        mkdirSync(dir, { mode: 0o700 });
        chmodSync(dir, 0o777);
      },
    ],
    [
      'group-readable',
      (dir) => {
        mkdirSync(dir, { mode: 0o700 });
        chmodSync(dir, 0o750);
      },
    ],
    [
      'a symlink to our own directory',
      (dir) => {
        mkdirSync(`${dir}-real`, { mode: 0o700 });
        symlinkSync(`${dir}-real`, dir);
      },
    ],
    ['a file', (dir) => writeFileSync(dir, '')],
  ];
  for (const [what, make] of refused) {
    it(`is refused when it is ${what}`, () => {
      const dir = path.join(root, 'cache');
      make(dir);
      expect(privateDir(dir)).toBeNull();
    });
  }

  it('is refused when another user owns it', () => {
    const dir = path.join(root, 'cache');
    mkdirSync(dir, { mode: 0o700 });
    const me = process.getuid?.() ?? 0;
    expect(privateDir(dir, me + 1)).toBeNull();
    expect(privateDir(dir, me)).toBe(dir);
  });
});

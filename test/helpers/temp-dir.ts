import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A fresh, empty directory under the OS temp dir (real path, so comparisons with `pwd` work). */
export async function makeTempDir(prefix = 'rollout-e2e-'): Promise<string> {
  return fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), prefix)));
}

export async function removeTempDir(dir: string | undefined): Promise<void> {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
}

/** Writes a plan file and returns its absolute path. */
export async function writePlan(dir: string, text: string, name = 'rollout.config.yml'): Promise<string> {
  const file = path.join(dir, name);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
  return file;
}

/** A YAML scalar holding `value` exactly: JSON strings are valid YAML double-quoted scalars. */
export function yamlString(value: string): string {
  return JSON.stringify(value);
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/** The non-empty lines of a marker file; `[]` when the file does not exist. */
export async function readLines(file: string): Promise<string[]> {
  try {
    const text = await fs.readFile(file, 'utf8');
    return text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

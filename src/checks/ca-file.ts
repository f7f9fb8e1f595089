import { readFileSync } from 'node:fs';

export type CaFile = { ok: true; pem: string } | { ok: false; message: string };

/** Reads a check's `ca:` file when the plan is loaded, so a wrong path is a plan error (exit 2), not a failing poll. */
export function readCaFile(path: string): CaFile {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    return { ok: false, message: `cannot read CA file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) return { ok: false, message: `CA file ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)` };
  return { ok: true, pem };
}

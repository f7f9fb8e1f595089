import { looksSecret } from '../secrets/secret-name.js';

/**
 * Values of variables whose names look secret are shown as `***` wherever a plan is printed (the
 * same rule, src/secrets/secret-name.ts, masks them in everything a run writes).
 */
export function redactValue(name: string, value: string): string {
  return looksSecret(name) && value !== '' ? '***' : value;
}

/** Header values often hold tokens once substituted: only their names are shown. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(headers).map((name) => [name, '***']));
}

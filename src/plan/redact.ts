const SECRET_NAME = /(secret|token|passw|pwd|credential|api[_-]?key|private|auth|cookie|session)/i;

/** Values of variables whose names look secret are shown as `***` wherever a plan is printed. */
export function redactValue(name: string, value: string): string {
  return SECRET_NAME.test(name) && value !== '' ? '***' : value;
}

/** Header values often hold tokens once substituted: only their names are shown. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(headers).map((name) => [name, '***']));
}

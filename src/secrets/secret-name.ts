/**
 * The one rule for which plan values are secret: every env var the plan lists under `secrets:`,
 * and every var whose name looks secret (`api_key`, `db_password`, …). Their values are masked
 * wherever rollout writes — `plan`, `--dry-run`, the terminal, JSON events, the state file, the
 * event log and the report — and never recorded; commands still get the real values.
 */
const SECRET_NAME = /(secret|token|passw|pwd|credential|api[_-]?key|private|auth|cookie|session)/i;

export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The vars whose names look secret, with their values (empty values hide nothing and are left out). */
export function secretVars(vars: Readonly<Record<string, string>>): [name: string, value: string][] {
  return Object.entries(vars).filter(([name, value]) => looksSecret(name) && value !== '');
}

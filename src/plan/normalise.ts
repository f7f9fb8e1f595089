import { resolve } from 'node:path';
import { proxyFor } from '../checks/proxy.js';
import { readCaFile } from '../checks/tls.js';
import type { PlanProblem } from '../errors.js';
import { compileWindows, type Windows } from '../windows/evaluate.js';
import { parseDuration } from './duration.js';
import { normaliseNotify } from './normalise-notify.js';
import type { RawHttpCheck, RawPlan } from './schema.js';
import type { HttpCheck, Plan, Stage } from './types.js';
import { varEnvName } from './vars.js';

export const DEFAULTS = {
  soakMs: 30_000,
  timeoutMs: 10 * 60_000,
  intervalMs: 5_000,
  pollTimeoutMs: 2_000,
  failureThreshold: 3,
  killGraceMs: 5_000,
  state: '.rollout/state.json',
} as const;

export interface NormaliseInput {
  raw: RawPlan;
  path: string;
  dir: string;
  sha256: string;
  vars: Record<string, string>;
  env: Readonly<Record<string, string | undefined>>;
}

type Problem = Pick<PlanProblem, 'message'> & { path: (string | number)[] };
export type NormaliseResult = { ok: true; plan: Plan } | { ok: false; problems: Problem[] };

/** Applies defaults and units, and resolves `${vars.X}`/`${env.X}` in check URLs and headers. */
export function normalisePlan(input: NormaliseInput): NormaliseResult {
  const { raw } = input;
  const problems: Problem[] = [];
  const ms = (value: string | number | undefined, fallback: number) => (value === undefined ? fallback : (parseDuration(value) ?? fallback));
  const defaults = raw.defaults ?? {};
  const health = defaults.health ?? {};

  const envNames = new Map<string, string>();
  for (const name of Object.keys(input.vars)) {
    const envName = varEnvName(name);
    const other = envNames.get(envName);
    if (other !== undefined) problems.push({ path: ['vars', name], message: `var "${name}" and var "${other}" both become ${envName}` });
    envNames.set(envName, name);
  }

  const stages: Stage[] = raw.stages.map((stage, index) => {
    const timeoutMs = ms(stage.timeout ?? defaults.timeout, DEFAULTS.timeoutMs);
    const checks = (stage.health ?? []).map((check, checkIndex): HttpCheck => {
      const where = ['stages', index, 'health', checkIndex];
      const interpolate = (text: string, key: (string | number)[]) =>
        substitute(text, input, (message) => problems.push({ path: [...where, ...key], message }));
      const url = interpolate(check.url, ['url']);
      const displayUrl = substitute(check.url, { ...input, env: {} }, () => undefined, 'vars');
      // Show the URL with `${env.X}` as written: environment values are often secrets.
      if (!isHttpUrl(url)) problems.push({ path: [...where, 'url'], message: `not a valid http(s) URL after substitution: ${displayUrl}` });
      const ca = check.ca === undefined ? null : readCaFile(resolve(input.dir, check.ca));
      if (ca !== null && !ca.ok) problems.push({ path: [...where, 'ca'], message: ca.message });
      const proxy = proxyFor(url, input.env);
      if (!proxy.ok) problems.push({ path: [...where, 'url'], message: proxy.message });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(check.headers ?? {})) headers[name] = interpolate(value, ['headers', name]);
      return {
        kind: 'http',
        name: check.name ?? displayUrl,
        url,
        displayUrl,
        expectStatus: expectedStatuses(check),
        intervalMs: Math.max(1, ms(check.interval ?? health.interval, DEFAULTS.intervalMs)),
        timeoutMs: Math.max(1, ms(check.timeout ?? health.timeout, DEFAULTS.pollTimeoutMs)),
        failureThreshold: check.failureThreshold ?? health.failureThreshold ?? DEFAULTS.failureThreshold,
        headers,
        ca: ca?.ok ? ca.pem : null,
        insecure: check.insecure ?? false,
        proxy: proxy.ok ? proxy.proxy : null,
      };
    });
    return {
      name: stage.name,
      index,
      deploy: stage.deploy,
      rollback: stage.rollback ?? null,
      soakMs: ms(stage.soak ?? defaults.soak, DEFAULTS.soakMs),
      timeoutMs,
      health: checks,
    };
  });

  const notifyProblem = (path: (string | number)[], message: string) => problems.push({ path: ['notify', ...path], message });
  const notify = normaliseNotify(raw.notify ?? [], (text, path) => substitute(text, input, (message) => notifyProblem(path, message)), notifyProblem);
  let windows: Windows | null = null;
  if (raw.windows !== undefined) {
    const compiled = compileWindows(raw.windows);
    if (compiled.ok) windows = compiled.windows;
    else for (const problem of compiled.problems) problems.push({ path: ['windows', ...problem.path], message: problem.message });
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    plan: {
      version: 1,
      name: raw.name ?? defaultName(input.path),
      path: input.path,
      dir: input.dir,
      sha256: input.sha256,
      vars: input.vars,
      onFailure: raw.onFailure ?? 'rollback',
      onInterrupt: raw.onInterrupt ?? 'stop',
      killGraceMs: ms(raw.killGrace, DEFAULTS.killGraceMs),
      rollback: raw.rollback ?? null,
      rollbackTimeoutMs: ms(defaults.timeout, DEFAULTS.timeoutMs),
      statePath: resolve(input.dir, raw.state ?? DEFAULTS.state),
      secrets: raw.secrets ?? [],
      stages,
      windows,
      notify,
    },
  };
}

function expectedStatuses(check: RawHttpCheck): number[] | null {
  if (check.expectStatus === undefined) return null;
  return Array.isArray(check.expectStatus) ? check.expectStatus : [check.expectStatus];
}

const PLACEHOLDER = /\$\{\s*(vars|env)\.([A-Za-z_][A-Za-z0-9_.-]*)\s*\}/g;

function substitute(text: string, input: NormaliseInput, report: (message: string) => void, only?: 'vars'): string {
  return text.replace(PLACEHOLDER, (whole, scope: string, name: string) => {
    if (only !== undefined && scope !== only) return whole;
    const value = scope === 'vars' ? (Object.hasOwn(input.vars, name) ? input.vars[name] : undefined) : input.env[name];
    if (value === undefined) {
      report(scope === 'vars' ? `${whole}: the plan declares no var "${name}"` : `${whole}: environment variable ${name} is not set`);
      return whole;
    }
    return value;
  });
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function defaultName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts.at(-2) ?? 'rollout';
}

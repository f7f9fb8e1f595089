/**
 * The normalised plan: what the engine runs. Every default is applied, every duration is in
 * milliseconds and every path is absolute, so nothing downstream has to know the file format.
 */
import type { Windows } from '../windows/evaluate.js';

export type OnFailure = 'rollback' | 'stop';
export type OnInterrupt = 'stop' | 'rollback';

export interface HttpCheck {
  kind: 'http';
  /** Shown in output and state; the URL unless the plan names the check. */
  name: string;
  url: string;
  /** The URL as shown in output and state: vars filled in, `${env.X}` left as written (may be secret). */
  displayUrl: string;
  /** Accepted statuses; `null` means any 2xx. */
  expectStatus: number[] | null;
  intervalMs: number;
  timeoutMs: number;
  failureThreshold: number;
  headers: Record<string, string>;
  /** PEM text of extra CAs to trust (from the check's `ca:` file), or null for the default store. */
  ca: string | null;
  /** Skip certificate verification. */
  insecure: boolean;
  /** HTTP proxy URL to go through (from the proxy environment variables), or null for a direct connection. */
  proxy: string | null;
}

export type HealthCheck = HttpCheck;

export interface Stage {
  name: string;
  /** 0-based position in the plan. */
  index: number;
  deploy: string;
  rollback: string | null;
  soakMs: number;
  /** Limit for one deploy or rollback command. */
  timeoutMs: number;
  health: HealthCheck[];
}

export interface Plan {
  version: 1;
  name: string;
  /** Absolute path of the plan file. */
  path: string;
  /** Directory commands run in. */
  dir: string;
  /** sha256 of the plan file's bytes, so a later resume can tell the plan changed. */
  sha256: string;
  vars: Record<string, string>;
  onFailure: OnFailure;
  onInterrupt: OnInterrupt;
  /** SIGTERM-to-SIGKILL grace for commands being stopped (timeout or cancel). */
  killGraceMs: number;
  /** One command that undoes everything; replaces per-stage rollbacks when set. */
  rollback: string | null;
  /** Timeout for the plan-level rollback command. */
  rollbackTimeoutMs: number;
  /** Absolute path of the state file. */
  statePath: string;
  /** Environment variable names whose values are redacted everywhere the tool writes. */
  secrets: string[];
  stages: Stage[];
  /** Deploy windows and freezes, checked before each stage starts; null when the plan has none. */
  windows: Windows | null;
  /** Webhooks to notify (`notify:`); absent or empty when none. */
  notify?: Webhook[];
}

export type NotifyEvent = 'run.started' | 'stage.passed' | 'stage.failed' | 'rollback.finished' | 'run.finished';

export interface Webhook {
  url: string;
  /** Shown in output: scheme and host only, since webhook URLs usually embed a secret. */
  displayUrl: string;
  events: NotifyEvent[];
  headers: Record<string, string>;
  timeoutMs: number;
}

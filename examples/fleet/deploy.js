#!/usr/bin/env node
/**
 * The example's "deploy tool": tells one host to run a version.
 *
 *   node deploy.js <host:port> <version | previous>
 *
 * The plan calls it with the target's attributes and the run's version from the environment
 * rolloutctl sets (ROLLOUT_TARGET_HOST, ROLLOUT_TARGET_PORT, ROLLOUT_VAR_VERSION), quoted, so a
 * value is never shell code. `previous` undoes the host's last deploy: the plan's rollback.
 * Exits 1 (saying why) when the host cannot be reached or refuses, 2 on a usage error.
 */
const USAGE = 'usage: node deploy.js <host:port> <version | previous>';
const TIMEOUT_MS = 5000;

async function main([address, version]) {
  if (!address || !version) return fail(USAGE, 2);
  const url = `http://${address}/deploy?version=${encodeURIComponent(version)}`;
  let response;
  try {
    response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    return fail(`cannot reach ${address}: ${error.cause?.code ?? error.cause?.message ?? error.message}`);
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) return fail(`${address} refused the deploy (HTTP ${response.status}): ${body.error ?? 'no reason given'}`);
  const rollingBack = process.env.ROLLOUT_PHASE === 'rollback';
  const verb = rollingBack ? 'rolled back' : 'deployed';
  console.log(body.changed ? `${body.name}: ${verb} ${body.from} -> ${body.to}` : `${body.name}: already runs ${body.to}; nothing to change`);
}

function fail(message, code = 1) {
  console.error(`deploy.js: ${message}`);
  process.exitCode = code;
}

await main(process.argv.slice(2));

#!/usr/bin/env node
/**
 * The demo's "deploy tool": points one slice of the demo service at a version.
 *
 *   node examples/demo/deploy.js <slice> [version | stable | previous]
 *
 * Like a real deploy script run by rolloutctl, it takes its settings from the environment
 * rolloutctl provides, never from text spliced into the command:
 *   ROLLOUT_VAR_PORT     port of the demo service on 127.0.0.1 (required)
 *   ROLLOUT_VAR_VERSION  version to deploy when no version argument is given
 *   ROLLOUT_PHASE        deploy | rollback, only used to word the output
 *
 * "stable" means the fleet's known-good version (v2.3.0); "previous" undoes this slice's last
 * deploy, which is what a rollback wants. Exit codes: 0 done, 1 the service refused or could
 * not be reached, 2 bad usage.
 */

const USAGE = 'usage: node examples/demo/deploy.js <slice> [version | stable | previous]';
const REQUEST_TIMEOUT_MS = 5_000;

class DeployError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

async function main(argv, env) {
  const [slice, versionArg, ...extra] = argv;
  if (!slice || slice.startsWith('-') || extra.length > 0) throw new DeployError(USAGE, 2);

  const version = versionArg ?? env.ROLLOUT_VAR_VERSION;
  if (!version) throw new DeployError(`no version: pass one as an argument or set ROLLOUT_VAR_VERSION\n${USAGE}`, 2);

  const portText = env.ROLLOUT_VAR_PORT;
  const port = Number(portText);
  if (!portText || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new DeployError(
      `ROLLOUT_VAR_PORT must be the demo service's port (1-65535), got ${portText ? `"${portText}"` : 'nothing'}; ` +
        'rolloutctl sets it from the plan var "port" (override with --var port=N)',
      2,
    );
  }

  const base = `http://127.0.0.1:${port}`;
  const rollingBack = env.ROLLOUT_PHASE === 'rollback';
  const target = version === 'previous' ? 'its previous version' : version === 'stable' ? 'stable' : version;
  console.log(`${rollingBack ? 'rolling back' : 'routing'} ${slice} to ${target} via ${base}`);

  const result = await postDeploy(base, { slice, version });
  const share = `${result.traffic}% of traffic`;
  console.log(result.changed ? `${slice} (${share}): ${result.from} -> ${result.to}` : `${slice} (${share}) already runs ${result.to}; nothing to change`);
  console.log(`fleet now: ${describeFleet(result.fleet)}`);
}

async function postDeploy(base, body) {
  let response;
  try {
    response = await fetch(`${base}/admin/deploy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw new DeployError(
      `cannot reach the demo service at ${base}: ${describeFetchError(error)}\n` +
        'Is it running? Start it with `node examples/demo/service.js` and pass its port with --var port=N.',
    );
  }

  const text = await response.text();
  let payload;
  try {
    payload = JSON.parse(text);
  } catch {
    throw new DeployError(`the service at ${base} answered HTTP ${response.status} with something that is not JSON`);
  }
  if (!response.ok) {
    throw new DeployError(`the service refused the deploy (HTTP ${response.status}): ${payload.error ?? text.trim()}`);
  }
  return payload;
}

function describeFetchError(error) {
  if (error?.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000}s`;
  const cause = error?.cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  return cause?.message ?? error?.message ?? String(error);
}

/** `{ "v2.4.0": 5, "v2.3.0": 95 }` -> "5% v2.4.0, 95% v2.3.0" */
function describeFleet(traffic) {
  return Object.entries(traffic ?? {})
    .sort(([, a], [, b]) => b - a)
    .map(([version, percent]) => `${percent}% ${version}`)
    .join(', ');
}

main(process.argv.slice(2), process.env).catch((error) => {
  console.error(`deploy.js: ${error.message}`);
  process.exitCode = error instanceof DeployError ? error.exitCode : 1;
});

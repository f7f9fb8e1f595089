#!/usr/bin/env node
/**
 * The example's `verify:` command: prints the version a host really runs (GET /version).
 *
 *   node version-of.js <host:port> [expected]
 *
 * With `expected`, it exits 1 unless the host runs exactly that: a deploy that said "done" on a
 * host still serving the old version does not count. Without it, it only prints (for a plan's
 * `verify: { run: …, expect: v2.0.0 }`, where rolloutctl compares).
 */
const TIMEOUT_MS = 5000;

async function main([address, expected]) {
  if (!address) return fail('usage: node version-of.js <host:port> [expected]', 2);
  let text;
  try {
    const response = await fetch(`http://${address}/version`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!response.ok) return fail(`${address} answered HTTP ${response.status}`);
    text = (await response.text()).trim();
  } catch (error) {
    return fail(`cannot reach ${address}: ${error.cause?.code ?? error.cause?.message ?? error.message}`);
  }
  console.log(text);
  if (expected !== undefined && text !== expected) fail(`${address} runs ${text}, not ${expected}`);
}

function fail(message, code = 1) {
  console.error(`version-of.js: ${message}`);
  process.exitCode = code;
}

await main(process.argv.slice(2));

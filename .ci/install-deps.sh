#!/usr/bin/env bash
# Installs the real servers and tools the test suite starts for itself (Debian packages), and the
# Node.js 22 and 24 binaries the smoke suite runs (npm registry), when missing.
# Idempotent and quiet when everything is there: `.ci/run` calls it on every run; run it once by hand
# before your first `npm test` on a new machine.
set -euo pipefail

missing=()
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# The Graphite and InfluxDB source tests start real ones: carbon-cache, graphite-web (django-admin), influxd.
command -v carbon-cache >/dev/null 2>&1 || missing+=(graphite-carbon)
[ -d /usr/lib/python3/dist-packages/graphite ] || missing+=(graphite-web)
command -v influxd >/dev/null 2>&1 || missing+=(influxdb)
# jq runs the `gh --jq` filter docs/ci.md shows; script(1) gives the prompt tests a real terminal.
command -v jq >/dev/null 2>&1 || missing+=(jq)
command -v script >/dev/null 2>&1 || missing+=(bsdutils)
# dash: npm's script shell on Debian, which the npx cancel test runs under (test/e2e/github-cancel.test.ts).
command -v dash >/dev/null 2>&1 || missing+=(dash)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts packaged services where it can; the tests start their own on free ports.
  for service in prometheus postgresql carbon-cache influxdb; do
    if command -v service >/dev/null 2>&1; then service "$service" stop >/dev/null 2>&1 || true; fi
  done
fi

# Node.js 22 and 24 for the smoke suite (test/e2e/node-versions.test.ts), from the npm registry.
bash "$(dirname "$0")/install-node.sh" 22 24

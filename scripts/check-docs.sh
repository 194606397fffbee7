#!/usr/bin/env bash
# The API reference (docs/api, generated from the package's .d.ts by typedoc) must match the build:
# regenerate it aside and compare. `make docs` rewrites it.
set -uo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
if node_modules/.bin/typedoc --logLevel Warn --out "$out" && diff -r "$out" docs/api >/dev/null; then
  echo "api-docs: 1 passed, 0 failed"
else
  diff -r "$out" docs/api | head -20
  echo "docs/api is out of date with the .d.ts: run \`make docs\` and commit it"
  echo "api-docs: 0 passed, 1 failed"
  exit 1
fi

#!/usr/bin/env bash
# Differential check of the Group-IB mapping against the reference it mirrors: CASES random
# portions and templates through cyberintegrations 0.14.1 (pip-installed into bench/.pydeps, as
# `make bench` does), the reference's outputs replayed through the package (`make fuzz`).
#   scripts/groupib-diff.sh [CASES] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
CASES="${1:-2000}"
SEED="${2:-$(date +%s)}"
PYDEPS=bench/.pydeps
[ -d "$PYDEPS/cyberintegrations" ] || python3 -m pip install --quiet --target "$PYDEPS" cyberintegrations==0.14.1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "groupib-diff: seed $SEED, $CASES cases"
PYTHONHASHSEED=0 python3 tools/groupib_diff.py "$PYDEPS" "$SEED" "$CASES" "$out/vectors.json"
node tests/js/run-groupib-vectors.mjs "$out/vectors.json" | tail -12

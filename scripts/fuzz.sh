#!/usr/bin/env bash
# Runs every cargo-fuzz target, after replaying the saved crash inputs in fuzz/regressions/.
#   scripts/fuzz.sh ci       — `make test`: a fixed seed and a fixed number of runs from an empty
#                              corpus, so the same inputs are tried on every machine (a random
#                              find must not make one CI run fail and the next pass);
#   scripts/fuzz.sh SECONDS  — `make fuzz`: explores for SECONDS per target with a kept corpus.
# cargo-fuzz needs nightly-only flags; RUSTC_BOOTSTRAP lets the machine's stable toolchain take
# them. No sanitizer: the code is safe Rust, what we hunt is panics (which would trap in wasm).
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
MODE="${1:-ci}"
export RUSTC_BOOTSTRAP=1
TARGETS=(extract refang stix_pattern mapping response json)
cargo fuzz build -s none 2>&1 | grep -v '^ *Compiling' || true
[ -x target/x86_64-unknown-linux-gnu/release/extract ] || { echo "fuzz: build failed"; exit 1; }
pass=0
fail=0
for t in "${TARGETS[@]}"; do
  mkdir -p "corpus/$t"
  if [ -d "regressions/$t" ]; then
    for f in regressions/"$t"/*; do
      if ! cargo fuzz run -s none "$t" "$f" >/dev/null 2>&1; then
        echo "fuzz $t: regression input $f crashes"; fail=$((fail + 1)); continue 2
      fi
    done
  fi
  if [ "$MODE" = ci ]; then
    scratch=$(mktemp -d)
    out=$(cargo fuzz run -s none "$t" "$scratch" -- -seed=1 -runs="${FUZZ_RUNS:-200000}" -max_len=4096 2>&1)
    rm -rf "$scratch"
    what="seed 1, empty corpus"
  else
    out=$(cargo fuzz run -s none "$t" "corpus/$t" -- -max_total_time="$MODE" -max_len=4096 2>&1)
    what="${MODE}s"
  fi
  runs=$(echo "$out" | grep -a -Eo 'Done [0-9]+ runs' | grep -Eo '[0-9]+' | tail -1)
  if echo "$out" | grep -aq 'deadly signal\|panicked'; then
    echo "$out" | grep -a -E 'panicked|Test unit written' | head -3
    echo "fuzz $t: CRASH after ${runs:-?} runs"; fail=$((fail + 1))
  else
    echo "fuzz $t: ${runs:-0} runs ($what), no crash"; pass=$((pass + 1))
  fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

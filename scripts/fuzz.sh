#!/usr/bin/env bash
# Runs every cargo-fuzz target for N seconds each (default 5: the bounded run of `make test`;
# `make fuzz` runs longer), after replaying the saved crash inputs in fuzz/regressions/.
# cargo-fuzz needs nightly-only flags; RUSTC_BOOTSTRAP lets the machine's stable toolchain take
# them. No sanitizer: the code is safe Rust, what we hunt is panics (which would trap in wasm).
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
SECONDS_PER_TARGET="${1:-5}"
export RUSTC_BOOTSTRAP=1
TARGETS=(extract refang stix_pattern mapping response)
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
  out=$(cargo fuzz run -s none "$t" "corpus/$t" -- -max_total_time="$SECONDS_PER_TARGET" -max_len=4096 2>&1)
  runs=$(echo "$out" | grep -a -Eo 'Done [0-9]+ runs' | grep -Eo '[0-9]+' | tail -1)
  if echo "$out" | grep -aq 'deadly signal\|panicked'; then
    echo "$out" | grep -a -E 'panicked|Test unit written' | head -3
    echo "fuzz $t: CRASH after ${runs:-?} runs"; fail=$((fail + 1))
  else
    echo "fuzz $t: ${runs:-0} runs in ${SECONDS_PER_TARGET}s, no crash"; pass=$((pass + 1))
  fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

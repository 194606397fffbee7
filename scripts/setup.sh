#!/usr/bin/env bash
# Installs everything `make demo` / `make test` need on a fresh machine of this image.
# Idempotent: each step checks first and is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== setup: %s\n' "$*"; }

# 1. Rust target for the wasm build.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 1b. std's source: the wasm builds rebuild std for panic=immediate-abort (scripts/build.sh).
if ! rustup component list --installed | grep -q '^rust-src'; then
  step "rustup component add rust-src"
  rustup component add rust-src
fi

# 2. wasm-bindgen CLI at exactly the version in Cargo.lock (the glue must match the crate).
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ -z "$WB_VERSION" ]; then echo "setup: no wasm-bindgen in Cargo.lock" >&2; exit 1; fi
if ! command -v wasm-bindgen >/dev/null 2>&1 || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$WB_VERSION" ]; then
  step "cargo install wasm-bindgen-cli $WB_VERSION (a few minutes, once)"
  # No --locked: the CLI's own lockfile pins a crate the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi

# 2b. cargo-fuzz (the bounded fuzz run of make test; `make fuzz` runs longer).
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  step "cargo install cargo-fuzz (about a minute, once)"
  cargo install cargo-fuzz --locked || cargo install cargo-fuzz
fi

# 3. Chromium + ChromeDriver from Debian (the browser tests, the dashboard screenshots).
#    NOT Debian's binaryen: its wasm-opt 108 silently corrupts wasm-bindgen output; we use
#    the npm binaryen (node_modules/.bin/wasm-opt) by explicit path instead.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  step "apt-get install chromium chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends chromium chromium-driver
fi

# 4. npm dev dependencies (simulator, test runners, wasm-opt, TypeScript, miniflare/workerd).
#    Skipped when node_modules was installed from this very lockfile (content hash, not mtime:
#    a fresh checkout or another work tree sharing node_modules must not reinstall it).
LOCK_HASH="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ "$(cat node_modules/.cti-edge-lock-hash 2>/dev/null)" != "$LOCK_HASH" ] || [ ! -x node_modules/.bin/tsc ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
  echo "$LOCK_HASH" > node_modules/.cti-edge-lock-hash
fi
echo "setup: ok (wasm-bindgen $WB_VERSION, $(node --version), $(chromium --version 2>/dev/null | head -1))"

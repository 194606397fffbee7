# The README's two commands: `make demo` and `make test`. Both install what they need first
# (scripts/setup.sh skips what is already there), then build the package into pkg/.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: demo test setup build bench docs fuzz clean

demo: build
	node demo/walkthrough.mjs
	node demo/serve.mjs

test: build
	scripts/test.sh

setup:
	scripts/setup.sh

build: setup
	scripts/build.sh

bench: build
	cd bench && npm ci --no-audit --no-fund --silent
	node bench/run.mjs

docs: build
	rm -rf docs/api && node_modules/.bin/typedoc --logLevel Warn

fuzz: build
	scripts/fuzz.sh 300
	scripts/groupib-diff.sh 5000

clean:
	rm -rf pkg target test-artifacts

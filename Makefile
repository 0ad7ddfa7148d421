# Thin front door: each target calls a script or a tool; every version lives in lab/versions.env
# (docs/images.md, "Pins"). `make help` lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.SECONDEXPANSION:

# A pin from lab/versions.env, e.g. $(call pin,NODE_MAJORS). Read through the shell rather than
# included, so a variable a user sets (DEBIAN_SUITE=bookworm make images) still reaches bake.
pin = $(shell . lab/versions.env && echo "$$$(1)")
comma := ,
# The Node.js majors the images ship; every suite that runs per major runs on each of them.
NODE_MAJOR_LIST := $(subst $(comma), ,$(call pin,NODE_MAJORS))

# The toolchain runs on the Node majors our images ship, not the machine's own Node:
# $(call NODE,26) npx ... ; NODE22 is the project's own tooling (the build major).
NODE = PATH="$$(scripts/node-toolchain.sh $(1)):$$PATH"
BUILD_NODE_MAJOR_PINNED := $(call pin,BUILD_NODE_MAJOR)
NODE22 = $(call NODE,$(BUILD_NODE_MAJOR_PINNED))
# Runs a command once per Node major, stopping at the first failure: $(call EACH_NODE,npx vitest ...)
EACH_NODE = $(foreach major,$(NODE_MAJOR_LIST),echo "== Node.js $(major)" && $(call NODE,$(major)) $(1) &&) true

.PHONY: help
help: ## List every target with one line each
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*## "} {printf "  %-18s %s\n", $$1, $$2}'

node_modules/.installed: package.json package-lock.json
	$(NODE22) scripts/with-progress.sh "npm ci (about a minute from an empty npm cache)" npm ci --no-audit --no-fund
	touch $@

.PHONY: install
install: node_modules/.installed ## Install the pinned npm dependencies (npm ci, Node 22)

.PHONY: lint
lint: install ## Lint and format-check everything (Biome)
	$(NODE22) npx biome check .

.PHONY: format
format: install ## Apply Biome's formatting and safe fixes
	$(NODE22) npx biome check --write .

.PHONY: typecheck
typecheck: install ## Type-check all TypeScript (strict)
	$(NODE22) npx tsc -p tsconfig.json

.PHONY: test-unit
test-unit: install ## Unit tests (vitest), on every Node major the images ship
	$(call EACH_NODE,npx vitest run --project unit)

# Each area keeps its targets in mk/<area>.mk and adds to these lists:
#   TEST_SETUP   what must be up before tests run (the lab)
#   TEST_TARGETS the area's test targets, run after lint, types and unit tests
TEST_SETUP :=
TEST_TARGETS :=
-include $(sort $(wildcard mk/*.mk))

.PHONY: test
test: $$(TEST_SETUP) lint typecheck test-unit $$(TEST_TARGETS) ## Every test: lint, types, unit, integration, lab and images

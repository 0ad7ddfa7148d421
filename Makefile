# Thin front door: each target calls a script or a tool; versions live in lab/versions.env
# and docker-bake.hcl. `make help` lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.SECONDEXPANSION:

# The toolchain runs on the Node majors our images ship, not the machine's own Node.
NODE22 = PATH="$$(scripts/node-toolchain.sh 22):$$PATH"
NODE24 = PATH="$$(scripts/node-toolchain.sh 24):$$PATH"

.PHONY: help
help: ## List every target with one line each
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*## "} {printf "  %-18s %s\n", $$1, $$2}'

node_modules/.installed: package.json package-lock.json
	$(NODE22) npm ci --no-audit --no-fund
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
test-unit: install ## Unit tests (vitest), on Node 22 and on Node 24
	$(NODE22) npx vitest run --project unit
	$(NODE24) npx vitest run --project unit

# Each area keeps its targets in mk/<area>.mk and adds to these lists:
#   TEST_SETUP   what must be up before tests run (the lab)
#   TEST_TARGETS the area's test targets, run after lint, types and unit tests
TEST_SETUP :=
TEST_TARGETS :=
-include $(sort $(wildcard mk/*.mk))

.PHONY: test
test: $$(TEST_SETUP) lint typecheck test-unit $$(TEST_TARGETS) ## Every test: lint, types, unit, integration, lab and images

# The burst model (issue 15): 1,000 sandboxes starting within 10 s, each with the extension's real cache
# and SDK clients, against a local stand-in enforcing AWS's quotas. `make scale` prints the table and
# regenerates docs/scale.md's table and docs/scale.png; SCALE_* variables narrow it (scale/settings.ts).
# Not part of `make test` (minutes of real time); its short run is (test-scale).

SCALE_BUNDLE = $(NODE22) npx esbuild scale/main.ts scale/host-main.ts scale/standin-main.ts --bundle \
	--platform=node --format=esm --target=node22 --packages=external --outdir=dist/scale \
	--out-extension:.js=.mjs --log-level=warning

# $(call scale-run,<doc table name>,<png>,<SCALE_* settings>): one model run, its table into
# docs/scale.md, its plot.
define scale-run
	@python="$$(scale/tools.sh)"; \
	$(SCALE_BUNDLE); \
	$(3) SCALE_TABLE=$(1) SCALE_RESULTS=dist/scale/$(1).json $(NODE22) node dist/scale/main.mjs; \
	"$$python" scale/plot.py dist/scale/$(1).json $(2)
endef

.PHONY: scale
scale: install ## Model a cold burst of 1,000 sandboxes against AWS's quotas: table, docs/scale.md, docs/scale.png
	$(call scale-run,scale-table,docs/scale.png,)

.PHONY: scale-200
scale-200: install ## The burst model for 200 sandboxes at default quotas (docs/scale.md's second table)
	$(call scale-run,scale-table-200,docs/scale-200.png,SCALE_SANDBOXES=200 SCALE_FACTOR=4 SCALE_QUOTAS=default)

.PHONY: test-scale
test-scale: install ## The burst model's short run (20 sandboxes, quotas / 50): asserts its invariants
	$(NODE22) npx vitest run --project scale

TEST_TARGETS += test-scale

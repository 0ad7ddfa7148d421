# The burst model (issue 15): 1,000 sandboxes starting within 10 s, each with the extension's real cache
# and SDK clients, against a local stand-in enforcing AWS's quotas. `make scale` prints the table and
# regenerates docs/scale.md's table and docs/scale.png; SCALE_* variables narrow it (scale/settings.ts).
# Not part of `make test` (minutes of real time); its short run is (test-scale).

SCALE_BUNDLE = $(NODE22) npx esbuild scale/main.ts scale/host-main.ts scale/standin-main.ts --bundle \
	--platform=node --format=esm --target=node22 --packages=external --outdir=dist/scale \
	--out-extension:.js=.mjs --log-level=warning

.PHONY: scale
scale: install ## Model a cold burst of 1,000 sandboxes against AWS's quotas: table, docs/scale.md, docs/scale.png
	@python="$$(scale/tools.sh)"; \
	$(SCALE_BUNDLE); \
	$(NODE22) node dist/scale/main.mjs; \
	"$$python" scale/plot.py dist/scale/results.json docs/scale.png

.PHONY: test-scale
test-scale: install ## The burst model's short run (20 sandboxes, quotas / 50): asserts its invariants
	$(NODE22) npx vitest run --project scale

TEST_TARGETS += test-scale

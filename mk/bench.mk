# The benchmark (issue 7): prints figures next to baselines measured in the same run; never fails on
# the figures. Not part of `make test`. BENCH_SECTIONS / BENCH_REPS narrow it (see bench/main.ts).

.PHONY: bench
bench: lab build ## Benchmark the extension (start-up, memory, charged memory under the RIE, hits, misses, cold start, image size)
	bench/tools.sh
	$(NODE22) npx esbuild bench/main.ts bench/loadgen.ts bench/client-probe.ts --bundle --platform=node --format=esm \
	  --target=node22 --packages=external --outdir=dist/bench --out-extension:.js=.mjs --log-level=warning
	$(NODE22) node dist/bench/main.mjs

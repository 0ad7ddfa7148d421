# The extension: bundle (esbuild) and integration tests (the built bundle as a real process + moto).

.PHONY: build
build: install ## Bundle the extension into dist/extension/ (index.cjs, in-process.cjs, errors.cjs, aws.cjs and its V8 code cache)
	$(NODE22) node scripts/build.mjs
	$(NODE22) extension/bin/parameters-secrets-extension --build-code-cache

# Files run one after another: each resets moto (shared state) before it starts.
.PHONY: test-integration
test-integration: build ## Extension integration tests against moto, on every Node major the images ship
	lab/moto.sh up
	$(call EACH_NODE,npx vitest run --project integration --no-file-parallelism)

TEST_TARGETS += test-integration

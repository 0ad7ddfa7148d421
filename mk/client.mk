# The client module functions import (client/, issue 14): built into dist/client/, which the images
# copy to /opt/nodejs/node_modules/parameters-secrets. `make build` builds it too.

.PHONY: build-client
build-client: install ## Build the function-side client module into dist/client/ (CommonJS + ESM + .d.ts)
	$(NODE22) node scripts/build-client.mjs

build: build-client

# Pins (issue 12): every version in lab/versions.env, base image digests in images/bases.lock, both
# turned into docker-bake.json (which `docker buildx bake` reads next to docker-bake.hcl).
#   make outdated   pinned vs newest for every pin; exit 1 when Node, the Debian base or the RIC is behind
#   make bump       update the pins the images ship (BUMP_ALL=1: the toolchain's too), build the lab's
#                   stand-ins for them, relock the bases: one commit-ready change, idempotent
# The registries asked: npm (PINS_NPM_REGISTRY), the Go proxy (GOPROXY), PyPI (PINS_PYPI), Debian
# (DEBIAN_MIRROR) and the registry serving docker.io's images, the lab's by default
# (PINS_IMAGES_REGISTRY=127.0.0.1:5000; set it empty for Docker Hub itself).
PINS_BUNDLE := dist/pins/main.mjs
PINS_IMAGES_REGISTRY ?= $(call pin,REGISTRY_ADDR)
export PINS_IMAGES_REGISTRY
# Downloads from Node (fetch) trust the same extra CA bundle as the image builds (CACERT).
PINS = $(if $(CACERT),NODE_EXTRA_CA_CERTS=$(CACERT)) $(NODE22) node $(PINS_BUNDLE)

$(PINS_BUNDLE): $(wildcard scripts/pins/*.ts) node_modules/.installed
	$(NODE22) npx esbuild scripts/pins/main.ts --bundle --platform=node --format=esm --target=node22 \
	  --outfile=$@ --log-level=warning

.PHONY: pins
pins: $(PINS_BUNDLE) ## Regenerate docker-bake.json from lab/versions.env and images/bases.lock
	@$(PINS) generate

.PHONY: pins-check
pins-check: $(PINS_BUNDLE) ## Fail unless docker-bake.json is generated from the pins and every base is locked
	@$(PINS) check

.PHONY: outdated
outdated: $(PINS_BUNDLE) ## Every pin next to the newest release; non-zero when Node, Debian base or RIC is behind
	@$(PINS) outdated

.PHONY: lock
lock: $(PINS_BUNDLE) ## Resolve every base image tag to its digest now; rewrite images/bases.lock
	@$(PINS) lock

# In the lab the new tags only exist once the stand-ins are built (lab/base-images.sh, idempotent).
.PHONY: bump
bump: $(PINS_BUNDLE) ## Update the pins the images ship (BUMP_ALL=1: all) and relock the bases, idempotently
	@$(PINS) bump $(if $(BUMP_ALL),--all)
	@$(if $(filter $(call pin,REGISTRY_ADDR),$(PINS_IMAGES_REGISTRY)),lab/base-images.sh up)
	@$(PINS) lock

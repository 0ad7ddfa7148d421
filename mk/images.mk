# The images: Lambda base images (one per Node.js major of NODE_MAJORS) and the extension-only image, built with bake on
# the lab's builder for linux/amd64 + linux/arm64 and pushed, as a user would push to ECR:
#   REGISTRY=<account>.dkr.ecr.<region>.amazonaws.com make images
REGISTRY ?= 127.0.0.1:5000
IMAGES_BUILDER ?= lab
# Extra CA certificates for downloads inside the build (our network intercepts TLS); the system
# bundle when present. Set CACERT= (empty) to pass none.
CACERT ?= $(wildcard /etc/ssl/certs/ca-certificates.crt)
# Every timestamp in the images is the commit's time, so one commit always gives the same digests.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
IMAGES_BAKE = REGISTRY=$(REGISTRY) CACERT=$(CACERT) SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) \
	docker buildx bake --builder $(IMAGES_BUILDER) \
	$(if $(CACERT),--allow fs.read=$(dir $(CACERT)))

# Signing: with SIGNING_KEY set (any cosign key reference: a key file, awskms://…), every pushed
# image is signed by digest after the push (scripts/sign-images.mjs); COSIGN_PASSWORD unlocks a key
# file. `make test-images` signs with the lab's key and lab-built cosign.
SIGNING_KEY ?=
COSIGN ?= cosign
IMAGES_METADATA = dist/images-metadata.json

.PHONY: images
images: $$(PINS_BUNDLE) ## Build every image (bake, amd64+arm64) from the locked bases, push it to $(REGISTRY), sign it if SIGNING_KEY is set
	@$(PINS) verify
	mkdir -p $(dir $(IMAGES_METADATA))
	$(IMAGES_BAKE) --push --metadata-file $(IMAGES_METADATA)
	$(if $(SIGNING_KEY),SIGNING_KEY='$(SIGNING_KEY)' COSIGN='$(COSIGN)' $(NODE22) node scripts/sign-images.mjs $(IMAGES_METADATA))
	@for ref in $$($(IMAGES_BAKE) --print 2>/dev/null | $(NODE22) node -e \
	  'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const t of Object.values(JSON.parse(s).target))console.log(t.tags[0])})'); do \
	  echo "$$ref: $$(docker buildx imagetools inspect --raw "$$ref" | $(NODE22) node -e \
	    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const m=JSON.parse(s),all=m.manifests??[],att=all.filter(x=>x.annotations?.["vnd.docker.reference.type"]==="attestation-manifest");console.log(all.filter(x=>!att.includes(x)).map(x=>x.platform.os+"/"+x.platform.architecture).join(" ")+" (+"+att.length+" attestation manifests)")})')"; \
	done

.PHONY: images-print
images-print: ## Show the resolved bake definition (no build)
	$(IMAGES_BAKE) --print

# The images under test are signed with the lab's key (the signature tests verify with its .pub).
.PHONY: test-images
test-images: SIGNING_KEY = $(shell lab/cosign.sh key)
test-images: COSIGN = $(shell lab/cosign.sh bin)
test-images: export COSIGN_PASSWORD =
test-images: images install ## Every image under the RIE, both architectures (vitest project images)
	IMAGES_REGISTRY=$(REGISTRY) IMAGES_BUILDER=$(IMAGES_BUILDER) CACERT=$(CACERT) SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) \
	  IMAGES_SIGNING_KEY=$(SIGNING_KEY) IMAGES_COSIGN=$(COSIGN) \
	  $(NODE22) npx vitest run --project images

# Not in `make test` (CI time: 5-20 minutes): the newest major's image built twice with no build
# cache, both platforms; the digests must be equal (test/images/reproducible.test.ts).
.PHONY: test-reproducible
test-reproducible: install ## Build one image twice with no build cache, both platforms; the digests must be equal
	IMAGES_REGISTRY=$(REGISTRY) IMAGES_BUILDER=$(IMAGES_BUILDER) CACERT=$(CACERT) SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) \
	  IMAGES_REPRODUCE_BUILDS=2 $(NODE22) npx vitest run --project images test/images/reproducible.test.ts

TEST_TARGETS += test-images

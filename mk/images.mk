# The images: Lambda base images (Node.js 22, 24) and the extension-only image, built with bake on
# the lab's builder for linux/amd64 + linux/arm64 and pushed, as a user would push to ECR:
#   REGISTRY=<account>.dkr.ecr.<region>.amazonaws.com make images
REGISTRY ?= 127.0.0.1:5000
IMAGES_BUILDER ?= lab
# Extra CA certificates for downloads inside the build (our network intercepts TLS); the system
# bundle when present. Set CACERT= (empty) to pass none.
CACERT ?= $(wildcard /etc/ssl/certs/ca-certificates.crt)
IMAGES_BAKE = REGISTRY=$(REGISTRY) CACERT=$(CACERT) docker buildx bake --builder $(IMAGES_BUILDER) \
	$(if $(CACERT),--allow fs.read=$(dir $(CACERT)))

.PHONY: images
images: ## Build every image (bake, amd64+arm64) and push it to $(REGISTRY)
	$(IMAGES_BAKE) --push
	@for ref in $$($(IMAGES_BAKE) --print 2>/dev/null | $(NODE22) node -e \
	  'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const t of Object.values(JSON.parse(s).target))console.log(t.tags[0])})'); do \
	  echo "$$ref: $$(docker buildx imagetools inspect --raw "$$ref" | $(NODE22) node -e \
	    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const m=JSON.parse(s);console.log((m.manifests??[]).map(x=>x.platform.os+"/"+x.platform.architecture).join(" "))})')"; \
	done

.PHONY: images-print
images-print: ## Show the resolved bake definition (no build)
	$(IMAGES_BAKE) --print

.PHONY: test-images
test-images: images install ## Every image under the RIE, both architectures (vitest project images)
	IMAGES_REGISTRY=$(REGISTRY) IMAGES_BUILDER=$(IMAGES_BUILDER) CACERT=$(CACERT) \
	  $(NODE22) npx vitest run --project images

TEST_TARGETS += test-images

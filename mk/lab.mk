# The lab: the offline replica of the registries, builders and AWS APIs our images live in.
# Scripts live in lab/; pins in lab/versions.env; state in /var/lib/lambda-nodejs-lab.

.PHONY: lab
lab: ## Bring the lab up (idempotent): docker, registry, buildkit, binfmt, stand-in bases, RIE, moto
	@lab/up.sh

.PHONY: lab-down
lab-down: ## Stop the lab's daemons (by pid; caches and registry data stay)
	@lab/down.sh

.PHONY: lab-status
lab-status: ## Show each lab component's version and state (changes nothing)
	@lab/status.sh

.PHONY: test-lab
test-lab: install ## Lab tests: builder, stand-in images on both arches, RIE binaries, moto via AWS SDK
	$(NODE22) npx vitest run --project lab

TEST_SETUP += lab
TEST_TARGETS += test-lab

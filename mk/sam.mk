# AWS SAM CLI with our images (issue 14): sam build, sam local invoke and sam local start-api on a
# function image built FROM our Node 22 image, against a private moto, on the lab's SAM engine
# (lab/sam.sh: SAM CLI from PyPI and a Docker engine with a bridge, which SAM needs).

.PHONY: test-sam
test-sam: images install ## SAM CLI with our Node 22 image: build, local invoke, local start-api (vitest project sam)
	lab/sam.sh up
	IMAGES_REGISTRY=$(REGISTRY) $(NODE22) npx vitest run --project sam

TEST_TARGETS += test-sam

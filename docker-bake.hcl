# Builds the Lambda base images (one per Node.js major) and the extension-only image, each for
# linux/amd64 and linux/arm64, from images/Dockerfile.
#
#   docker buildx bake --print                              # the resolved definition, no build
#   REGISTRY=<account>.dkr.ecr.<region>.amazonaws.com docker buildx bake --push
#   CACERT=/etc/ssl/certs/ca-certificates.crt docker buildx bake --allow fs.read=/etc/ssl/certs ...
#                                           # only behind a TLS-intercepting proxy
#
# Every variable can be set from the environment (lists as CSV: PLATFORMS=linux/arm64).
# The pinned versions and base image digests come from docker-bake.json next to this file (generated
# from lab/versions.env and images/bases.lock by `make pins`), which bake reads by itself. For the
# same digests as `make images`, pass the commit's time:
#   SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) docker buildx bake

variable "REGISTRY" {
  description = "Registry (and optional path) the images are tagged and pushed to"
  default     = "127.0.0.1:5000"
}

variable "REPOSITORY" {
  description = "Repository of the base images; the extension image is <REPOSITORY>-extension"
  default     = "lambda-nodejs"
}

variable "TAG" {
  description = "Release tag: base images get <major> (and <major>-<TAG> unless TAG is latest), the extension image <TAG>"
  default     = "latest"
}

variable "NODE_MAJORS" {
  description = "Node.js majors to build base images for (default: the pinned ones, docker-bake.json)"
  type        = list(string)
  default     = PINNED_NODE_MAJORS
}

variable "PLATFORMS" {
  type    = list(string)
  default = ["linux/amd64", "linux/arm64"]
}

variable "DEBIAN_SUITE" {
  description = "Debian release of the node and golang base images; bases of another suite than the locked one are built from their tags (not in images/bases.lock)"
  default     = PINNED_DEBIAN_SUITE
}

variable "BUILD_NODE_MAJOR" {
  description = "Node.js major of the build-platform stages (npm ci, esbuild, node-gyp)"
  default     = PINNED_BUILD_NODE_MAJOR
}

variable "SOURCE_DATE_EPOCH" {
  description = "Unix time of every timestamp in the images (config, history, files); the Makefile passes the commit's time, so a commit always builds the same digests. Empty: build time"
  default     = ""
}

variable "CACERT" {
  description = "PEM file of extra CA certificates for downloads during the build (TLS-intercepting proxies); empty for none. Passed as build secret `cacert`, never stored in a layer"
  default     = ""
}

variable "SBOM_GENERATOR" {
  description = "Scanner image for the SBOM attestation; empty for BuildKit's default (docker/buildkit-syft-scanner)"
  default     = ""
}

# A base image reference pinned to the digest images/bases.lock has for it (docker-bake.json).
function "base" {
  params = [ref]
  result = contains(keys(BASE_DIGESTS), ref) ? "${ref}@${BASE_DIGESTS[ref]}" : ref
}

function "node_base" {
  params = [major]
  result = base("docker.io/library/node:${NODE_VERSIONS[major]}-${DEBIAN_SUITE}-slim")
}

group "default" {
  targets = ["runtime", "extension"]
}

# Settings every image shares. Each index carries SLSA provenance (mode=max: every build step, its
# sources and arguments) and an SPDX SBOM per platform, as attestation manifests. A function built
# FROM one of these images resolves a single platform's manifest and is a new image without them,
# so what Lambda deploys stays a plain manifest (docs/images.md). The SBOM step runs the scanner image
# SBOM_GENERATOR names (BuildKit's default, docker/buildkit-syft-scanner, when empty). Provenance
# records when the build ran, so the index digest changes per build; the platform manifests stay
# reproducible: rewrite-timestamp clamps every file's time in the layers to SOURCE_DATE_EPOCH.
target "_common" {
  context    = "."
  dockerfile = "images/Dockerfile"
  platforms  = PLATFORMS
  # NODE_IMAGE/NODE_MAJOR: every FROM must name an image, even in stages a target does not build;
  # the runtime targets set their own major's.
  args = merge({
    NODE_IMAGE       = node_base(BUILD_NODE_MAJOR)
    NODE_MAJOR       = BUILD_NODE_MAJOR
    BUILD_NODE_IMAGE = node_base(BUILD_NODE_MAJOR)
    GOLANG_IMAGE     = base("docker.io/library/golang:${GO_VERSION}-${DEBIAN_SUITE}")
    RIE_VERSION      = RIE_VERSION
  }, SOURCE_DATE_EPOCH == "" ? {} : { SOURCE_DATE_EPOCH = SOURCE_DATE_EPOCH })
  attest = [
    "type=provenance,mode=max",
    SBOM_GENERATOR == "" ? "type=sbom" : "type=sbom,generator=${SBOM_GENERATOR}",
  ]
  output = ["type=image,rewrite-timestamp=true"]
  secret = CACERT == "" ? [] : ["id=cacert,src=${CACERT}"]
}

target "runtime" {
  inherits = ["_common"]
  name     = "node-${major}"
  matrix = {
    major = NODE_MAJORS
  }
  target = "runtime"
  args = {
    NODE_MAJOR = major
    NODE_IMAGE = node_base(major)
  }
  tags = TAG == "latest" ? ["${REGISTRY}/${REPOSITORY}:${major}"] : [
    "${REGISTRY}/${REPOSITORY}:${major}",
    "${REGISTRY}/${REPOSITORY}:${major}-${TAG}",
  ]
  labels = {
    "org.opencontainers.image.title"       = "${REPOSITORY}:${major}"
    "org.opencontainers.image.description" = "AWS Lambda base image for Node.js ${major} with the Parameters and Secrets extension"
  }
}

target "extension" {
  inherits = ["_common"]
  target   = "extension"
  tags     = ["${REGISTRY}/${REPOSITORY}-extension:${TAG}"]
}

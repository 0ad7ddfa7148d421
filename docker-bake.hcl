# Builds the Lambda base images (one per Node.js major) and the extension-only image, each for
# linux/amd64 and linux/arm64, from images/Dockerfile.
#
#   docker buildx bake --print                              # the resolved definition, no build
#   REGISTRY=<account>.dkr.ecr.<region>.amazonaws.com docker buildx bake --push
#   CACERT=/etc/ssl/certs/ca-certificates.crt docker buildx bake --allow fs.read=/etc/ssl/certs ...
#                                           # only behind a TLS-intercepting proxy
#
# Every variable can be set from the environment (lists as CSV: PLATFORMS=linux/arm64).

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
  description = "Node.js majors to build base images for (node:<major>-bookworm-slim)"
  type        = list(string)
  default     = ["22", "24"]
}

variable "PLATFORMS" {
  type    = list(string)
  default = ["linux/amd64", "linux/arm64"]
}

variable "DEBIAN_SUITE" {
  description = "Debian release of the node and golang base images"
  default     = "bookworm"
}

variable "BUILD_NODE_MAJOR" {
  description = "Node.js major of the build-platform stages (npm ci, esbuild, node-gyp)"
  default     = "22"
}

variable "GO_VERSION" {
  description = "Go of the stage that builds the RIE (golang:<version>-<suite>); lab/versions.env has the same pin"
  default     = "1.26.11"
}

variable "RIE_VERSION" {
  description = "Module version of github.com/aws/aws-lambda-runtime-interface-emulator (its git tags are not semver)"
  default     = "v0.0.0-20261030222936-bef5c4ba774d"
}

variable "RIC_VERSION" {
  description = "aws-lambda-ric version; must match package-lock.json (the build checks)"
  default     = "4.0.2"
}

variable "CACERT" {
  description = "PEM file of extra CA certificates for downloads during the build (TLS-intercepting proxies); empty for none. Passed as build secret `cacert`, never stored in a layer"
  default     = ""
}

variable "SBOM_GENERATOR" {
  description = "Scanner image for the SBOM attestation; empty for BuildKit's default (docker/buildkit-syft-scanner)"
  default     = ""
}

group "default" {
  targets = ["runtime", "extension"]
}

# Settings every image shares. Each index carries SLSA provenance (mode=max: every build step, its
# sources and arguments) and an SPDX SBOM per platform, as attestation manifests. A function built
# FROM one of these images resolves a single platform's manifest and is a new image without them,
# so what Lambda deploys stays a plain manifest (docs/images.md). The SBOM step runs the scanner image
# SBOM_GENERATOR names (BuildKit's default, docker/buildkit-syft-scanner, when empty).
target "_common" {
  context    = "."
  dockerfile = "images/Dockerfile"
  platforms  = PLATFORMS
  args = {
    DEBIAN_SUITE     = DEBIAN_SUITE
    BUILD_NODE_MAJOR = BUILD_NODE_MAJOR
    GO_VERSION       = GO_VERSION
    RIE_VERSION      = RIE_VERSION
    RIC_VERSION      = RIC_VERSION
  }
  attest = [
    "type=provenance,mode=max",
    SBOM_GENERATOR == "" ? "type=sbom" : "type=sbom,generator=${SBOM_GENERATOR}",
  ]
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

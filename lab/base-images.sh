#!/usr/bin/env bash
# Stand-in base images (FOR TESTS IN THE LAB ONLY), multi-arch (linux/amd64 + linux/arm64 in one
# index), pushed to the local registry under the real names the Dockerfiles use, so that with
# buildkitd's docker.io mirror `FROM node:22-bookworm-slim` resolves to them:
#   library/node:22-bookworm-slim  library/node:<NODE22_VERSION>-bookworm-slim
#   library/node:24-bookworm-slim  library/node:<NODE24_VERSION>-bookworm-slim
#   library/golang:<GO minor>-bookworm  library/golang:<GO_VERSION>-bookworm
# Each image is rebuilt only when its inputs change (the key below) or the registry lost it.
#   lab/base-images.sh up|status
set -euo pipefail
. "$(dirname "$0")/lib.sh"

LOG="$LAB_LOGS/base-images.log"
STATE="$LAB_STATE/base-images"
CTX_ROOT="$LAB_CACHE/base-images"
SRC="$LAB_DIR/base-images"
ARCHES=(amd64 arm64)
mkdir -p "$STATE" "$CTX_ROOT"

node_package_arch() {
  case "$1" in amd64) echo x64 ;; arm64) echo arm64 ;; esac
}

# Unpack an npm package (npm pack through the ordinary client) once into the cache; print its dir.
# The node-linux-* dirs share scripts/node-toolchain.sh's layout, so the host toolchain is reused.
npm_package() {
  local name="$1" version="$2" dir="$LAB_CACHE/$3/$1-$2" tmp
  if [ ! -f "$dir/package.json" ]; then
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "$name@$version" >/dev/null && mkdir x && tar -xzf ./*.tgz -C x) >>"$LOG" 2>&1 ||
      lab_fail base-images "$LOG" "npm pack $name@$version failed"
    mkdir -p "$(dirname "$dir")"
    rm -rf "$dir" && mv "$tmp/x/package" "$dir"
    rm -rf "$tmp"
  fi
  echo "$dir"
}

# Digest the registry serves for repo:tag (an index), or nothing.
registry_digest() {
  curl -fsI --max-time 5 \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    "http://$REGISTRY_ADDR/v2/$1/manifests/$2" 2>/dev/null |
    tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: *//p'
}

# True when every tag of the image is in the registry with the digest recorded for this input key.
up_to_date() {
  local id="$1" key="$2" repo="$3" tag recorded_key digest
  shift 3
  [ -f "$STATE/$id" ] || return 1
  read -r recorded_key digest <"$STATE/$id"
  [ "$recorded_key" = "$key" ] || return 1
  for tag in "$@"; do
    [ "$(registry_digest "$repo" "$tag")" = "$digest" ] || return 1
  done
}

# docker buildx build for both platforms on the lab builder, pushed; records key and index digest.
build_and_push() {
  local id="$1" key="$2" ctx="$3" dockerfile="$4" repo="$5" started=$SECONDS tag digest
  shift 5
  local build_args=() tags=()
  while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
    build_args+=(--build-arg "$1")
    shift
  done
  shift
  for tag in "$@"; do tags+=(-t "$REGISTRY_ADDR/$repo:$tag"); done
  printf '\n=== %s building %s (%s)\n' "$(date -u +%FT%TZ)" "$id" "$key" >>"$LOG"
  docker buildx build --builder lab --platform linux/amd64,linux/arm64 --provenance=false --sbom=false \
    "${build_args[@]}" -f "$dockerfile" "${tags[@]}" --push --metadata-file "$ctx.meta.json" "$ctx" >>"$LOG" 2>&1 ||
    lab_fail base-images "$LOG" "building $repo:$1 failed"
  digest="$(sed -n 's/^ *"containerimage.digest": *"\(sha256:[0-9a-f]*\)".*/\1/p' "$ctx.meta.json" | head -n 1)"
  [ -n "$digest" ] || lab_fail base-images "$LOG" "no digest in $ctx.meta.json after pushing $repo:$1"
  echo "$key $digest" >"$STATE/$id"
  rm -rf "$ctx" "$ctx.meta.json"
  lab_time_log "base-image-$id" $((SECONDS - started))
}

# Build both root filesystems (arm64 under qemu takes minutes), side by side when missing.
rootfs_both() {
  lab_apt_install mmdebstrap arch-test
  "$LAB_DIR/rootfs.sh" amd64 >"$STATE/.rootfs-amd64" &
  local amd64_pid=$!
  "$LAB_DIR/rootfs.sh" arm64 >"$STATE/.rootfs-arm64" &
  local arm64_pid=$!
  wait "$amd64_pid" || exit 1
  wait "$arm64_pid" || exit 1
}

node_image() {
  local major="$1" version="$2" npm_version="$3" id="node-$1" repo=library/node arch npm_dir key ctx
  local tags=("$major-$DEBIAN_SUITE-slim" "$version-$DEBIAN_SUITE-slim")
  npm_dir="$(npm_package npm "$npm_version" npm)"
  key="$(
    {
      cat "$SRC/node.Dockerfile" "$SRC/docker-entrypoint.sh"
      echo "$version $npm_version"
      for arch in "${ARCHES[@]}"; do basename "$(cat "$STATE/.rootfs-$arch")"; done
    } | sha256sum | cut -c1-16
  )"
  if up_to_date "$id" "$key" "$repo" "${tags[@]}"; then
    lab_say "node$major" "$version (npm $npm_version)" "present in $REGISTRY_ADDR/$repo:${tags[0]}"
    return 0
  fi
  ctx="$CTX_ROOT/$id"
  rm -rf "$ctx" && mkdir -p "$ctx"
  for arch in "${ARCHES[@]}"; do
    local pkg
    pkg="$(npm_package "node-linux-$(node_package_arch "$arch")" "$version" node)"
    mkdir -p "$ctx/$arch/node/bin" "$ctx/$arch/node/include"
    ln "$(cat "$STATE/.rootfs-$arch")" "$ctx/$arch/rootfs.tar"
    ln "$pkg/bin/node" "$ctx/$arch/node/bin/node"
    cp -al "$pkg/include/node" "$ctx/$arch/node/include/node"
  done
  cp -al "$npm_dir" "$ctx/npm"
  cp "$SRC/docker-entrypoint.sh" "$ctx/docker-entrypoint.sh"
  build_and_push "$id" "$key" "$ctx" "$SRC/node.Dockerfile" "$repo" "NODE_VERSION=$version" -- "${tags[@]}"
  lab_say "node$major" "$version (npm $npm_version)" "built and pushed to $REGISTRY_ADDR/$repo:${tags[0]}"
}

golang_image() {
  local id=golang repo=library/golang arch key ctx
  local tags=("${GO_VERSION%.*}-$DEBIAN_SUITE" "$GO_VERSION-$DEBIAN_SUITE")
  key="$(
    {
      cat "$SRC/golang.Dockerfile"
      echo "$GO_VERSION $GO_TOOLCHAIN_SHA256_AMD64 $GO_TOOLCHAIN_SHA256_ARM64"
      for arch in "${ARCHES[@]}"; do basename "$(cat "$STATE/.rootfs-$arch")"; done
    } | sha256sum | cut -c1-16
  )"
  if up_to_date "$id" "$key" "$repo" "${tags[@]}"; then
    lab_say golang "$GO_VERSION" "present in $REGISTRY_ADDR/$repo:${tags[0]}"
    return 0
  fi
  ctx="$CTX_ROOT/$id"
  rm -rf "$ctx" && mkdir -p "$ctx"
  for arch in "${ARCHES[@]}"; do
    mkdir -p "$ctx/$arch"
    ln "$(cat "$STATE/.rootfs-$arch")" "$ctx/$arch/rootfs.tar"
    cp -al "$("$LAB_DIR/go-toolchain.sh" "$arch")" "$ctx/$arch/go"
  done
  build_and_push "$id" "$key" "$ctx" "$SRC/golang.Dockerfile" "$repo" "GOLANG_VERSION=$GO_VERSION" -- "${tags[@]}"
  lab_say golang "$GO_VERSION" "built and pushed to $REGISTRY_ADDR/$repo:${tags[0]}"
}

up() {
  rootfs_both
  node_image 22 "$NODE22_VERSION" "$NPM_FOR_NODE22_VERSION"
  node_image 24 "$NODE24_VERSION" "$NPM_FOR_NODE24_VERSION"
  golang_image
}

status() {
  local failed=0 ref
  for ref in "library/node:22-$DEBIAN_SUITE-slim" "library/node:24-$DEBIAN_SUITE-slim" "library/golang:${GO_VERSION%.*}-$DEBIAN_SUITE"; do
    if [ -n "$(registry_digest "${ref%%:*}" "${ref#*:}")" ]; then lab_say base-image "$ref" present; else
      lab_say base-image "$ref" missing
      failed=1
    fi
  done
  return "$failed"
}

lab_dispatch "up status" "$@"

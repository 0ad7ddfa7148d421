#!/usr/bin/env bash
# Stand-in base images (FOR TESTS IN THE LAB ONLY), multi-arch (linux/amd64 + linux/arm64 in one
# index), pushed to the local registry under the real names the Dockerfiles use, so that with
# buildkitd's docker.io mirror `FROM node:<version>-<suite>-slim@sha256:…` resolves to them
# (<suite> is DEBIAN_SUITE, one image per major of NODE_MAJORS):
#   library/node:<major>-<suite>-slim       library/node:<NODE<major>_VERSION>-<suite>-slim
#   library/golang:<GO minor>-<suite>       library/golang:<GO_VERSION>-<suite>
# Each image is rebuilt only when its inputs change (the key below) or the registry lost it.
# Builds are reproducible (rootfs.sh, SOURCE_DATE_EPOCH, rewrite-timestamp): the same inputs give
# the same digest on any machine, which images/bases.lock records; each line says whether the
# registry's digest is the locked one (a difference fails `make images`, see docs/images.md).
# With LAB_PROFILE=demo (make demo), `up` builds only what the demo's one build needs when the
# locked stand-ins are not served: node:<BUILD_NODE_MAJOR> and golang for this machine's
# architecture alone (no QEMU), under the lab-only tags <tag>-<arch>; `ref` names what to build from.
#   lab/base-images.sh up|status
#   lab/base-images.sh ref node<major>|golang   the docker.io reference (with digest) builds use
set -euo pipefail
. "$(dirname "$0")/lib.sh"

LOG="$LAB_LOGS/base-images.log"
STATE="$LAB_STATE/base-images"
CTX_ROOT="$LAB_CACHE/base-images"
SRC="$LAB_DIR/base-images"
LOCK="$LAB_DIR/../images/bases.lock"
HOST_ARCH="$(dpkg --print-architecture)"
if [ "$LAB_PROFILE" = demo ]; then
  ARCHES=("$HOST_ARCH")
  MAJORS=("$BUILD_NODE_MAJOR")
  TAG_SUFFIX="-$HOST_ARCH"
else
  ARCHES=(amd64 arm64)
  IFS=, read -r -a MAJORS <<<"$NODE_MAJORS"
  TAG_SUFFIX=
fi
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

# Digest the registry serves for repo:tag (an index; a single-platform manifest for the demo's
# stand-ins), or nothing.
registry_digest() {
  curl -fsI --max-time 5 \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
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

# docker buildx build for the profile's platforms (both, or the demo's one) on the lab builder, reproducibly (every timestamp clamped to
# LAB_SOURCE_DATE_EPOCH); prints the pushed index digest. Extra arguments: --build-arg/-t/--no-cache.
build_image() {
  local ctx="$1" dockerfile="$2" digest
  shift 2
  local platforms
  platforms="$(printf 'linux/%s,' "${ARCHES[@]}")"
  docker buildx build --builder lab --platform "${platforms%,}" --provenance=false --sbom=false \
    --build-arg "SOURCE_DATE_EPOCH=$LAB_SOURCE_DATE_EPOCH" --output type=image,push=true,rewrite-timestamp=true \
    "$@" -f "$dockerfile" --metadata-file "$ctx.meta.json" "$ctx" >>"$LOG" 2>&1 || return 1
  digest="$(sed -n 's/^ *"containerimage.digest": *"\(sha256:[0-9a-f]*\)".*/\1/p' "$ctx.meta.json" | head -n 1)"
  rm -f "$ctx.meta.json"
  [ -n "$digest" ] && echo "$digest"
}

# Builds and pushes a stand-in under its tags; records key and index digest.
build_and_push() {
  local id="$1" key="$2" ctx="$3" dockerfile="$4" repo="$5" started=$SECONDS tag digest
  shift 5
  local args=()
  while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
    args+=(--build-arg "$1")
    shift
  done
  shift
  for tag in "$@"; do args+=(-t "$REGISTRY_ADDR/$repo:$tag"); done
  printf '\n=== %s building %s (%s)\n' "$(date -u +%FT%TZ)" "$id" "$key" >>"$LOG"
  digest="$(lab_with_progress base-images "building and pushing $repo:$1 (log $LOG)" - \
    build_image "$ctx" "$dockerfile" "${args[@]}")" || lab_fail base-images "$LOG" "building $repo:$1 failed"
  echo "$key $digest" >"$STATE/$id"
  rm -rf "$ctx"
  lab_time_log "base-image-$id" $((SECONDS - started))
}

# Build the root filesystems of the given variants for the profile's arches (arm64 under qemu takes
# minutes), side by side when missing; each path lands in $STATE/.rootfs-<variant>-<arch>.
rootfs_build() {
  local variant pids=() arch pid
  lab_apt_install mmdebstrap arch-test
  for variant in "$@"; do
    for arch in "${ARCHES[@]}"; do
      "$LAB_DIR/rootfs.sh" "$arch" "$variant" >"$STATE/.rootfs-$variant-$arch" &
      pids+=("$!")
    done
  done
  for pid in "${pids[@]}"; do wait "$pid" || exit 1; done
}

# The digest images/bases.lock records for docker.io/<repo>:<tag>, or nothing.
locked_digest() {
  [ -f "$LOCK" ] || return 0
  awk -v ref="docker.io/$1:$2" '$1 == ref { print $2 }' "$LOCK"
}

# "matches images/bases.lock" when the registry serves the locked digest for repo:tag, else what
# differs and what to run. Informational: the lab stands in for docker.io, where a moved tag is
# normal; `make images` is what refuses to build from a base that is not the locked one.
lock_state() {
  local repo="$1" tag="$2" locked served
  locked="$(locked_digest "$repo" "$tag")"
  served="$(registry_digest "$repo" "$tag")"
  if [ -n "$TAG_SUFFIX" ]; then
    echo "linux/${ARCHES[0]} only, for make demo (make lab builds the locked ones)"
  elif [ -z "$locked" ]; then
    echo "not in images/bases.lock (make lock)"
  elif [ "$locked" = "$served" ]; then
    echo "matches images/bases.lock"
  else
    echo "DIFFERS from images/bases.lock (${served:0:19}… vs ${locked:0:19}…; make lock)"
  fi
}

# The build context of a node stand-in: per arch the root filesystem, node and its headers; npm.
node_context() {
  local ctx="$1" version="$2" npm_dir="$3" arch pkg
  rm -rf "$ctx" && mkdir -p "$ctx"
  for arch in "${ARCHES[@]}"; do
    pkg="$(npm_package "node-linux-$(node_package_arch "$arch")" "$version" node)"
    mkdir -p "$ctx/$arch/node/bin" "$ctx/$arch/node/include"
    ln "$(cat "$STATE/.rootfs-node-$arch")" "$ctx/$arch/rootfs.tar"
    ln "$pkg/bin/node" "$ctx/$arch/node/bin/node"
    cp -al "$pkg/include/node" "$ctx/$arch/node/include/node"
  done
  cp -al "$npm_dir" "$ctx/npm"
  cp "$SRC/docker-entrypoint.sh" "$ctx/docker-entrypoint.sh"
}

node_image() {
  local major="$1" version npm_version id="node-$1-$DEBIAN_SUITE$TAG_SUFFIX" repo=library/node arch npm_dir key ctx
  version="$(pin_of "NODE${major}_VERSION")"
  npm_version="$(pin_of "NPM_FOR_NODE${major}_VERSION")"
  local tags=("$version-$DEBIAN_SUITE-slim" "$major-$DEBIAN_SUITE-slim")
  [ -z "$TAG_SUFFIX" ] || tags=("$version-$DEBIAN_SUITE-slim$TAG_SUFFIX")
  npm_dir="$(npm_package npm "$npm_version" npm)"
  key="$(
    {
      cat "$SRC/node.Dockerfile" "$SRC/docker-entrypoint.sh"
      echo "$version $npm_version $LAB_SOURCE_DATE_EPOCH"
      for arch in "${ARCHES[@]}"; do basename "$(cat "$STATE/.rootfs-node-$arch")"; done
    } | sha256sum | cut -c1-16
  )"
  if up_to_date "$id" "$key" "$repo" "${tags[@]}"; then
    lab_say "node$major" "$version (npm $npm_version)" "present, $(lock_state "$repo" "${tags[0]}")"
    return 0
  fi
  ctx="$CTX_ROOT/$id"
  node_context "$ctx" "$version" "$npm_dir"
  build_and_push "$id" "$key" "$ctx" "$SRC/node.Dockerfile" "$repo" "NODE_VERSION=$version" -- "${tags[@]}"
  lab_say "node$major" "$version (npm $npm_version)" "built and pushed, $(lock_state "$repo" "${tags[0]}")"
}

golang_context() {
  local ctx="$1" arch
  rm -rf "$ctx" && mkdir -p "$ctx"
  for arch in "${ARCHES[@]}"; do
    mkdir -p "$ctx/$arch"
    ln "$(cat "$STATE/.rootfs-scm-$arch")" "$ctx/$arch/rootfs.tar"
    cp -al "$("$LAB_DIR/go-toolchain.sh" "$arch")" "$ctx/$arch/go"
  done
}

golang_image() {
  local id="golang-$DEBIAN_SUITE$TAG_SUFFIX" repo=library/golang arch key ctx
  local tags=("$GO_VERSION-$DEBIAN_SUITE" "${GO_VERSION%.*}-$DEBIAN_SUITE")
  [ -z "$TAG_SUFFIX" ] || tags=("$GO_VERSION-$DEBIAN_SUITE$TAG_SUFFIX")
  key="$(
    {
      cat "$SRC/golang.Dockerfile"
      echo "$GO_VERSION $GO_TOOLCHAIN_SHA256_AMD64 $GO_TOOLCHAIN_SHA256_ARM64 $LAB_SOURCE_DATE_EPOCH"
      for arch in "${ARCHES[@]}"; do basename "$(cat "$STATE/.rootfs-scm-$arch")"; done
    } | sha256sum | cut -c1-16
  )"
  if up_to_date "$id" "$key" "$repo" "${tags[@]}"; then
    lab_say golang "$GO_VERSION" "present, $(lock_state "$repo" "${tags[0]}")"
    return 0
  fi
  ctx="$CTX_ROOT/$id"
  golang_context "$ctx"
  build_and_push "$id" "$key" "$ctx" "$SRC/golang.Dockerfile" "$repo" "GOLANG_VERSION=$GO_VERSION" -- "${tags[@]}"
  lab_say golang "$GO_VERSION" "built and pushed, $(lock_state "$repo" "${tags[0]}")"
}

# The value of a pin named at run time (NODE26_VERSION, ...); fails naming it when it is missing.
pin_of() {
  local value="${!1:-}"
  [ -n "$value" ] || lab_fail base-images "" "lab/versions.env has no $1 (NODE_MAJORS=$NODE_MAJORS)"
  echo "$value"
}

up() {
  local major
  if [ "$LAB_PROFILE" = demo ]; then
    demo_up
    return
  fi
  rootfs_build node
  rootfs_build scm
  for major in "${MAJORS[@]}"; do node_image "$major"; done
  golang_image
}

# The demo profile: the locked (both-platform) stand-ins when the registry serves them, else this
# machine's architecture only: the two root filesystems side by side, then the two images.
demo_up() {
  local missing
  missing="$(demo_missing)"
  case " $missing " in *" node "*) ;; *)
    lab_say "node$BUILD_NODE_MAJOR" "$(pin_of "NODE${BUILD_NODE_MAJOR}_VERSION")" "present (amd64+arm64), matches images/bases.lock"
    ;;
  esac
  case " $missing " in *" scm "*) ;; *) lab_say golang "$GO_VERSION" "present (amd64+arm64), matches images/bases.lock" ;; esac
  [ -n "$missing" ] || return 0
  # shellcheck disable=SC2086 # a list of variant names
  rootfs_build $missing
  case " $missing " in *" node "*) node_image "$BUILD_NODE_MAJOR" ;; esac
  case " $missing " in *" scm "*) golang_image ;; esac
}

# The root filesystem variants whose locked stand-in the registry does not serve (demo profile).
demo_missing() {
  local missing=()
  locked_served library/node "$(pin_of "NODE${BUILD_NODE_MAJOR}_VERSION")-$DEBIAN_SUITE-slim" || missing+=(node)
  locked_served library/golang "$GO_VERSION-$DEBIAN_SUITE" || missing+=(scm)
  echo "${missing[*]}"
}

# Demo profile, run by lab/up.sh in the background while BuildKit compiles: the root filesystems
# `up` will need (mmdebstrap: downloads and dpkg, little CPU), printing only progress and failures.
rootfs() {
  local missing
  [ "$LAB_PROFILE" = demo ] || lab_fail base-images "" "rootfs: only for LAB_PROFILE=demo (up builds them)"
  missing="$(demo_missing)"
  # shellcheck disable=SC2086 # a list of variant names
  [ -z "$missing" ] || rootfs_build $missing
}

# True when the registry serves the digest images/bases.lock records for repo:tag.
locked_served() {
  local locked
  locked="$(locked_digest "$1" "$2")"
  [ -n "$locked" ] && [ "$(registry_digest "$1" "$2")" = "$locked" ]
}

# The reference (docker.io name, tag and digest) a build uses for a stand-in: the locked one when
# the registry serves it, else the demo profile's one for this machine's architecture; fails when
# neither is there (run make lab or make demo).
ref() {
  local which="${1:?usage: lab/base-images.sh ref node<major>|golang}" repo tag digest
  case "$which" in
  golang) repo=library/golang tag="$GO_VERSION-$DEBIAN_SUITE" ;;
  node*) repo=library/node tag="$(pin_of "NODE${which#node}_VERSION")-$DEBIAN_SUITE-slim" ;;
  *) lab_fail base-images "" "ref: unknown stand-in '$which' (node<major> or golang)" ;;
  esac
  if locked_served "$repo" "$tag"; then
    echo "docker.io/$repo:$tag@$(locked_digest "$repo" "$tag")"
  elif digest="$(registry_digest "$repo" "$tag-$HOST_ARCH")" && [ -n "$digest" ]; then
    echo "docker.io/$repo:$tag@$digest"
  else
    lab_fail base-images "" "neither docker.io/$repo:$tag nor its linux/$HOST_ARCH stand-in is in $REGISTRY_ADDR (make lab)"
  fi
}

status() {
  local failed=0 ref major refs=()
  if [ "$LAB_PROFILE" = demo ]; then
    for ref in "node$BUILD_NODE_MAJOR" golang; do
      if major="$(ref "$ref" 2>/dev/null)"; then lab_say base-image "$ref" "$major"; else
        lab_say base-image "$ref" missing
        failed=1
      fi
    done
    return "$failed"
  fi
  for major in "${MAJORS[@]}"; do refs+=("library/node:$(pin_of "NODE${major}_VERSION")-$DEBIAN_SUITE-slim"); done
  refs+=("library/golang:$GO_VERSION-$DEBIAN_SUITE")
  for ref in "${refs[@]}"; do
    if [ -n "$(registry_digest "${ref%%:*}" "${ref#*:}")" ]; then
      lab_say base-image "$ref" "present, $(lock_state "${ref%%:*}" "${ref#*:}")"
    else
      lab_say base-image "$ref" missing
      failed=1
    fi
  done
  return "$failed"
}

# Proof of reproducibility: build one stand-in again from the same inputs with no build cache, push
# it under lab-reproduce/, and compare its digest with the registry's (the up-to-date one). Run
# after `up`: lab/base-images.sh reproduce node<major>|golang   (test/lab/base-images.test.ts).
reproduce() {
  local which="${1:?usage: lab/base-images.sh reproduce node<major>|golang}" repo tag
  local ctx="$CTX_ROOT/reproduce-$which"
  local args=(--no-cache)
  local arch
  for arch in "${ARCHES[@]}"; do
    for variant in node scm; do
      [ -s "$(cat "$STATE/.rootfs-$variant-$arch" 2>/dev/null)" ] || lab_fail base-images "" "no $variant rootfs for $arch: run lab/base-images.sh up first"
    done
  done
  case "$which" in
  golang)
    repo=library/golang tag="$GO_VERSION-$DEBIAN_SUITE"
    golang_context "$ctx"
    args+=(--build-arg "GOLANG_VERSION=$GO_VERSION")
    set -- "$SRC/golang.Dockerfile"
    ;;
  node*)
    local major="${which#node}" version
    version="$(pin_of "NODE${major}_VERSION")"
    repo=library/node tag="$version-$DEBIAN_SUITE-slim"
    node_context "$ctx" "$version" "$(npm_package npm "$(pin_of "NPM_FOR_NODE${major}_VERSION")" npm)"
    args+=(--build-arg "NODE_VERSION=$version")
    set -- "$SRC/node.Dockerfile"
    ;;
  *) lab_fail base-images "" "reproduce: unknown stand-in '$which' (node<major> or golang)" ;;
  esac
  local served again
  served="$(registry_digest "$repo" "$tag")"
  again="$(build_image "$ctx" "$1" "${args[@]}" -t "$REGISTRY_ADDR/lab-reproduce/$repo:$tag")" ||
    lab_fail base-images "$LOG" "rebuilding $repo:$tag failed"
  rm -rf "$ctx"
  if [ "$again" = "$served" ]; then
    lab_say "$which" "$tag" "rebuilt without cache: same digest $again"
  else
    lab_say "$which" "$tag" "rebuilt without cache: DIFFERENT digest $again (registry: $served)"
    return 1
  fi
}

lab_dispatch "up status reproduce ref rootfs" "$@"

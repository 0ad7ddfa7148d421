#!/usr/bin/env bash
# `make demo`: the example function on our Node 22 image under the Runtime Interface Emulator,
# reading a parameter, a SecureString and a secret through the built-in extension from moto (the
# lab's AWS stand-in). It invokes twice to show the cache, then removes everything it started.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. lab/versions.env

registry=$REGISTRY_ADDR
arch=$(dpkg --print-architecture)
run_id=$$
base_image=$registry/demo/lambda-nodejs:22
function_image=$registry/demo/example-function:$arch
container=lambda-demo-$run_id
invoke_port=${DEMO_INVOKE_PORT:-9000}
extension_port=${DEMO_EXTENSION_PORT:-2773}
session_token=demo-session-$run_id
cacert=/etc/ssl/certs/ca-certificates.crt
node22="$(scripts/node-toolchain.sh 22)/node"

bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }

# The lab daemons this demo had to start are stopped again at the end; ones already up stay up.
lab_daemons=(moto docker registry buildkit)
started=()
for daemon in "${lab_daemons[@]}"; do
  lab/"$daemon".sh status >/dev/null 2>&1 || started+=("$daemon")
done
cleanup() {
  docker rm --force "$container" >/dev/null 2>&1 || true
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do lab/"${started[i]}".sh down >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

bold "1/5  Lab: Docker engine, registry, BuildKit, moto, Node 22 and Go stand-in bases (make lab's demo profile)"
LAB_PROFILE=demo lab/up.sh

bold "2/5  Building lambda-nodejs:22 for linux/$arch with docker buildx bake"
bake_args=()
if [ -r "$cacert" ]; then bake_args+=(--allow "fs.read=$(dirname "$cacert")"); fi
# The bases: the locked stand-ins if the full lab built them, else the demo profile's ones for this
# architecture (the same files, without the arm64 half); the profile builds the build stages' major
# (BUILD_NODE_MAJOR, 22), so the build stages use the same image.
node_ref=$(lab/base-images.sh ref node22)
bake_args+=(--set "node-22.args.NODE_IMAGE=$node_ref" --set "node-22.args.BUILD_NODE_IMAGE=$node_ref"
  --set "node-22.args.GOLANG_IMAGE=$(lab/base-images.sh ref golang)")
# The SBOM attestation needs the lab's SBOM scanner, which only the full lab builds (about 10 min):
# without it the demo's image carries provenance alone. make images always attaches both.
if ! lab/sbom-scanner.sh status >/dev/null 2>&1; then
  bake_args+=(--sbom=false)
  echo "(no SBOM attestation: the lab's SBOM scanner is built by make lab, not by make demo)"
fi
# Plain progress, condensed by build-progress.mjs: the steps that ran and a line every 20 s while one
# runs, so the first build (several minutes on a fresh machine) is never silent; a warm one prints nothing.
REGISTRY=$registry REPOSITORY=demo/lambda-nodejs PLATFORMS=linux/$arch CACERT=$([ -r "$cacert" ] && echo "$cacert") \
  docker buildx bake --builder lab "${bake_args[@]}" --progress plain --push node-22 2>&1 | "$node22" demo/build-progress.mjs
echo "pushed $base_image"
# examples/Dockerfile says FROM lambda-nodejs:22: point that name at the image just built.
docker buildx build --builder lab --platform "linux/$arch" --provenance=false --sbom=false --progress quiet \
  --build-context "lambda-nodejs:22=docker-image://$base_image" -t "$function_image" --push examples >/dev/null
echo "pushed $function_image (examples/Dockerfile: FROM, COPY, CMD)"

bold "3/5  Seeding moto with a String parameter, a SecureString and a secret"
lab/moto.sh reset >/dev/null
names=$(AWS_ENDPOINT_URL="http://$MOTO_HOST:$MOTO_PORT" "$node22" demo/seed.mjs)
echo "$names"
field() { "$node22" -e 'console.log(JSON.parse(process.argv[1])[process.argv[2]])' "$names" "$1"; }

bold "4/5  Running the function under the RIE (read-only root, non-root uid), moto as AWS"
docker pull --quiet "$function_image" >/dev/null
docker run --detach --name "$container" --network host --read-only --tmpfs /tmp \
  --user 23456:23456 \
  -e LAMBDA_RIE_OPTIONS="--runtime-interface-emulator-address 127.0.0.1:$invoke_port" \
  -e PARAMETERS_SECRETS_EXTENSION_HTTP_PORT="$extension_port" \
  -e AWS_ENDPOINT_URL="http://$MOTO_HOST:$MOTO_PORT" -e AWS_REGION=us-east-1 \
  -e AWS_ACCESS_KEY_ID=demo -e AWS_SECRET_ACCESS_KEY=demo -e AWS_SESSION_TOKEN="$session_token" \
  -e AWS_EC2_METADATA_DISABLED=true \
  -e PARAMETER_NAME="$(field parameterName)" -e SECURE_PARAMETER_NAME="$(field secureParameterName)" \
  -e SECRET_ID="$(field secretId)" \
  "$function_image" index.handler >/dev/null
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$invoke_port") 2>/dev/null && break
  [ "$(docker inspect --format '{{.State.Running}}' "$container")" = true ] || { docker logs "$container"; exit 1; }
  sleep 0.1
done
echo "container $container listening on 127.0.0.1:$invoke_port"

bold "5/5  Invoking twice: POST /2015-03-31/functions/function/invocations"
for invoke in 1 2; do
  body=$(curl -sS --max-time 120 -XPOST "http://127.0.0.1:$invoke_port/2015-03-31/functions/function/invocations" -d '{}')
  "$node22" demo/show-invoke.mjs "$invoke" "$body"
done
echo
docker logs "$container" 2>/dev/null | grep -E '^REPORT' | sed 's/^/  RIE: /' || true

docker stop --time 5 "$container" >/dev/null
if docker logs "$container" 2>&1 | grep -qi 'shutdown'; then echo "  docker stop: the extension received SHUTDOWN and exited"; fi

cat <<TEXT

Against real AWS, run the same image without the lab's stand-ins: drop AWS_ENDPOINT_URL and
AWS_EC2_METADATA_DISABLED, pass real credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_SESSION_TOKEN) and AWS_REGION, create the three values in SSM and Secrets Manager, and publish
with REGISTRY=<account>.dkr.ecr.<region>.amazonaws.com make images (docs/guide.md, docs/images.md).
TEXT

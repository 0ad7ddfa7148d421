#!/bin/sh
# Compiles aws-lambda-ric's native addon (rapid-client.node) for a target architecture with the
# package's own install scripts (scripts/preinstall.sh builds curl + aws-lambda-cpp, postinstall.sh
# runs node-gyp), then copies the files the runtime loads into an output directory.
#
# When the target differs from the machine's architecture it cross-compiles with Debian's
# g++-<triple> instead of running the compilers under QEMU (about 12 minutes for arm64 otherwise).
# The package's scripts take no cross options, so everything is passed through the environment:
#   host_alias             curl's ./configure reads it like --host (an autoconf precious variable)
#   CMAKE_TOOLCHAIN_FILE   cmake >= 3.21 reads it from the environment (aws-lambda-cpp)
#   CC/CXX/LINK, npm_config_arch   node-gyp's make generator and target arch
# The result is checked: the addon's ELF machine must be the target's.
#
# Usage: build-ric-addon.sh <package dir> <output dir> <amd64|arm64> [expected aws-lambda-ric version]
#   NODE_HEADERS_DIR   directory holding include/node (default /usr/local, as in the node images)
set -eu

pkg=$1
out=$2
target_arch=$3
expected_version=${4:-}
build_arch=$(dpkg --print-architecture)

case "$target_arch" in
amd64) triple=x86_64-linux-gnu cpu=x86_64 gyp_arch=x64 elf_machine=3e ;;
arm64) triple=aarch64-linux-gnu cpu=aarch64 gyp_arch=arm64 elf_machine=b7 ;;
*)
  echo "build-ric-addon: unsupported target architecture '$target_arch' (amd64 or arm64)" >&2
  exit 2
  ;;
esac

headers=${NODE_HEADERS_DIR:-/usr/local}
if [ ! -f "$headers/include/node/common.gypi" ]; then
  echo "build-ric-addon: no Node.js headers in $headers/include/node (set NODE_HEADERS_DIR)" >&2
  exit 2
fi
# node-gyp would otherwise download headers from nodejs.org.
export npm_config_nodedir="$headers"

if [ "$target_arch" != "$build_arch" ]; then
  for tool in "$triple-gcc" "$triple-g++"; do
    command -v "$tool" >/dev/null || {
      echo "build-ric-addon: cross compiler $tool not found (apt-get install g++-$(echo "$triple" | tr _ -))" >&2
      exit 2
    }
  done
  toolchain=$(mktemp -d)/toolchain.cmake
  cat >"$toolchain" <<CMAKE
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR $cpu)
set(CMAKE_C_COMPILER $triple-gcc)
set(CMAKE_CXX_COMPILER $triple-g++)
set(CMAKE_FIND_ROOT_PATH /usr/$triple)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
CMAKE
  export CMAKE_TOOLCHAIN_FILE="$toolchain"
  export host_alias="$triple" CC="$triple-gcc" CXX="$triple-g++" LINK="$triple-g++"
  export npm_config_arch="$gyp_arch"
  echo "build-ric-addon: cross-compiling for $target_arch ($triple) on $build_arch"
else
  echo "build-ric-addon: compiling natively for $target_arch"
fi

cd "$pkg"
version=$(node -p 'require("./package.json").version')
if [ -n "$expected_version" ] && [ "$version" != "$expected_version" ]; then
  echo "build-ric-addon: $pkg is aws-lambda-ric $version, expected $expected_version (the package-lock.json pin and the caller disagree)" >&2
  exit 1
fi
echo "build-ric-addon: aws-lambda-ric $version"
# The scripts print thousands of lines (curl's make install); keep them unless something fails.
log=$(mktemp)
for script in preinstall postinstall; do
  if ! sh "scripts/$script.sh" >"$log" 2>&1; then
    tail -n 80 "$log" >&2
    echo "build-ric-addon: aws-lambda-ric's $script.sh failed (last 80 lines above)" >&2
    exit 1
  fi
done
rm -f "$log"

machine=$(od -An -tx1 -j18 -N1 rapid-client.node | tr -d ' \n')
if [ "$machine" != "$elf_machine" ]; then
  echo "build-ric-addon: rapid-client.node has ELF machine 0x$machine, expected 0x$elf_machine ($target_arch)" >&2
  exit 1
fi

mkdir -p "$out"
# index.mjs is a self-contained bundle (its only dependency, @aws/lambda-invoke-store, is inlined);
# at run time it loads ./rapid-client.node and nothing else from the package.
cp package.json index.mjs rapid-client.node LICENSE NOTICE THIRD-PARTY-LICENSES README.md "$out/"
chmod 0644 "$out"/*
# The inlined dependency stays visible to SBOM scanners (they read installed package.json files):
# its name, version and license (no code) in node_modules/, found the way Node would resolve it.
node -e '
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require("node:fs");
const { dirname, join } = require("node:path");
const [name, out] = process.argv.slice(1);
let dir = process.cwd();
while (!existsSync(join(dir, "node_modules", name, "package.json"))) {
  if (dirname(dir) === dir) throw new Error(`build-ric-addon: ${name} is not installed`);
  dir = dirname(dir);
}
const { version, license } = JSON.parse(readFileSync(join(dir, "node_modules", name, "package.json"), "utf8"));
mkdirSync(join(out, "node_modules", name), { recursive: true });
writeFileSync(join(out, "node_modules", name, "package.json"), JSON.stringify({ name, version, license }, null, 2) + "\n");
console.log(`build-ric-addon: recorded inlined ${name}@${version}`);
' @aws/lambda-invoke-store "$out"
echo "build-ric-addon: $(wc -c <"$out/rapid-client.node") bytes, ELF machine 0x$machine -> $out"

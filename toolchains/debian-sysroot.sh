#!/usr/bin/env bash
# Unpack Debian packages of another architecture into a folder, for cross builds:
#   toolchains/debian-sysroot.sh <debian-arch> <folder> <package>...
#   toolchains/debian-sysroot.sh arm64 build/sysroot-arm64 libxnnpack-dev libpthreadpool-dev
# The packages and the libraries they depend on (except the C library, which the cross toolchain
# brings) are downloaded with `apt-get download` and unpacked with `dpkg-deb -x`: nothing is
# installed. (Installing `libxnnpack-dev:arm64` would remove the host's libxnnpack-dev, since those
# packages are not Multi-Arch: same, and its libc6:arm64 would mix with the cross toolchain's.)
# Give the folder to CMake as -DHALO_TARGET_ROOT=<folder> (toolchains/linux-cross.cmake).
# Run again with the same packages, it does nothing; it needs root only to add the architecture.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 <debian-arch> <folder> <package>..." >&2
  exit 2
fi
arch=$1 root=$2
shift 2
stamp="$root/.packages"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$arch $*" ]; then
  exit 0
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
  $sudo dpkg --add-architecture "$arch"
  $sudo apt-get update -qq
elif ! apt-cache show "$1:$arch" >/dev/null 2>&1; then
  $sudo apt-get update -qq
fi
# The packages and their run-time dependencies, as apt resolves them for $arch, less the C library
# and the compiler's own libraries.
mapfile -t debs < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances "${@/%/:$arch}" \
  | sed -n 's/^ *\(Pre\)\{0,1\}Depends: //p; /^[a-z0-9]/p' | sed 's/:.*//; s/[<>]//g' | sort -u \
  | grep -Ev '^(libc6|libgcc-s1|libstdc\+\+6|gcc-.*-base|libcrypt1|libidn2-0|libunistring2)$')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -qq "${debs[@]/%/:$arch}" 2>/dev/null)
rm -rf "$root"
mkdir -p "$root"
for deb in "$work"/*.deb; do
  dpkg-deb -x "$deb" "$root"
done
echo "$arch $*" > "$stamp"
echo "unpacked into $root: ${debs[*]}"

# Shared settings for the rustdio scripts (sourced, not executed).
# shellcheck shell=bash
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${RUSTDIO_BUILD:-$TOP/build}
KSRC=${KSRC:-$BUILD/linux}
TOOLS=$BUILD/tools
# Debian's rustc-web ships the library source the kernel needs; rustup's does not.
export PATH=/usr/bin:$TOOLS/bin:$PATH
export LLVM=1
JOBS=${JOBS:-$(nproc)}

say() { printf '[rustdio %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'rustdio: error: %s\n' "$*" >&2; exit 1; }

# kmake <objdir> <args...>: make in the kernel tree with the project's toolchain.
kmake() {
	local obj=$1; shift
	make -C "$KSRC" O="$obj" LLVM=1 -j"$JOBS" "$@"
}

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
# need_space <MiB> <what>: stop with a clear error, before a step that writes
# about that much under build/, when its filesystem has less free.  A full
# disk otherwise surfaces as a truncated log or a guest that never starts.
need_space() {
	mkdir -p "$BUILD"
	local free
	free=$(df -Pm "$BUILD" | awk 'NR == 2 { print $4 }')
	[ "${free:-0}" -ge "$1" ] ||
		die "$2 needs about $1 MiB free in $BUILD, the filesystem has ${free:-0} MiB (runs that failed keep their disk images in $BUILD/run-*: remove those)"
}

# The guest architecture: RUSTDIO_ARCH, else ARCH (make test ARCH=arm64),
# else x86_64.  ARCH itself is not left in the environment, where the kernel's
# make would pick it up for every build.
case ${RUSTDIO_ARCH:-${ARCH:-x86_64}} in
x86_64|x86|amd64) RUSTDIO_ARCH=x86_64; KARCH=x86; KIMAGE=arch/x86/boot/bzImage; ARCH_SUFFIX= ;;
arm64|aarch64) RUSTDIO_ARCH=arm64; KARCH=arm64; KIMAGE=arch/arm64/boot/Image; ARCH_SUFFIX=-arm64 ;;
*) printf 'rustdio: error: unsupported ARCH %s (x86_64 or arm64)\n' "${RUSTDIO_ARCH:-$ARCH}" >&2; exit 1 ;;
esac
export RUSTDIO_ARCH
unset ARCH
# The QEMU system emulator and serial console for the guest architecture.
# arm64: pauth-impdef uses QEMU's own pointer-authentication hash, much faster
# under TCG than the architected QARMA one.
if [ "$RUSTDIO_ARCH" = arm64 ]; then
	QEMU=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on)
	CONSOLE=ttyAMA0
else
	QEMU=(qemu-system-x86_64)
	CONSOLE=ttyS0
fi

# kmake <objdir> <args...>: make in the kernel tree with the project's toolchain,
# for the guest architecture (RUSTDIO_KARCH overrides it for one call).
kmake() {
	local obj=$1; shift
	make -C "$KSRC" O="$obj" ARCH="${RUSTDIO_KARCH:-$KARCH}" LLVM=1 -j"$JOBS" "$@"
}

# kobj <engine> <variant>: the object directory of a kernel for the guest
# architecture (x86_64 keeps the plain names).
kobj() {
	printf '%s\n' "$BUILD/kernel-$1-$2$ARCH_SUFFIX"
}

# watch <pid> <what> <file> <pattern> <expected>: while <pid> runs, print how
# many lines of <file> match <pattern> against <expected> (0: unknown) and
# the time so far: every 5 s on a terminal, every 60 s otherwise, so logs
# stay short.  Prints to stderr.
watch() {
	local pid=$1 what=$2 file=$3 pat=$4 want=$5 t0 every n pct
	t0=$(date +%s)
	every=60; [ -t 2 ] && every=5
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		[ $(( ($(date +%s) - t0) % every )) = 0 ] || continue
		n=$(grep -cE "$pat" "$file" 2>/dev/null || true)
		pct=; [ "${want:-0}" -gt 0 ] && pct=" of about $want ($(( n * 100 / want ))%)"
		printf '[rustdio %s] %s: %s%s, %d s\n' "$(date +%H:%M:%S)" "$what" "${n:-0}" "$pct" \
			$(( $(date +%s) - t0 )) >&2
	done
}

#!/usr/bin/env bash
# Install everything the project needs, idempotently: Debian packages,
# bindgen-cli from crates.io, and the unpacked 6.12 kernel tree.
source "$(dirname "$0")/lib.sh"

PKGS=(linux-source-6.12 rustc-web rust-web-src clang lld llvm libclang-dev
      rust-web-clippy rustfmt-web flex bison bc libelf-dev libssl-dev cpio xz-utils kmod rsync python3
      qemu-system-x86 busybox-static fio dmsetup linux-perf trace-cmd libaio-dev liburing-dev gcc make git
      dosfstools exfatprogs udftools jfsutils nilfs-tools ntfs-3g hfsutils
      reiserfsprogs ocfs2-tools)
# arm64 guests (ARCH=arm64, and make check's arm64 build) also need these.
[ "$RUSTDIO_ARCH" = arm64 ] && PKGS+=(qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
BINDGEN_VERSION=0.73.2

# arm64 guests run Debian's arm64 userspace, which
# scripts/arm64-root.sh downloads through apt: dpkg must know the architecture.
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
if [ "$RUSTDIO_ARCH" = arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	say "adding the arm64 architecture to dpkg (for the arm64 guest's packages)"
	$SUDO dpkg --add-architecture arm64
	$SUDO apt-get update -q >"$BUILD.apt.log" 2>&1 || die "apt-get update failed (log: $BUILD.apt.log)"
fi
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	say "installing Debian packages: ${missing[*]}"
	$SUDO apt-get update -q >"$BUILD.apt.log" 2>&1 || true
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >>"$BUILD.apt.log" 2>&1 ||
		die "apt-get could not install: ${missing[*]} (log: $BUILD.apt.log)"
	rm -f "$BUILD.apt.log"
fi
mkdir -p "$BUILD" "$TOOLS"

if ! "$TOOLS/bin/bindgen" --version 2>/dev/null | grep -q "$BINDGEN_VERSION"; then
	command -v cargo >/dev/null || die "cargo not found: install a Rust toolchain (rustup) to build bindgen-cli"
	say "installing bindgen-cli $BINDGEN_VERSION from crates.io into $TOOLS (about 1 minute)"
	# rustup's cargo builds bindgen; the kernel itself is built with Debian's rustc.
	PATH=$HOME/.cargo/bin:$PATH cargo install --locked --quiet --root "$TOOLS" \
		bindgen-cli --version "$BINDGEN_VERSION" >"$BUILD/bindgen.log" 2>&1 ||
		die "cargo install bindgen-cli failed (no network to crates.io?); log: $BUILD/bindgen.log"
fi

tarball=/usr/src/linux-source-6.12.tar.xz
[ -f "$tarball" ] || die "$tarball missing: install linux-source-6.12"
if [ ! -f "$KSRC/.unpacked" ] || [ "$tarball" -nt "$KSRC/.unpacked" ]; then
	need_space 2000 "unpacking the kernel source"
	say "unpacking $tarball into $KSRC"
	rm -rf "$KSRC" "$BUILD/linux-source-6.12"
	tar -C "$BUILD" -xf "$tarball"
	mv "$BUILD/linux-source-6.12" "$KSRC"
	touch "$KSRC/.unpacked"
fi

if ! make -s -C "$KSRC" LLVM=1 rustavailable >"$BUILD/rustavailable.log" 2>&1; then
	die "make LLVM=1 rustavailable failed: $(grep -m1 -i 'error\|\*\*\*' "$BUILD/rustavailable.log")"
fi
grep -q 'Rust is available!' "$BUILD/rustavailable.log" || die "Rust is not available for the kernel build"
say "toolchain ready: $(rustc --version), $(bindgen --version), clang $(clang -dumpversion)"

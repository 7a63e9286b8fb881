#!/usr/bin/env bash
# check.sh: mutants still apply, rustfmt --check, clippy with CONFIG_WERROR,
# make rustdoc; then the Rust-engine kernel for arm64 and for x86_64
# PREEMPT_RT with no warning in fs/rustdio/, and the stack frames of both
# engines on x86_64 and arm64 (Rust's __blockdev_direct_IO no larger than C's).
source "$(dirname "$0")/lib.sh"
# First, and without a kernel: every mutant (tests/mutants/) must still apply
# to the engine as it is now, or make mutants would test nothing.
"$TOP/scripts/mutants.sh" --check
"$TOP/scripts/integrate.sh"
obj=$BUILD/kernel-rust-guest
[ -f "$obj/.config" ] || "$TOP/scripts/build-kernel.sh" rust guest
rustfmt --check --edition 2021 --config-path "$KSRC/.rustfmt.toml" "$TOP"/*.rs || die "rustfmt: run rustfmt --edition 2021 --config-path $KSRC/.rustfmt.toml *.rs"
# Clippy in a tree configured like the Rust guest kernel plus CONFIG_WERROR,
# so every warning (C or Rust) in the project's objects is an error.
werr=$BUILD/kernel-rust-werror
mkdir -p "$werr" "$BUILD/logs"
if ! cmp -s <(cat "$obj/.config"; echo CONFIG_WERROR=y) "$werr/.config.base" 2>/dev/null; then
	{ cat "$obj/.config"; echo CONFIG_WERROR=y; } >"$werr/.config.base"
	cp "$werr/.config.base" "$werr/.config"
	kmake "$werr" -s olddefconfig >/dev/null || die "olddefconfig failed in $werr"
fi
grep -qx CONFIG_WERROR=y "$werr/.config" || die "CONFIG_WERROR is not set in $werr/.config"
touch "$KSRC"/fs/rustdio/*.rs "$KSRC"/fs/rustdio/*.c
if ! kmake "$werr" CLIPPY=1 fs/rustdio/ >"$BUILD/logs/clippy.log" 2>&1 ||
	grep -qE '^(warning|error)' "$BUILD/logs/clippy.log"; then
	grep -E -A6 '^(warning|error)' "$BUILD/logs/clippy.log" | head -n 60 || true
	die "clippy reported problems (log: $BUILD/logs/clippy.log)"
fi
say "clippy clean"
kmake "$obj" rustdoc >"$BUILD/logs/rustdoc.log" 2>&1 || die "make rustdoc failed (log: $BUILD/logs/rustdoc.log)"
say "rustdoc builds"

# rustdio_warnings <objdir> [ARCH]: rebuild fs/rustdio/ with clippy in a built
# kernel and fail on any warning (a full kernel build hides them in its log).
rustdio_warnings() {
	local obj=$1 log
	log=$BUILD/logs/warnings-$(basename "$obj").log
	touch "$KSRC"/fs/rustdio/*.rs "$KSRC"/fs/rustdio/*.c
	if ! RUSTDIO_KARCH=${2:-$KARCH} kmake "$obj" CLIPPY=1 fs/rustdio/ >"$log" 2>&1 ||
		grep -qE '^(warning|error)' "$log"; then
		grep -E -A6 '^(warning|error)' "$log" | head -n 40 || true
		die "fs/rustdio/ does not build cleanly in $obj (log: $log)"
	fi
	say "fs/rustdio/ builds without warnings in $(basename "$obj")"
}

# Portability builds: arm64 (C and Rust, for the frames) and x86_64 PREEMPT_RT.
# First builds take 10-20 minutes each; later ones are incremental.
RUSTDIO_ARCH=arm64 "$TOP/scripts/build-kernel.sh" c guest
RUSTDIO_ARCH=arm64 "$TOP/scripts/build-kernel.sh" rust guest
"$TOP/scripts/build-kernel.sh" rust rt
grep -qx CONFIG_PREEMPT_RT=y "$BUILD/kernel-rust-rt/.config" || die "kernel-rust-rt is not a PREEMPT_RT kernel"
rustdio_warnings "$BUILD/kernel-rust-guest-arm64" arm64
rustdio_warnings "$BUILD/kernel-rust-rt" x86

[ -f "$BUILD/kernel-c-guest/fs/direct-io.o" ] || "$TOP/scripts/build-kernel.sh" c guest
"$TOP/scripts/build-kernel.sh" rust guest >/dev/null
status=0
python3 "$TOP/scripts/frames.py" x86_64 "$BUILD/kernel-c-guest/fs/direct-io.o" \
	"$BUILD/kernel-rust-guest/fs/rustdio/direct_io.o" || status=1
python3 "$TOP/scripts/frames.py" arm64 "$BUILD/kernel-c-guest-arm64/fs/direct-io.o" \
	"$BUILD/kernel-rust-guest-arm64/fs/rustdio/direct_io.o" || status=1
[ $status = 0 ] || die "a Rust stack frame is larger than C's (above)"
say "make check passed"

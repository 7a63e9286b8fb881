#!/usr/bin/env bash
# check.sh: rustfmt --check, clippy with warnings as errors, and make rustdoc.
source "$(dirname "$0")/lib.sh"
"$TOP/scripts/integrate.sh"
obj=$BUILD/kernel-rust-guest
[ -f "$obj/.config" ] || "$TOP/scripts/build-kernel.sh" rust guest
rustfmt --check --edition 2021 --config-path "$KSRC/.rustfmt.toml" "$TOP"/*.rs || die "rustfmt: run rustfmt --edition 2021 --config-path $KSRC/.rustfmt.toml *.rs"
touch "$KSRC"/fs/rustdio/*.rs
mkdir -p "$BUILD/logs"
if ! kmake "$obj" CLIPPY=1 KCFLAGS=-Werror KRUSTFLAGS=-Dwarnings fs/rustdio/ >"$BUILD/logs/clippy.log" 2>&1 ||
	grep -qE '^(warning|error)' "$BUILD/logs/clippy.log"; then
	grep -E -A6 '^(warning|error)' "$BUILD/logs/clippy.log" | head -n 60
	die "clippy reported problems (log: $BUILD/logs/clippy.log)"
fi
say "clippy clean"
kmake "$obj" rustdoc >"$BUILD/logs/rustdoc.log" 2>&1 || die "make rustdoc failed (log: $BUILD/logs/rustdoc.log)"
say "rustdoc builds"

#!/usr/bin/env bash
# check.sh: mutants still apply, rustfmt --check, clippy with CONFIG_WERROR, and
# make rustdoc.
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
	grep -E -A6 '^(warning|error)' "$BUILD/logs/clippy.log" | head -n 60
	die "clippy reported problems (log: $BUILD/logs/clippy.log)"
fi
say "clippy clean"
kmake "$obj" rustdoc >"$BUILD/logs/rustdoc.log" 2>&1 || die "make rustdoc failed (log: $BUILD/logs/rustdoc.log)"
say "rustdoc builds"

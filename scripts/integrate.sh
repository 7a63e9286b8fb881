#!/usr/bin/env bash
# Put the engine into the kernel tree as fs/rustdio/ and hook it up by
# pattern-based edits (no fixed-context patches), so a newer 6.12.y works too.
source "$(dirname "$0")/lib.sh"

[ -f "$KSRC/fs/direct-io.c" ] || die "kernel tree missing at $KSRC: run scripts/setup.sh"
dst=$KSRC/fs/rustdio
mkdir -p "$dst"
# Engine sources only; rsync keeps mtimes of unchanged files so rebuilds stay incremental.
rsync -rt --checksum --delete --include='/Kbuild' --include='/Kconfig' \
	--include='/*.rs' --include='/*.c' --include='/*.h' --exclude='*' "$TOP/" "$dst/"

kconfig=$KSRC/fs/Kconfig
if ! grep -q 'source "fs/rustdio/Kconfig"' "$kconfig"; then
	grep -q '^config LEGACY_DIRECT_IO$' "$kconfig" || die "fs/Kconfig has no LEGACY_DIRECT_IO"
	# Insert after the LEGACY_DIRECT_IO stanza (its first blank line).
	awk '{print} /^config LEGACY_DIRECT_IO$/{f=1} f && /^$/{print "source \"fs/rustdio/Kconfig\"\n"; f=0}' \
		"$kconfig" >"$kconfig.new" && mv "$kconfig.new" "$kconfig"
fi

mk=$KSRC/fs/Makefile
if ! grep -q 'CONFIG_LEGACY_DIRECT_IO_RUST' "$mk"; then
	grep -qE '^obj-\$\(CONFIG_LEGACY_DIRECT_IO\)[[:space:]]*\+= direct-io\.o$' "$mk" ||
		die "fs/Makefile has no direct-io.o line"
	awk '/^obj-\$\(CONFIG_LEGACY_DIRECT_IO\)[[:space:]]*\+= direct-io\.o$/ {
		print "ifdef CONFIG_LEGACY_DIRECT_IO_RUST"
		print "obj-$(CONFIG_LEGACY_DIRECT_IO)\t+= rustdio/"
		print "else"; print; print "endif"; next } {print}' "$mk" >"$mk.new" && mv "$mk.new" "$mk"
fi

bh=$KSRC/rust/bindings/bindings_helper.h
if ! grep -q 'fs/rustdio/bindings_helper.h' "$bh"; then
	# After the last #include, before the RUST_CONST_HELPER constants.
	last=$(grep -n '^#include' "$bh" | tail -n1 | cut -d: -f1)
	sed -i "${last}a\\
\\
#if IS_ENABLED(CONFIG_LEGACY_DIRECT_IO_RUST)\\
#include \"../../fs/rustdio/bindings_helper.h\"\\
#endif" "$bh"
fi

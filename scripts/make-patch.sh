#!/usr/bin/env bash
# make-patch.sh: the integration as a git format-patch series against the
# unpacked 6.12 tree, written to build/patches/.
source "$(dirname "$0")/lib.sh"
tree=$BUILD/patch-tree
out=$BUILD/patches
rm -rf "$tree" "$out"
say "preparing a clean tree in $tree"
tar -C "$BUILD" -xf /usr/src/linux-source-6.12.tar.xz
mv "$BUILD/linux-source-6.12" "$tree"
git -C "$tree" init -q
git -C "$tree" add -f -A .
git -C "$tree" -c user.name=rustdio -c user.email=rustdio@localhost commit -qm "Linux $(make -s -C "$tree" kernelversion)"
KSRC=$tree "$TOP/scripts/integrate.sh"
g() { git -C "$tree" -c user.name="${GIT_AUTHOR_NAME:-rustdio}" -c user.email="${GIT_AUTHOR_EMAIL:-rustdio@localhost}" "$@"; }
g add -f fs/rustdio/Kconfig fs/rustdio/Kbuild fs/rustdio/*.rs fs/rustdio/*.c fs/rustdio/*.h rust/bindings/bindings_helper.h
g commit -qs -m "fs: add a Rust implementation of the legacy direct I/O engine" -m \
"Add fs/rustdio/, a Rust twin of fs/direct-io.c that exports
__blockdev_direct_IO() with the same contract, for filesystems that map
blocks with get_block.  A small C file holds the export, the initcall and
wrappers for static inline helpers."
g add -f fs/Kconfig fs/Makefile
g commit -qs -m "fs: select the legacy direct I/O engine by Kconfig" -m \
"Add LEGACY_DIRECT_IO_RUST: when set, fs/rustdio/ is built instead of
fs/direct-io.o, never both."
g format-patch -q -o "$out" HEAD~2
"$tree/scripts/checkpatch.pl" --no-tree --ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG "$out"/*.patch | tail -n 3
ls "$out"

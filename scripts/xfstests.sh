#!/usr/bin/env bash
# xfstests.sh <fs list> <c|rust|both> <tests> <group> [seconds] [resume 0|1]: make xfstests.
# Installs what fstests needs, builds the fstests kernel of each engine
# (defconfig + configs/fstests.config; the Rust one from the C one's objects)
# and runs scripts/xfstests.py, which writes build/logs/xfstests-<fs>.md.
source "$(dirname "$0")/lib.sh"
fs=$1 engine=$2 tests=$3 group=$4 duration=${5:-0} resume=${6:-0}
[ "$RUSTDIO_ARCH" = x86_64 ] || die "make xfstests runs x86_64 kernels only"
"$TOP/scripts/xfstests-setup.sh"
engines=$engine; [ "$engine" = both ] && engines="c rust"
for e in $engines; do "$TOP/scripts/build-kernel.sh" "$e" fstests; done
args=(--fs "$fs" --engine "$engine")
[ -z "$tests" ] || args+=(--tests "$tests")
[ -z "$group" ] || args+=(--group "$group")
[ "$duration" = 0 ] || args+=(--duration "$duration")
[ "$resume" = 0 ] || args+=(--resume)
exec python3 "$TOP/scripts/xfstests.py" "${args[@]}"

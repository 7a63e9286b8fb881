#!/usr/bin/env bash
# build-kernel.sh <c|rust> [guest|debug|rt|bench|fstests]: configure (tinyconfig
# + fragments; defconfig + fragments for fstests) and build a guest kernel image
# in a reusable build directory, for the guest architecture (RUSTDIO_ARCH or
# ARCH: x86_64 or arm64).
source "$(dirname "$0")/lib.sh"

engine=${1:-c}; variant=${2:-guest}
case $engine in c|rust) ;; *) die "unknown engine '$engine' (use c or rust)";; esac
case $variant in guest|debug|rt|bench|fstests) ;; *) die "unknown kernel variant '$variant' (use guest, debug, rt, bench or fstests)";; esac

"$TOP/scripts/integrate.sh"
obj=$(kobj "$engine" "$variant")
# A Rust kernel differs from the C kernel of its variant only in the engine
# options, and Kbuild tracks dependencies per config symbol: starting from
# the C kernel's objects, only what those options touch is built again.
c_obj=$(kobj c "$variant")
if [ "$engine" = rust ] && [ ! -f "$obj/.config" ] && [ -f "$c_obj/vmlinux" ]; then
	say "starting the rust/$variant kernel from the objects of the c/$variant one"
	rm -rf "$obj"
	cp -a "$c_obj" "$obj"
	rm -f "$obj/.rustdio-config" "$obj"/fs/direct-io.o "$obj"/fs/.direct-io.o.cmd
fi
mkdir -p "$obj"
base=tinyconfig frags=("$TOP/configs/guest.config")
[ "$variant" = fstests ] && base=defconfig frags=("$TOP/configs/fstests.config")
[ "$RUSTDIO_ARCH" = arm64 ] && frags+=("$TOP/configs/arm64.config")
[ "$engine" = rust ] && frags+=("$TOP/configs/rust-engine.config")
[ "$engine" = rust ] && [ "$variant" != bench ] && [ "$variant" != fstests ] && frags+=("$TOP/configs/rust-kunit.config")
[ "$variant" = bench ] && frags+=("$TOP/configs/bench.config")
case $variant in guest|debug) frags+=("$TOP/configs/thp.config") ;; esac
[ "$variant" = debug ] && frags+=("$TOP/configs/debug.config")
[ "$variant" = debug ] && [ "$engine" = rust ] && frags+=("$TOP/configs/rust-debug.config")
[ "$variant" = rt ] && frags+=("$TOP/configs/rt.config")

stamp=$(cat "${frags[@]}" | sha1sum | cut -c1-16)
if [ "$(cat "$obj/.rustdio-config" 2>/dev/null)" != "$stamp" ] || [ ! -f "$obj/.config" ]; then
	say "configuring $engine/$variant kernel in $obj"
	kmake "$obj" -s "$base" >"$obj/config.log" 2>&1 || die "make $base failed: $obj/config.log"
	cat "${frags[@]}" >>"$obj/.config"
	kmake "$obj" -s olddefconfig >>"$obj/config.log" 2>&1 || die "make olddefconfig failed: $obj/config.log"
	bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=n) sym=${line%%=*}; grep -q "^$sym=" "$obj/.config" && { echo "  $sym is set, wanted n"; bad=1; } ;;
		CONFIG_*) grep -qxF "$line" "$obj/.config" || { echo "  wanted $line, got: $(grep "^${line%%=*}=" "$obj/.config" || echo 'not set')"; bad=1; } ;;
		esac
	done < <(cat "${frags[@]}" | grep -E '^CONFIG_')
	[ $bad = 0 ] || die "kernel config for $engine/$variant does not hold the options above"
	echo "$stamp" >"$obj/.rustdio-config"
fi

say "building $engine/$variant kernel for $RUSTDIO_ARCH (first build: 10-20 minutes; later builds are incremental)"
start=$(date +%s)
# A first build writes 300-600 MiB of objects, a later one rewrites some.
if [ -f "$obj/vmlinux" ]; then need_space 300 "building the $engine/$variant kernel"
else need_space 1000 "a first build of the $engine/$variant kernel"; fi
# Progress: build steps done, against the count of a first build of this
# configuration here (an incremental build has no expected count).
steps='^  (CC|AS|LD|AR|RUSTC|BINDGEN|EXPORTS|HOSTCC|GEN|CALL|OBJCOPY)'
expect=0
[ -f "$obj/vmlinux" ] || case $variant in debug) expect=1950 ;; fstests) expect=4200 ;; *) expect=1900 ;; esac
kmake "$obj" "${KIMAGE##*/}" >"$obj/build.log" 2>&1 &
kpid=$!
watch "$kpid" "building $engine/$variant kernel, steps" "$obj/build.log" "$steps" "$expect" &
wpid=$!
rc=0; wait "$kpid" || rc=$?
kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null || true
if [ "$rc" != 0 ]; then
	grep -E 'error|Error' "$obj/build.log" | head -n 20 >&2 || true
	die "kernel build failed ($engine/$variant); full log: $obj/build.log"
fi
say "built $engine/$variant kernel in $(( $(date +%s) - start ))s"
if [ "$engine" = rust ]; then
	[ ! -e "$obj/fs/direct-io.o" ] || die "Rust build still contains fs/direct-io.o"
	[ -e "$obj/fs/rustdio/direct_io.o" ] || die "Rust build lacks fs/rustdio/direct_io.o"
fi

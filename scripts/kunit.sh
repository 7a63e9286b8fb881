#!/usr/bin/env bash
# kunit.sh: boot the Rust-engine kernel (KUnit built in) without the suite and
# parse its KTAP with the kernel's tools/testing/kunit/kunit.py.
# Usage: kunit.sh [guest|debug]; RUSTDIO_ARCH (or ARCH) picks x86_64 or arm64.
source "$(dirname "$0")/lib.sh"
variant=${1:-guest}
# RUSTDIO_KERNEL=<objdir> boots the kernel built there and RUSTDIO_TAG names
# its logs (make mutants).
obj=${RUSTDIO_KERNEL:-$(kobj rust "$variant")}
tag=${RUSTDIO_TAG:-$variant$ARCH_SUFFIX}
[ -f "$obj/$KIMAGE" ] || "$TOP/scripts/build-kernel.sh" rust "$variant"
run=$BUILD/run-kunit-$tag
mkdir -p "$BUILD/logs" "$run"
"$TOP/scripts/mkinitramfs.sh" "$run/initramfs.cpio.gz"
log=$BUILD/logs/kunit-console-$tag.log
timeout --foreground -k 10 300 "${QEMU[@]}" -accel tcg,thread=multi -smp 2 -m 1G \
	-nographic -no-reboot -nodefaults -serial stdio \
	-kernel "$obj/$KIMAGE" -initrd "$run/initramfs.cpio.gz" \
	-append "console=$CONSOLE panic=-1 rustdio.suite=none" </dev/null >"$log" 2>&1 || true
rm -rf "$run"
out=$BUILD/logs/kunit-parse-$tag.log
rc=0
python3 "$KSRC/tools/testing/kunit/kunit.py" parse "$log" >"$out" 2>&1 || rc=$?
plain=$(sed 's/\x1b\[[0-9;]*m//g' "$out")
echo "$plain" | grep -E '\[(PASSED|FAILED|SKIPPED|CRASHED)\]|Testing complete|ERROR' | tail -n 12 || true
passed=$(echo "$plain" | sed -n 's/.*Testing complete\. Ran [0-9]* tests: passed: \([0-9]*\).*/\1/p')
failed=$(echo "$plain" | grep -c '\[FAILED\]\|\[CRASHED\]' || true)
[ -n "$passed" ] || { passed=0; failed=$((failed + 1)); echo "kunit: no KTAP results in $log"; }
[ "$rc" = 0 ] || echo "kunit: kunit.py parse exited with $rc"
# Kernel reports during the KUnit boot (WARN, KASAN, lockdep, taint) fail it too.
if ! v=$(python3 "$TOP/scripts/verdict.py" "$log" kunit-boot); then
	echo "$v" | grep -E 'PROBLEM' || true
	echo "$v" | grep -q PROBLEM && failed=$((failed + 1))
fi
echo "kunit: $passed passed, $failed failed"
[ "$rc" = 0 ] && [ "$failed" = 0 ]

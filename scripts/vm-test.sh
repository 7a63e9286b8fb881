#!/usr/bin/env bash
# vm-test.sh <c|rust> [guest|debug]: boot the built kernel with the test disks
# under QEMU, stream the console, and judge it with verdict.py.
source "$(dirname "$0")/lib.sh"
engine=${1:-c}; variant=${2:-guest}
TIMEOUT=${RUSTDIO_TIMEOUT:-1500}
SUITE=${RUSTDIO_SUITE:-quick}
obj=$BUILD/kernel-$engine-$variant
kernel=$obj/arch/x86/boot/bzImage
[ -f "$kernel" ] || die "no kernel at $kernel: run scripts/build-kernel.sh $engine $variant"
run=$BUILD/run-$engine-$variant
rm -rf "$run"; mkdir -p "$run" "$BUILD/logs"
"$TOP/scripts/mkinitramfs.sh" "$run/initramfs.cpio.gz"

drives=()
n=0
while read -r img serial; do
	cp --sparse=always "$img" "$run/$serial.img"
	lbs=${serial##*-}
	drives+=(-drive "file=$run/$serial.img,if=none,id=d$n,format=raw,cache=unsafe"
		 -device "virtio-blk-pci,drive=d$n,serial=$serial,logical_block_size=$lbs,physical_block_size=$lbs")
	n=$((n + 1))
done < <("$TOP/scripts/mkdisks.sh" "$BUILD/disks")

accel=(-accel tcg,thread=multi)
[ "${RUSTDIO_KVM:-0}" = 1 ] && accel=(-accel kvm)
# RUSTDIO_ICOUNT=<shift>: the guest clock advances 2^shift ns per guest
# instruction, so guest time measures instructions, not host load.
[ -n "${RUSTDIO_ICOUNT:-}" ] && accel=(-accel tcg -icount "shift=$RUSTDIO_ICOUNT,sleep=off")
log=$BUILD/logs/$engine-$variant.log
say "booting $engine/$variant guest with $n disks (timeout ${TIMEOUT}s, log $log)"
# tsc=reliable: under TCG the jiffies watchdog lags behind the TSC when the host
# is busy, so the kernel would drop the TSC for a 4 ms jiffies clock.
set +e
timeout --foreground -k 10 "$TIMEOUT" qemu-system-x86_64 "${accel[@]}" -smp 2 -m 2G \
	-nographic -no-reboot -nodefaults -serial stdio \
	-kernel "$kernel" -initrd "$run/initramfs.cpio.gz" \
	-append "console=ttyS0 panic=-1 oops=panic loglevel=4 slab_nomerge tsc=reliable brd.rd_nr=3 brd.rd_size=65536 null_blk.nr_devices=0 rustdio.suite=$SUITE rustdio.only=${RUSTDIO_ONLY:-} rustdio.duration=${DURATION:-60}" \
	"${drives[@]}" </dev/null 2>&1 | tee "$log" | grep --line-buffered -E '^\s*(not ok|ok) |^# |BUG:|WARNING:|Oops|panic' 
rc=${PIPESTATUS[0]}
set -e
[ "$rc" = 124 ] && echo "$engine-$variant: PROBLEM guest timed out after ${TIMEOUT}s" >>"$log"
python3 "$TOP/scripts/verdict.py" "$log" "$engine-$variant"

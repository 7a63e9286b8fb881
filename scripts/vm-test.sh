#!/usr/bin/env bash
# vm-test.sh <c|rust> [guest|debug]: boot the built kernel with the test disks
# under QEMU, stream the console, and judge it with verdict.py.
source "$(dirname "$0")/lib.sh"
engine=${1:-c}; variant=${2:-guest}
# The debug kernel runs the whole matrix in about 40 minutes under TCG here.
TIMEOUT=${RUSTDIO_TIMEOUT:-$([ "$variant" = debug ] && echo 3600 || echo 1500)}
SUITE=${RUSTDIO_SUITE:-quick}
# RUSTDIO_KERNEL=<objdir> boots the kernel built there instead (make mutants).
obj=${RUSTDIO_KERNEL:-$(kobj "$engine" "$variant")}
kernel=$obj/$KIMAGE
[ -f "$kernel" ] || die "no kernel at $kernel: run scripts/build-kernel.sh $engine $variant"
# RUSTDIO_TAG names the log and run directory (default <engine>-<variant>).
tag=${RUSTDIO_TAG:-$engine-$variant$ARCH_SUFFIX}
run=$BUILD/run-$tag
rm -rf "$run"; mkdir -p "$run" "$BUILD/logs"
"$TOP/scripts/mkinitramfs.sh" "$run/initramfs.cpio.gz"

drives=()
serials=()
skips=()
n=0
list=$("$TOP/scripts/mkdisks.sh" "$BUILD/disks") || die "could not make the disk images (above)"
disks=()
[ -z "$list" ] || mapfile -t disks <<<"$list"
# The copies are written through (the images hold a pattern, not holes).
mib=100
for d in "${disks[@]}"; do
	read -r img _ <<<"$d"
	[ "$img" = SKIP ] || mib=$((mib + $(stat -c %s "$img") / 1048576))
done
need_space "$mib" "the guest's copies of the disk images"
for d in "${disks[@]}"; do
	read -r img serial rest <<<"$d"
	if [ "$img" = SKIP ]; then skips+=("ok - $serial:all # SKIP $rest"); continue; fi
	serials+=("$serial")
	cp --sparse=always "$img" "$run/$serial.img"
	lbs=${serial##*-}
	# Pinned faults count the allocations of the submitting task.  Indirect
	# descriptors are allocated when the driver takes a request, which is in
	# that task or in kblockd as the queue happens to be: off for those runs.
	extra=
	[ "$SUITE" = fuzz-faults ] && extra=,indirect_desc=off
	drives+=(-drive "file=$run/$serial.img,if=none,id=d$n,format=raw,cache=unsafe"
		 -device "virtio-blk-pci,drive=d$n,serial=$serial,logical_block_size=$lbs,physical_block_size=$lbs$extra")
	n=$((n + 1))
done

# The test programs the guest must run to the end for this suite
# (tests/guest-init.sh); the verdict fails the run on any that is missing.
expect=()
case $SUITE in
quick|full)
	for serial in "${serials[@]}"; do
		expect+=("dio_test:$serial")
		[ "$serial" = vfat-512 ] && expect+=(dio_test:vfat-brd dio_test:vfat-nullb dio_test:vfat-frag)
		[ "$serial" = ocfs2-512 ] && [ "$SUITE" = quick ] && expect+=(dio_faults:nowait)
		[ "$serial" = jfs-512 ] && [ "$SUITE" = quick ] && expect+=(dio_faults:extend)
	done ;;
esac
case $SUITE in quick|faults) expect+=(dio_faults:nbf dio_faults:dm) ;; esac
case $SUITE in fuzz|fuzz-faults)
	for serial in "${serials[@]}"; do
		grep -q "^$serial " "$RUSTDIO_FUZZ_LIST" && expect+=("fuzz:$serial")
	done ;;
esac
case $SUITE in
soak) for serial in vfat-512 jfs-512; do
	[[ " ${serials[*]} " = *" $serial "* ]] && expect+=("dio_soak:$serial")
      done ;;
selftest-clean) expect+=(selftest:clean) ;;
selftest-signal) expect+=(dio_test:selftest) ;;
selftest-lost) expect+=(selftest:lost) ;;
esac

accel=(-accel tcg,thread=multi)
[ "${RUSTDIO_KVM:-0}" = 1 ] && accel=(-accel kvm)
# RUSTDIO_ICOUNT=<shift>: the guest clock advances 2^shift ns per guest
# instruction, so guest time measures instructions, not host load.
[ -n "${RUSTDIO_ICOUNT:-}" ] && accel=(-accel tcg -icount "shift=$RUSTDIO_ICOUNT,sleep=off")
log=$BUILD/logs/$tag.log
# In the differential runs a warning, a KASAN report, scheduling while atomic
# or a hung task panics the guest as an oops already does (oops=panic): the
# boot ends in the program that set it off, which scripts/fuzz.py then counts
# as lost on that kernel, minimizes, and follows with a fresh boot.
ondiag=
case $SUITE in fuzz|fuzz-faults) ondiag=" panic_on_warn=1 hung_task_panic=1" ;; esac
say "booting $engine/$variant guest with $n disks (timeout ${TIMEOUT}s, log $log)"
# loglevel=5: every message at KERN_WARNING and above reaches the console
# (WARN, lockdep, the engine's own warnings), where the verdict reads it.
# tsc=reliable: under TCG the jiffies watchdog lags behind the TSC when the host
# is busy, so the kernel would drop the TSC for a 4 ms jiffies clock.
set +e
timeout --foreground -k 10 "$TIMEOUT" "${QEMU[@]}" "${accel[@]}" -smp 2 -m 2G \
	-nographic -no-reboot -nodefaults -serial stdio \
	-kernel "$kernel" -initrd "$run/initramfs.cpio.gz" \
	-append "console=$CONSOLE panic=-1 oops=panic loglevel=5 slab_nomerge tsc=reliable brd.rd_nr=3 brd.rd_size=65536 null_blk.nr_devices=0 rustdio.engine=$engine rustdio.suite=$SUITE rustdio.only=${RUSTDIO_ONLY:-} rustdio.duration=${DURATION:-60} rustdio.fuzzlog=${RUSTDIO_FUZZ_LOG:-0} rustdio.alloctrace=${RUSTDIO_ALLOC_TRACE:-0}$ondiag" \
	"${drives[@]}" </dev/null 2>&1 | tee "$log" | grep --line-buffered -E '^\s*(not ok|ok) |^# |BUG:|WARNING:|Oops|panic' 
rc=${PIPESTATUS[0]}
set -e
[ "$rc" = 124 ] && echo "$tag: PROBLEM guest timed out after ${TIMEOUT}s" >>"$log"
[ ${#skips[@]} = 0 ] || printf '%s\n' "${skips[@]}" | tee -a "$log"
vrc=0
python3 "$TOP/scripts/verdict.py" "$log" "$tag" "${expect[@]}" || vrc=$?
# The images are written through with a pattern, so each run holds real
# blocks (1-2 GB): a passed run's directory goes, a failed run's images stay
# for fsck and inspection (the next run of the same tag replaces them).
rm -rf "$run/initramfs.root" "$run/initramfs.cpio.gz"
[ "$vrc" = 0 ] && rm -rf "$run"
exit "$vrc"

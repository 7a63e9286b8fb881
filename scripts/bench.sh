#!/usr/bin/env bash
# bench.sh: boot the C and Rust kernels alternately (PAIRS pairs), run the same
# fio jobs in each, and write the ratio report to bench/results/.  Odd pairs
# boot C first, even pairs Rust first, so drift on the host favours neither.
#
# BENCH_CLOCK=icount (the default) runs the guests under QEMU -icount: guest
# time advances 4 ns per guest instruction, so IOPS and CPU time measure the
# instructions each I/O costs, and host load cannot move them.
# BENCH_CLOCK=wall runs plain multi-threaded TCG on host time instead.
source "$(dirname "$0")/lib.sh"
PAIRS=${PAIRS:-5}
clock=${BENCH_CLOCK:-icount}
case $clock in
icount) export RUSTDIO_ICOUNT=2 clock="icount 2" ;;
wall) unset RUSTDIO_ICOUNT ;;
*) die "unknown BENCH_CLOCK '$clock' (use icount or wall)" ;;
esac
raw=$BUILD/bench
rm -rf "$raw"; mkdir -p "$raw" "$TOP/bench/results"
echo "$clock" >"$raw/clock"
# The bench kernels: the guest configuration with Rust support in both, and
# without the KUnit suite, so that they differ only in the engine option.
for e in c rust; do "$TOP/scripts/build-kernel.sh" "$e" bench; done
export RUSTDIO_FS="vfat exfat jfs" RUSTDIO_LBS=512 RUSTDIO_SUITE=bench RUSTDIO_TIMEOUT=900
for p in $(seq 1 "$PAIRS"); do
	order="c rust"
	[ $((p % 2)) = 0 ] && order="rust c"
	for e in $order; do
		for try in 1 2 3; do
			say "bench pair $p/$PAIRS: $e engine"
			"$TOP/scripts/vm-test.sh" "$e" bench >/dev/null 2>&1 || true
			cp "$BUILD/logs/$e-bench.log" "$raw/$e-$p.log"
			grep -q RUSTDIO-GUEST-DONE "$raw/$e-$p.log" ||
				die "bench guest $e pair $p did not finish: $raw/$e-$p.log"
			grep -q "BENCH-CLOCKSOURCE tsc" "$raw/$e-$p.log" && break
			# A guest whose kernel dropped the TSC timed its jobs with a
			# coarse clock: keep its log aside and boot that engine again.
			[ "$try" = 3 ] && break
			mv "$raw/$e-$p.log" "$raw/$e-$p.clock-fallback-$try"
			say "the $e guest lost its TSC clock; booting it again"
		done
	done
done
python3 "$TOP/scripts/bench_report.py" "$raw" "$TOP/bench/results"

#!/usr/bin/env bash
# bench.sh: boot the C and Rust kernels alternately (PAIRS pairs), run the same
# fio jobs in each, and write the ratio report to bench/results/.  Odd pairs
# boot C first, even pairs Rust first, so drift on the host favours neither.
source "$(dirname "$0")/lib.sh"
PAIRS=${PAIRS:-5}
raw=$BUILD/bench
rm -rf "$raw"; mkdir -p "$raw" "$TOP/bench/results"
for e in c rust; do "$TOP/scripts/build-kernel.sh" "$e" guest; done
export RUSTDIO_FS="vfat exfat jfs" RUSTDIO_LBS=512 RUSTDIO_SUITE=bench RUSTDIO_TIMEOUT=900
for p in $(seq 1 "$PAIRS"); do
	order="c rust"
	[ $((p % 2)) = 0 ] && order="rust c"
	for e in $order; do
		say "bench pair $p/$PAIRS: $e engine"
		"$TOP/scripts/vm-test.sh" "$e" guest >/dev/null 2>&1 || true
		cp "$BUILD/logs/$e-guest.log" "$raw/$e-$p.log"
		grep -q RUSTDIO-GUEST-DONE "$raw/$e-$p.log" || die "bench guest $e pair $p did not finish: $raw/$e-$p.log"
	done
done
python3 "$TOP/scripts/bench_report.py" "$raw" "$TOP/bench/results"

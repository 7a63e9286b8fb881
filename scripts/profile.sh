#!/usr/bin/env bash
# profile.sh: boot the C and the Rust guest kernel once each, take perf
# cpu-clock profiles of the same fio jobs, and write them side by side to
# bench/results/profile-<engine>.txt.
source "$(dirname "$0")/lib.sh"
out=$TOP/bench/results
mkdir -p "$out"
for e in c rust; do "$TOP/scripts/build-kernel.sh" "$e" guest; done
# Under -icount the guest's cpu-clock ticks with guest instructions, so the
# samples are spread by instructions executed, as in the bench.
export RUSTDIO_FS=vfat RUSTDIO_LBS=512 RUSTDIO_SUITE=profile RUSTDIO_TIMEOUT=900 RUSTDIO_ICOUNT=2
for e in c rust; do
	say "profiling the $e engine"
	"$TOP/scripts/vm-test.sh" "$e" guest >/dev/null 2>&1 || true
	log=$BUILD/logs/$e-guest.log
	grep -q RUSTDIO-GUEST-DONE "$log" || die "profile guest ($e) did not finish: $log"
	sed -n '/^PROFILE-BEGIN/,/^PROFILE-END/p' "$log" | tr -d '\r' |
		sed -e 's/\x1b\[[0-9;]*m//g' -e 's/^PROFILE-BEGIN \(.*\)/== \1 ==/' -e '/^PROFILE-END/d' \
		>"$out/profile-$e.txt"
done
python3 "$TOP/scripts/profile_report.py" "$out" "$BUILD/kernel-c-guest/fs/direct-io.o" -- \
	"$BUILD"/kernel-rust-guest/fs/rustdio/*.o >/dev/null
say "wrote $out/profile.md (raw: $out/profile-c.txt, $out/profile-rust.txt)"

#!/usr/bin/env bash
# test.sh "<variants>" <engine...>: for each kernel variant (guest, debug) and
# engine, build the kernel, run KUnit and the guest suite; compare the fault
# tables of the engines; boot the runner's self-test; print per-run and total
# counts and the wall time.
source "$(dirname "$0")/lib.sh"
variants=$1; shift
SUITE=${RUSTDIO_SUITE:-quick}
mkdir -p "$BUILD/logs"
summary=$BUILD/logs/summary.txt
: >"$summary"
status=0
start=${RUSTDIO_START:-$(date +%s)}

record() { # record <label> <log>: append the verdict line of a run, or a failure if it has none
	local line
	line=$(grep -E '^[^ ]+: [0-9]+ passed, [0-9]+ failed' "$2" 2>/dev/null | tail -n1) || true
	if [ -z "$line" ]; then
		line="$1: 0 passed, 1 failed (no verdict; see $2)"; status=1
		echo "$1: no verdict; the end of $2:"
		tail -n 5 "$2" 2>/dev/null | sed 's/^/  /' || true
	fi
	echo "$line" >>"$summary"
}

python3 "$TOP/tests/runner_selftest.py" >"$BUILD/logs/runner-selftest.log" 2>&1 || status=1
cat "$BUILD/logs/runner-selftest.log"; record runner "$BUILD/logs/runner-selftest.log"

# RUSTDIO_DEBUG_ENGINES, RUSTDIO_DEBUG_FS and RUSTDIO_DEBUG_LBS narrow the
# debug kernel's run (make test); without them it runs like the plain one.
engines_of() { # engines_of <variant>
	if [ "$1" = debug ] && [ -n "${RUSTDIO_DEBUG_ENGINES+set}" ]; then echo "$RUSTDIO_DEBUG_ENGINES"
	else echo "$*" | cut -d' ' -f2-; fi
}
all_engines="$*"
plain_engine= debug_engine=
for variant in $variants; do
engines=$(engines_of "$variant" $all_engines)
fs=${RUSTDIO_FS-}; lbs=${RUSTDIO_LBS-}
if [ "$variant" = debug ]; then fs=${RUSTDIO_DEBUG_FS-$fs}; lbs=${RUSTDIO_DEBUG_LBS-$lbs}; fi
for engine in $engines; do
	[ "$variant" = guest ] && [ -z "$plain_engine" ] && plain_engine=$engine
	[ "$variant" = debug ] && [ -z "$debug_engine" ] && debug_engine=$engine
	run=$engine-$variant$ARCH_SUFFIX
	out=$BUILD/logs/vm-$run.out
	rm -f "$out" "$BUILD/logs/$run.log"
	"$TOP/scripts/build-kernel.sh" "$engine" "$variant" || { echo "$run: 0 passed, 1 failed (kernel build)" | tee -a "$summary"; status=1; continue; }
	if [ "$engine" = rust ]; then
		klog=$BUILD/logs/kunit-$variant$ARCH_SUFFIX.log
		"$TOP/scripts/kunit.sh" "$variant" >"$klog" 2>&1 || status=1
		tail -n 3 "$klog"; record "kunit-$variant$ARCH_SUFFIX" "$klog"
	fi
	disks=()
	[ -z "$fs" ] || disks+=("RUSTDIO_FS=$fs")
	[ -z "$lbs" ] || disks+=("RUSTDIO_LBS=$lbs")
	# Progress: cases reported so far, against the count of this run's last time.
	env "${disks[@]}" "$TOP/scripts/vm-test.sh" "$engine" "$variant" >"$out" 2>&1 &
	vpid=$!
	watch "$vpid" "$run guest, cases" "$out" '^\s*(not ok|ok) ' "$(cat "$BUILD/logs/.cases-$run" 2>/dev/null || echo 0)" &
	wpid=$!
	wait "$vpid" || status=1
	kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null || true
	grep -cE '^\s*(not ok|ok) ' "$out" >"$BUILD/logs/.cases-$run" || true
	grep -E 'FAIL|PROBLEM|passed' "$out" | tail -n 30 || true
	record "$run" "$out"
	# Where the time went: seconds per test program, longest first.
	sed 's/\r$//' "$BUILD/logs/$run.log" 2>/dev/null | awk '/^# RUSTDIO-PROG-BEGIN/ { b[$3] = substr($4, 4) }
		/^# RUSTDIO-PROG-END/ { for (i = 4; i <= NF; i++) if ($i ~ /^at=/) printf "%8.1f %s\n", substr($i, 4) - b[$3], $3 }' |
		sort -rn >"$BUILD/logs/times-$run.txt" || true
done
# A slice of the fixed differential corpus (make fuzz runs all of it): the
# same seeded programs on both plain kernels, without and with pinned faults.
if [ "$SUITE" = quick ] && [ "$variant" = guest ] && [[ " $engines " = *" c "* ]] && [[ " $engines " = *" rust "* ]] &&
	[ "${RUSTDIO_FUZZ_SLICE:-1}" = 1 ]; then
	for mode in plain faults; do
		fargs=(--variant guest --seeds "${RUSTDIO_FUZZ_SEEDS:-6}" --ops "${RUSTDIO_FUZZ_OPS:-150}"
			--max-minimize 1 --minimize-budget 600)
		if [ "$mode" = plain ]; then fargs+=(--labels "${RUSTDIO_FUZZ_LABELS:-vfat-512 exfat-4096 jfs-512 ntfs3-4096}")
		else fargs+=(--faults --labels "${RUSTDIO_FUZZ_FAULT_LABELS:-vfat-512 ocfs2-512}"); fi
		flog=$BUILD/logs/fuzz-$mode$ARCH_SUFFIX.out
		python3 "$TOP/scripts/fuzz.py" "${fargs[@]}" >"$flog" 2>&1 || status=1
		grep -E 'DIVERGENCE|STALE|minimized|failed' "$flog" | tail -n 8 || true
		record "fuzz-$mode$ARCH_SUFFIX" "$flog"
	done
fi
case $SUITE in
quick|faults)
	# shellcheck disable=SC2086
	python3 "$TOP/scripts/faults_table.py" "$BUILD/logs" "$variant$ARCH_SUFFIX" $engines >"$BUILD/logs/faults-$variant$ARCH_SUFFIX.out" || status=1
	tail -n 3 "$BUILD/logs/faults-$variant$ARCH_SUFFIX.out"; record "faults-$variant$ARCH_SUFFIX" "$BUILD/logs/faults-$variant$ARCH_SUFFIX.out" ;;
esac
done

# The verdict itself, on real kernels: provoked problems must fail a run.
# It reads the console the same way on every architecture: x86_64 only.
if [ "$SUITE" = quick ] && [ "$RUSTDIO_ARCH" = x86_64 ]; then
	"$TOP/scripts/selftest-boot.sh" "$plain_engine" "$debug_engine" >"$BUILD/logs/runner-boot.out" 2>&1 || status=1
	cat "$BUILD/logs/runner-boot.out"; record runner-boot "$BUILD/logs/runner-boot.out"
fi

echo "== summary =="
cat "$summary"
awk -F'[:,(]' '{ for (i = 2; i <= NF; i++) { split($i, w, " "); t[w[2]] += w[1] } }
	END { printf "%d passed, %d failed, %d skipped\n", t["passed"], t["failed"], t["skipped"] }' "$summary" >"$summary.total"
total=$(cat "$summary.total")
case $total in *" 0 failed"*) ;; *) status=1 ;; esac
[ $status = 0 ] || echo "rustdio: some runs failed or reported kernel problems (logs in $BUILD/logs)"
secs=$(( $(date +%s) - start ))
echo "wall time: $((secs / 60)) min $((secs % 60)) s"
echo "$total"
exit $status

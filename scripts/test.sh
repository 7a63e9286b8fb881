#!/usr/bin/env bash
# test.sh "<variants>" <engine...>: for each kernel variant (guest, debug) and
# engine, build the kernel, run KUnit and the guest suite; print per-run and
# total counts.
source "$(dirname "$0")/lib.sh"
variants=$1; shift
mkdir -p "$BUILD/logs"
summary=$BUILD/logs/summary.txt
: >"$summary"
status=0

record() { # record <label> <log>: append the verdict line of a run
	grep -E '^[^ ]+: [0-9]+ passed, [0-9]+ failed' "$2" | tail -n1 >>"$summary" || true
}

python3 "$TOP/tests/runner_selftest.py" >"$BUILD/logs/runner-selftest.log" 2>&1 || status=1
cat "$BUILD/logs/runner-selftest.log"; record runner "$BUILD/logs/runner-selftest.log"

for variant in $variants; do
for engine in "$@"; do
	"$TOP/scripts/build-kernel.sh" "$engine" "$variant" || { echo "$engine-$variant: 0 passed, 1 failed (kernel build)" | tee -a "$summary"; status=1; continue; }
	if [ "$engine" = rust ]; then
		"$TOP/scripts/kunit.sh" "$variant" >"$BUILD/logs/kunit-$variant.log" 2>&1 || status=1
		tail -n 3 "$BUILD/logs/kunit-$variant.log"; record kunit "$BUILD/logs/kunit-$variant.log"
	fi
	"$TOP/scripts/vm-test.sh" "$engine" "$variant" >"$BUILD/logs/vm-$engine-$variant.out" 2>&1 || status=1
	grep -E 'FAIL|PROBLEM|passed' "$BUILD/logs/vm-$engine-$variant.out" | tail -n 30
	record "$engine" "$BUILD/logs/vm-$engine-$variant.out"
done
python3 "$TOP/scripts/faults_table.py" "$BUILD/logs" "$variant" | tail -n 2
done

echo "== summary =="
cat "$summary"
awk -F'[:,]' '{ for (i = 2; i <= NF; i++) { split($i, w, " "); t[w[2]] += w[1] } }
	END { printf "%d passed, %d failed, %d skipped\n", t["passed"], t["failed"], t["skipped"] }' "$summary" >"$summary.total"
total=$(cat "$summary.total")
case $total in *" 0 failed"*) ;; *) status=1 ;; esac
[ $status = 0 ] || echo "rustdio: some runs failed or reported kernel problems (logs in $BUILD/logs)"
echo "$total"
exit $status

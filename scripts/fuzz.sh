#!/usr/bin/env bash
# fuzz.sh <variant> "<fs...>" "<lbs...>" <seeds> <ops> <duration> <both|0|1> [replay] ["<fs with faults...>"]
#         [first seed]:
# build the C and the Rust kernel of <variant>, then run scripts/fuzz.py on
# them without pinned faults, with them, or both; prints the counts and the
# wall time last.
source "$(dirname "$0")/lib.sh"
variant=$1 fs=$2 lbs=$3 seeds=$4 ops=$5 duration=$6 faults=$7 replay=${8:-} fault_fs=${9:-$2} seed0=${10:-1}
# The Makefile checks every variable's form; only what it allows more
# widely is narrowed here.
case $variant in guest|debug) ;; *) die "VARIANT must be guest or debug for make fuzz (got '$variant')" ;; esac
start=$(date +%s)
for e in c rust; do "$TOP/scripts/build-kernel.sh" "$e" "$variant"; done
mkdir -p "$BUILD/logs"
summary=$BUILD/logs/fuzz-summary.txt
: >"$summary"
status=0
modes=$faults; [ "$faults" = both ] && modes="0 1"
for m in $modes; do
	# One boot per disk and 100 programs: each boot's results are cached, so
	# an interrupted corpus started again boots only for what is not done.
	mfs=$fs; [ "$m" = 1 ] && mfs=$fault_fs
	args=(--variant "$variant" --fs "$mfs" --lbs "$lbs" --seeds "$seeds" --seed0 "$seed0" --ops "$ops" --duration "$duration"
		--chunk 100)
	[ "$m" = 1 ] && args+=(--faults)
	[ -z "$replay" ] || args+=(--replay "$replay")
	log=$BUILD/logs/fuzz-$variant-faults$m.out
	# A failed mode does not stop the next one (set -e would).
	python3 "$TOP/scripts/fuzz.py" "${args[@]}" 2>&1 | tee "$log" || status=1
	grep -E '^[^ ]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n1 >>"$summary" ||
		{ echo "fuzz-$variant-faults$m: 0 passed, 1 failed (no verdict)" >>"$summary"; status=1; }
done
echo "== fuzz summary =="
cat "$summary"
secs=$(( $(date +%s) - start ))
echo "wall time: $((secs / 60)) min $((secs % 60)) s"
awk -F'[:,]' '{ split($2, p, " "); split($3, f, " "); split($4, k, " "); P += p[1]; F += f[1]; S += k[1] }
	END { printf "%d passed, %d failed, %d skipped\n", P, F, S }' "$summary"
exit $status

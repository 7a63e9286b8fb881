#!/usr/bin/env bash
# fuzz.sh <variant> "<fs...>" "<lbs...>" <seeds> <ops> <duration> <both|0|1> [replay]:
# build the C and the Rust kernel of <variant>, then run scripts/fuzz.py on
# them without pinned faults, with them, or both; prints the counts and the
# wall time last.
source "$(dirname "$0")/lib.sh"
variant=$1 fs=$2 lbs=$3 seeds=$4 ops=$5 duration=$6 faults=$7 replay=${8:-}
num() { [[ $2 =~ ^[0-9]+$ ]] || die "$1 must be a number (got '$2')"; }
num SEEDS "$seeds"; num OPS "$ops"; num DURATION "$duration"
case $faults in both|0|1) ;; *) die "FAULTS must be both, 0 or 1 (got '$faults')" ;; esac
case $variant in guest|debug) ;; *) die "VARIANT must be guest or debug (got '$variant')" ;; esac
for f in $fs; do
	case $f in vfat|msdos|exfat|udf|jfs|nilfs2|ntfs3|hfs|reiserfs|ocfs2) ;;
	*) die "FS: unknown filesystem '$f' (vfat msdos exfat udf jfs nilfs2 ntfs3 hfs reiserfs ocfs2)" ;;
	esac
done
for l in $lbs; do case $l in 512|4096) ;; *) die "LBS must be 512 and/or 4096 (got '$l')" ;; esac; done
[ -z "$replay" ] || [ -f "$replay" ] || die "REPLAY: no such file '$replay'"
start=$(date +%s)
for e in c rust; do "$TOP/scripts/build-kernel.sh" "$e" "$variant"; done
mkdir -p "$BUILD/logs"
summary=$BUILD/logs/fuzz-summary.txt
: >"$summary"
status=0
modes=$faults; [ "$faults" = both ] && modes="0 1"
for m in $modes; do
	args=(--variant "$variant" --fs "$fs" --lbs "$lbs" --seeds "$seeds" --ops "$ops" --duration "$duration")
	[ "$m" = 1 ] && args+=(--faults)
	[ -z "$replay" ] || args+=(--replay "$replay")
	log=$BUILD/logs/fuzz-$variant-faults$m.out
	python3 "$TOP/scripts/fuzz.py" "${args[@]}" 2>&1 | tee "$log"
	[ "${PIPESTATUS[0]}" = 0 ] || status=1
	grep -E '^[^ ]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n1 >>"$summary" ||
		{ echo "fuzz-$variant-faults$m: 0 passed, 1 failed (no verdict)" >>"$summary"; status=1; }
done
echo "== fuzz summary =="
cat "$summary"
secs=$(( $(date +%s) - start ))
echo "wall time: $((secs / 60)) min $((secs % 60)) s"
awk -F'[:,]' '{ split($2, p, " "); split($3, f, " "); P += p[1]; F += f[1] }
	END { printf "%d passed, %d failed\n", P, F }' "$summary"
exit $status

#!/bin/bash
# xfstests-guest.sh <fstests dir> <run dir>: runs inside the fstests guest
# (virtme-ng, the host's root read-only over 9p). Reads <run dir>/env and
# <run dir>/list, runs fstests' check on them and writes its output to
# <run dir>/check.out as it goes, so that the host sees how far a run got
# when the guest hangs or crashes.
set -u
src=$1 run=$2
# shellcheck source=/dev/null
. "$run/env"

# The disks, found by the serial the host gave them.
dev_of() {
	local d
	for d in /sys/block/vd*; do
		[ "$(cat "$d/serial" 2>/dev/null)" = "$1" ] && { echo "/dev/${d##*/}"; return; }
	done
	echo "xfstests-guest: no disk with serial $1" >&2
	exit 1
}
TEST_DEV=$(dev_of fstests-test) SCRATCH_DEV=$(dev_of fstests-scratch) || exit 1
# fio and fstests reach descriptors through /dev/fd.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
mkdir -p /tmp/test /tmp/scratch
# fstests' users and group (fsgqa, fsgqa2, 123456-fsgqa), added to copies of
# the account files bind-mounted over the read-only host's, so that tests
# that run commands as another user run rather than being skipped.
for f in passwd group shadow; do
	cp "/etc/$f" "/tmp/$f"
	for u in fsgqa:1100 fsgqa2:1101 123456-fsgqa:1102; do
		n=${u%%:*} id=${u##*:}
		grep -q "^$n:" "/tmp/$f" && continue
		case $f in
		passwd) echo "$n:x:$id:$id:fstests:/tmp:/bin/bash" ;;
		group) echo "$n:x:$id:" ;;
		shadow) echo "$n:*:19000:0:99999:7:::" ;;
		esac >>"/tmp/$f"
	done
	mount --bind "/tmp/$f" "/etc/$f" || exit 1
done
export FSTYP TEST_DEV SCRATCH_DEV TEST_DIR=/tmp/test SCRATCH_MNT=/tmp/scratch
export RESULT_BASE=$run/results SOAK_DURATION TIME_FACTOR=1 LOAD_FACTOR=1
mkdir -p "$RESULT_BASE"
# The Rust engine announces itself at boot; the host checks this line.
engine=c
dmesg | grep -q 'Rust direct I/O engine' && engine=rust
echo "xfstests-guest: kernel $(uname -r), engine $engine, $FSTYP on $TEST_DEV and $SCRATCH_DEV" |
	tee "$run/guest.txt"
cd "$src" || exit 1
# shellcheck disable=SC2046
./check $(cat "$run/list") >"$run/check.out" 2>&1
echo "xfstests-guest: check exited with $?" >>"$run/check.out"
sync

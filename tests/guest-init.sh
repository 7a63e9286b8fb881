#!/bin/sh
# PID 1 of the test guest: set up devices, run the suite on every disk, report.
# Kernel command line: rustdio.suite=<quick|full> rustdio.only=<case list>
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t configfs configfs /sys/kernel/config
mount -t tmpfs tmp /tmp
echo 1 > /proc/sys/kernel/panic_on_oops

arg() { sed -n "s/.*rustdio\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
suite=$(arg suite)
export DIO_TEST_ONLY=$(arg only | tr , ' ')
engine=c
dmesg | grep -q 'rustdio: Rust direct I/O engine' && engine=rust
echo "# rustdio guest: kernel $(uname -r), engine $engine"

if [ "$suite" = none ]; then
	echo "RUSTDIO-GUEST-DONE"
	reboot -f
fi

if [ "$suite" = demo ]; then
	echo "== rustdio demo =="
	echo "kernel: $(uname -r)"
	echo "engine: $engine ($(dmesg | grep -o 'rustdio: Rust direct I/O engine.*' || echo 'fs/direct-io.c'))"
	for s in /sys/block/vd*; do
		serial=$(cat "$s/serial"); fstype=${serial%-*}
		mkdir -p /mnt/$serial
		mount -t "$fstype" /dev/${s##*/} /mnt/$serial || { echo "$serial: mount failed"; continue; }
		for rw in write read; do
			out=$(fio --name=demo --directory=/mnt/$serial --size=32m --bs=64k --direct=1 \
				--ioengine=psync --rw=$rw --verify=crc32c --do_verify=1 --output-format=terse \
				--terse-version=3 2>&1)
			rc=$?
			bw=$(echo "$out" | tail -n1 | awk -F';' -v rw=$rw '{ print (rw == "read") ? $7 : $48 }')
			[ $rc = 0 ] && v=verified || v="FAILED ($(echo "$out" | grep -m1 -i 'verify\|error'))"
			echo "$serial: O_DIRECT 64k $rw ${bw:-?} KiB/s, crc32c $v"
		done
		umount /mnt/$serial
	done
	echo "RUSTDIO-GUEST-DONE"
	reboot -f
fi

fails=0
# run_fs <dev> <fstype> <label> <lbs>
run_fs() {
	dev=$1 fstype=$2 label=$3 lbs=$4
	mnt=/mnt/$label
	mkdir -p "$mnt"
	opts=
	[ "$fstype" = ocfs2 ] && opts=-oheartbeat=none
	if ! mount -t "$fstype" $opts "$dev" "$mnt" 2>/tmp/mount.err; then
		echo "ok 1 - $label:mount # SKIP $fstype does not mount on $dev: $(dmesg | tail -n 2 | tr "\n" " ")"
		echo "# $label: 1 cases, 0 failed"
		return
	fi
	extra=
	[ "$fstype" = nilfs2 ] && extra=readonly-dio
	/bin/dio_test "$mnt" "$label" "$lbs" $extra || fails=$((fails + 1))
	umount "$mnt" || { echo "not ok - $label:umount"; fails=$((fails + 1)); }
}

for s in /sys/block/vd*; do
	serial=$(cat "$s/serial" 2>/dev/null)
	dev=/dev/${s##*/}
	case $serial in
	*-512|*-4096) ;;
	*) continue ;;
	esac
	fstype=${serial%-*}
	lbs=${serial##*-}
	[ "$fstype" = msdos ] || [ "$fstype" = vfat ] || [ "$fstype" = exfat ] || [ "$fstype" = udf ] ||
	[ "$fstype" = jfs ] || [ "$fstype" = nilfs2 ] || [ "$fstype" = ntfs3 ] || [ "$fstype" = hfs ] ||
	[ "$fstype" = reiserfs ] || [ "$fstype" = ocfs2 ] || continue
	run_fs "$dev" "$fstype" "$fstype-$lbs" "$lbs"
	# The vfat image also runs on brd (completes inside submit_bio) and on
	# null_blk with timer completions.
	if [ "$serial" = vfat-512 ] && [ "$suite" != none ]; then
		dd if="$dev" of=/dev/ram0 bs=1M 2>/dev/null && run_fs /dev/ram0 vfat vfat-brd 512
		nb=/sys/kernel/config/nullb/nb0
		if mkdir "$nb" 2>/dev/null; then
			echo 1 > $nb/memory_backed; echo 64 > $nb/size; echo 512 > $nb/blocksize
			echo 2 > $nb/irqmode; echo 20000 > $nb/completion_nsec; echo 1 > $nb/power
			dd if="$dev" of=/dev/nb0 bs=1M oflag=direct 2>/dev/null && run_fs /dev/nb0 vfat vfat-nullb 512
		fi
	fi
done

# F04 F20: after the suite no pins are outstanding and no dio object is live.
sync; echo 3 > /proc/sys/vm/drop_caches
acq=$(sed -n 's/^nr_foll_pin_acquired //p' /proc/vmstat)
rel=$(sed -n 's/^nr_foll_pin_released //p' /proc/vmstat)
# folio_add_pin() pins are released but never counted as acquired, so the
# counters differ by design; report them for comparison between engines.
echo "# pins: nr_foll_pin_acquired $acq nr_foll_pin_released $rel"
dio=$(awk '$1 == "dio" {print $2}' /proc/slabinfo)
if [ -z "$dio" ] || [ "$dio" = 0 ]; then echo "ok - global:dio_slab_idle (${dio:-merged})"; else echo "not ok - global:dio_slab_idle $dio live"; fi
if [ -e /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak; sleep 1; echo scan > /sys/kernel/debug/kmemleak
	leaks=$(grep -c '^unreferenced object' /sys/kernel/debug/kmemleak)
	if [ "$leaks" = 0 ]; then echo "ok - global:kmemleak"; else echo "not ok - global:kmemleak $leaks"; head -40 /sys/kernel/debug/kmemleak; fi
fi
echo "RUSTDIO-GUEST-DONE"
sync
reboot -f

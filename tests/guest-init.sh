#!/bin/sh
# PID 1 of the test guest: set up devices, run the suite on every disk, report.
# Kernel command line: rustdio.suite=<quick|full> rustdio.only=<case list>
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t configfs configfs /sys/kernel/config
mount -t tmpfs tmp /tmp
echo 1 > /proc/sys/kernel/panic_on_oops

arg() { sed -n "s/.*rustdio\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
# fsck_ok <name> <fsck command...>: a result line for a read-only fsck run.
fsck_ok() {
	name=$1; shift
	if out=$("$@" 2>&1); then
		echo "ok 0 - $name # expected clean observed clean"
	else
		echo "not ok 0 - $name # expected clean observed exit-$?"
		echo "$out" | tail -n 20 | sed 's/^/# /'
	fi
}
# The kernel's taint flags and lockdep's state, for the verdict.
kstate() {
	dl=n/a
	[ -r /proc/lockdep_stats ] && dl=$(sed -n 's/^ *debug_locks: *//p' /proc/lockdep_stats)
	echo "taint=$(cat /proc/sys/kernel/tainted) debug_locks=$dl"
}
# Seconds since boot, for the per-program times in build/logs/times-*.txt.
uptime_s() { cut -d' ' -f1 /proc/uptime; }
# prog <name> <command...>: run one test program between markers that give the
# verdict its exit status and the kernel state after it.  The program prints a
# TAP plan (1..N) first and "# ...: N cases, N failed" last.
prog() {
	name=$1; shift
	echo "# RUSTDIO-PROG-BEGIN $name at=$(uptime_s)"
	"$@"
	echo "# RUSTDIO-PROG-END $name status=$? $(kstate) at=$(uptime_s)"
}
done_marker() {
	sync
	echo "RUSTDIO-GUEST-DONE $(kstate)"
	reboot -f
}
suite=$(arg suite)
export DIO_TEST_ONLY=$(arg only | tr , ' ')
engine=c
dmesg | grep -q 'rustdio: Rust direct I/O engine' && engine=rust
echo "# rustdio guest: kernel $(uname -r), engine $engine"

if [ "$suite" = none ]; then
	done_marker
fi

case $suite in selftest-*)
	# The runner's self-test: provoke one real problem; the verdict must fail
	# the run and name it.  selftest-clean is the control that must pass.
	lkdtm=/sys/kernel/debug/provoke-crash/DIRECT
	case ${suite#selftest-} in
	clean) prog selftest:clean sh -c 'echo 1..1; echo "ok 1 - selftest:clean"; echo "# selftest: 1 cases, 0 failed"' ;;
	warning) echo WARNING > $lkdtm ;;
	# A spinlock taken and kept on return to user space: lockdep reports it.
	lockdep) sh -c "echo SPINLOCKUP > $lkdtm" ;;
	kasan) echo READ_AFTER_FREE > $lkdtm ;;
	hung)
		echo 5 > /proc/sys/kernel/hung_task_timeout_secs
		sh -c "echo HUNG_TASK > $lkdtm" &
		sleep 20 ;;
	signal)
		# The real suite, killed by SIGSEGV once it has reported a case.
		mkfs.fat /dev/ram0 >/dev/null && mkdir -p /mnt/st && mount -t vfat /dev/ram0 /mnt/st
		prog dio_test:selftest sh -c '/bin/dio_test /mnt/st selftest 512 > /tmp/st.out & p=$!
			while ! grep -q "^ok 1 " /tmp/st.out; do sleep 1; done
			kill -SEGV $p; wait $p; r=$?; cat /tmp/st.out; exit $r' ;;
	# A program that exits 0 and closes with a full count but lost a case.
	lost) prog selftest:lost sh -c 'echo 1..3; echo "ok 1 - selftest:a"; echo "ok 2 - selftest:b"; echo "# selftest: 3 cases, 0 failed"' ;;
	esac
	done_marker
esac

if [ "$suite" = bench ]; then
	# Benchmark: the same fio jobs on memory-backed devices, JSON between markers.
	echo "# bench engine $engine"
	disk() { for s in /sys/block/vd*; do [ "$(cat $s/serial)" = "$1" ] && echo /dev/${s##*/}; done; }
	nb=/sys/kernel/config/nullb/nbb
	mkdir $nb; echo 1 > $nb/memory_backed; echo 64 > $nb/size; echo 512 > $nb/blocksize
	echo 1 > $nb/irqmode; echo 1 > $nb/power
	dd if=$(disk vfat-512) of=/dev/nbb bs=1M oflag=direct 2>/dev/null
	dd if=$(disk vfat-512) of=/dev/ram0 bs=1M 2>/dev/null
	dd if=$(disk exfat-512) of=/dev/ram1 bs=1M 2>/dev/null
	dd if=$(disk jfs-512) of=/dev/ram2 bs=1M 2>/dev/null
	rt=${RUSTDIO_BENCH_RUNTIME:-3}
	job() { # job <label> <dir> <fio args...>
		label=$1 d=$2; shift 2
		echo "BENCH-JSON-BEGIN $label"
		fio --name="$label" --directory="$d" --direct=1 --size=24m --runtime=$rt --time_based \
			--ramp_time=1 --output-format=json --randseed=42 "$@" 2>&1
		echo "BENCH-JSON-END $label"
		echo "BENCH-SLAB $label $(awk '$1 == "dio" {print $3, $4}' /proc/slabinfo)"
	}
	for target in vfat:/dev/nbb:nullb vfat:/dev/ram0:brd exfat:/dev/ram1:brd; do
		fs=${target%%:*} rest=${target#*:}; dev=${rest%%:*}; kind=${rest#*:}
		m=/mnt/b-$fs-$kind; mkdir -p $m; mount -t $fs $dev $m || continue
		fio --name=layout --directory=$m --size=24m --rw=write --bs=1m --output=/dev/null
		for j in "randread-4k-qd1-psync --rw=randread --bs=4k --ioengine=psync" \
			 "randwrite-4k-qd1-psync --rw=randwrite --bs=4k --ioengine=psync" \
			 "randread-4k-qd32-io_uring --rw=randread --bs=4k --ioengine=io_uring --iodepth=32" \
			 "randwrite-4k-qd32-libaio --rw=randwrite --bs=4k --ioengine=libaio --iodepth=32" \
			 "read-1m-seq-psync --rw=read --bs=1m --ioengine=psync" \
			 "write-1m-seq-psync --rw=write --bs=1m --ioengine=psync" \
			 "randwrite-4k-dsync --rw=randwrite --bs=4k --ioengine=psync --sync=dsync"; do
			set -- $j; name=$1; shift
			job "$fs-$kind:$name" $m --filename=layout.0.0 "$@"
		done
		umount $m
	done
	m=/mnt/b-jfs; mkdir -p $m; mount -t jfs /dev/ram2 $m
	fio --name=layout --directory=$m --size=24m --rw=write --bs=1m --output=/dev/null
	job "jfs-brd:randread-512-on-4k-fs" $m --filename=layout.0.0 --rw=randread --bs=512 --ioengine=psync
	truncate -s 24m $m/sparse
	job "jfs-brd:read-sparse-64k" $m --filename=sparse --rw=read --bs=64k --ioengine=psync
	umount $m
	clock=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
	echo "BENCH-CLOCKSOURCE $clock"
	# Why the kernel left the TSC, for whoever reads the log.
	[ "$clock" = tsc ] || dmesg | grep -iE 'tsc|clocksource' | sed 's/^/# clock: /'
	done_marker
fi

if [ "$suite" = soak ]; then
	# Races under load on vfat and jfs for the given time, then unmount checks.
	secs=$(arg duration); secs=${secs:-60}
	for serial in vfat-512 jfs-512; do
		for s in /sys/block/vd*; do [ "$(cat $s/serial)" = "$serial" ] && dev=/dev/${s##*/}; done
		m=/mnt/soak-$serial; mkdir -p $m
		mount -t ${serial%-*} $dev $m || { echo "not ok - soak:$serial:mount"; continue; }
		# Halfway through this filesystem's share of the time, try to unmount it.
		( sleep $((secs / 4)); umount $m 2>/dev/null && echo "not ok - soak:$serial unmounted while busy" ) &
		prog dio_soak:$serial /bin/dio_soak $m $serial $((secs / 2))
		wait
		umount $m && echo "ok - soak:$serial unmount after soak" || echo "not ok - soak:$serial unmount after soak"
		fsck_ok soak:$serial:fsck_after_soak fsck.${serial%-*} -n $dev
	done
	done_marker
fi

if [ "$suite" = profile ]; then
	# Where the kernel spends its time under direct I/O: perf's cpu-clock
	# samples over fio jobs on vfat over brd, one flat profile per job.
	disk() { for s in /sys/block/vd*; do [ "$(cat $s/serial)" = "$1" ] && echo /dev/${s##*/}; done; }
	dd if=$(disk vfat-512) of=/dev/ram0 bs=1M 2>/dev/null
	m=/mnt/profile; mkdir -p $m; mount -t vfat /dev/ram0 $m
	fio --name=layout --directory=$m --size=24m --rw=write --bs=1m --output=/dev/null
	for j in "read-1m-seq --rw=read --bs=1m" "write-1m-seq --rw=write --bs=1m" \
		 "randread-4k --rw=randread --bs=4k" "randwrite-4k --rw=randwrite --bs=4k"; do
		set -- $j; name=$1; shift
		perf record -q -e cpu-clock -a -o /tmp/perf.data -- fio --name=$name --directory=$m \
			--filename=layout.0.0 --direct=1 --size=24m --runtime=${RUSTDIO_PROFILE_RUNTIME:-8} \
			--time_based --ioengine=psync --output=/dev/null "$@" >/dev/null 2>&1
		echo "PROFILE-BEGIN $name"
		perf report -q -i /tmp/perf.data --stdio --no-children --sort sym 2>/dev/null
		echo "PROFILE-END $name"
	done
	umount $m
	done_marker
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
	done_marker
fi

# run_fs <dev> <fstype> <label> <lbs>
run_fs() {
	dev=$1 fstype=$2 label=$3 lbs=$4
	mnt=/mnt/$label
	mkdir -p "$mnt"
	opts=
	[ "$fstype" = ocfs2 ] && opts=-oheartbeat=none
	# Images that cannot be made are left out on the host (mkdisks.sh), so
	# every disk here must mount.
	if ! mount -t "$fstype" $opts "$dev" "$mnt" 2>/tmp/mount.err; then
		echo "not ok - $label:mount"
		echo "# $(cat /tmp/mount.err) $(dmesg | tail -n 2 | tr "\n" " ")"
		return
	fi
	extra=
	[ "$fstype" = nilfs2 ] && extra=readonly-dio
	prog dio_test:$label /bin/dio_test "$mnt" "$label" "$lbs" $extra
	# Second, independent check: fio writes and verifies with crc32c.
	for ioengine in psync libaio io_uring; do
		if [ "$fstype" = hfs ] || [ "$fstype" = nilfs2 ]; then
			# hfs_get_block() fails direct writes into fio's layout with
			# -EIO on both engines, and nilfs2 writes never use direct I/O:
			# write the file buffered, then verify it with direct reads.
			if fio --name=verify-$ioengine --directory="$mnt" --size=8m --bs=16k \
				--ioengine=psync --rw=write --verify=crc32c --do_verify=0 \
				--output=/tmp/fio.out >/dev/null 2>&1 &&
				echo 3 > /proc/sys/vm/drop_caches &&
				fio --name=verify-$ioengine --directory="$mnt" --size=8m --bs=16k --direct=1 \
				--ioengine=$ioengine --iodepth=8 --rw=write --verify=crc32c --verify_only=1 \
				--verify_fatal=1 --output=/tmp/fio.out >/dev/null 2>&1 &&
				grep -q 'READ:' /tmp/fio.out; then
				echo "ok - $label:fio_verify_read_$ioengine"
			else
				echo "not ok - $label:fio_verify_read_$ioengine"; grep -m3 -i 'verify\|error' /tmp/fio.out | sed 's/^/# /'
			fi
			rm -f "$mnt"/verify-$ioengine.*
			continue
		fi
		if fio --name=verify-$ioengine --directory="$mnt" --size=8m --bs=16k --direct=1 \
			--ioengine=$ioengine --iodepth=8 --rw=randwrite --verify=crc32c --do_verify=1 \
			--verify_fatal=1 --invalidate=0 --output=/tmp/fio.out >/dev/null 2>&1; then
			echo "ok - $label:fio_verify_$ioengine"
		else
			echo "not ok - $label:fio_verify_$ioengine"; grep -m3 -i 'verify\|error' /tmp/fio.out | sed 's/^/# /'
		fi
		rm -f "$mnt"/verify-$ioengine.*
	done
	if [ "$label" = vfat-512 ]; then
		if [ "$(arg engine)" = rust ]; then trace_cmd_fio "$mnt" "$label"
		else echo "ok - $label:trace_cmd_fio # SKIP the C engine has no rustdio events"; fi
	fi
	umount "$mnt" || echo "not ok - $label:umount"
}

# The rustdio tracepoints as a filesystem developer records them: trace-cmd
# around a fio run of 64 direct reads shows 64 begin and 64 complete events.
trace_cmd_fio() {
	mnt=$1 label=$2
	if ! command -v trace-cmd >/dev/null; then
		echo "ok - $label:trace_cmd_fio # SKIP no trace-cmd in this guest's root (arm64)"
		return
	fi
	dd if=/dev/zero of="$mnt/tracefio" bs=1M count=4 2>/dev/null && sync
	if trace-cmd record -e rustdio -o /tmp/trace.dat fio --name=trace --filename="$mnt/tracefio" \
			--size=4m --bs=4k --direct=1 --ioengine=psync --rw=randread --number_ios=64 \
			--output=/dev/null >/tmp/trace-cmd.out 2>&1 &&
		trace-cmd report -i /tmp/trace.dat >/tmp/trace.txt 2>/dev/null; then
		b=$(grep -c ' rustdio_dio_begin: .* count 4096 read sync ' /tmp/trace.txt)
		c=$(grep -c ' rustdio_dio_complete: .* transferred 4096 ret 4096 bios [1-9][0-9]* zeroed 0 result bytes' /tmp/trace.txt)
		if [ "$b" = 64 ] && [ "$c" = 64 ]; then
			echo "ok - $label:trace_cmd_fio"
		else
			echo "not ok - $label:trace_cmd_fio # expected 64 begin and 64 complete events, observed $b and $c"
		fi
		grep -m1 ' rustdio_dio_begin: ' /tmp/trace.txt | sed 's/^/# trace-cmd report: /'
		grep -m1 ' rustdio_dio_complete: ' /tmp/trace.txt | sed 's/^/# trace-cmd report: /'
	else
		echo "not ok - $label:trace_cmd_fio # trace-cmd or fio failed"
		tail -n 5 /tmp/trace-cmd.out | sed 's/^/# /'
	fi
	rm -f "$mnt/tracefio" /tmp/trace.dat /tmp/trace.txt
}

run_matrix() {
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
		# 512-byte clusters on brd: files laid out in turn are fragmented
		# inside every page, each page split over several bios.
		m=/mnt/vfat-frag; mkdir -p $m
		if mkfs.fat -F 32 -s 1 -S 512 /dev/ram1 >/dev/null && mount -t vfat /dev/ram1 $m; then
			prog dio_test:vfat-frag env DIO_TEST_ONLY=fragmented /bin/dio_test $m vfat-frag 512
			umount $m || echo "not ok - vfat-frag:umount"
		else
			echo "not ok - vfat-frag:mount # mkfs.fat -F 32 -s 1 on /dev/ram1 or its mount failed"
		fi
	fi
done
}
case $suite in faults|fuzz|fuzz-faults) ;; *) run_matrix ;; esac

# Faults: a vfat filesystem on a null_blk device with badblocks support.
if [ "$suite" = quick ] || [ "$suite" = faults ]; then
	nb=/sys/kernel/config/nullb/nbf
	if mkdir "$nb" 2>/dev/null; then
		echo 1 > $nb/memory_backed; echo 256 > $nb/size; echo 512 > $nb/blocksize
		echo 0 > $nb/irqmode; echo 1 > $nb/power
		mkdir -p /mnt/faults
		if mkfs.fat /dev/nbf >/dev/null 2>&1 && mount -t vfat /dev/nbf /mnt/faults; then
			prog dio_faults:nbf /bin/dio_faults /mnt/faults $nb nbf vfat
			umount /mnt/faults
			fsck_ok faults:vfat:fsck_after_faults fsck.vfat -n /dev/nbf
		else
			echo "not ok - faults:setup could not make vfat on null_blk"
		fi
	fi
	# The same filesystem on a dm device, for dm-error, dm-flakey and dm-delay.
	nb=/sys/kernel/config/nullb/nbd
	if mkdir "$nb" 2>/dev/null; then
		echo 1 > $nb/memory_backed; echo 256 > $nb/size; echo 512 > $nb/blocksize
		echo 0 > $nb/irqmode; echo 1 > $nb/power
		mkdir -p /mnt/dmfaults
		if echo "0 $(cat /sys/block/nbd/size) linear /dev/nbd 0" |
				dmsetup --noudevsync create dio-faults >/dev/null 2>&1 &&
			dm=/dev/$(dmsetup info -c --noheadings -o blkdevname dio-faults) &&
			mkfs.fat "$dm" >/dev/null 2>&1 && mount -t vfat "$dm" /mnt/dmfaults; then
			prog dio_faults:dm /bin/dio_faults --dm dio-faults /mnt/dmfaults $nb nbd vfat
			umount /mnt/dmfaults
			fsck_ok faults:vfat:fsck_after_dm_faults fsck.vfat -n "$dm"
			dmsetup --noudevsync remove dio-faults
		else
			echo "not ok - faults:setup could not make vfat on a dm device over null_blk"
		fi
	fi
fi

# dm_copy <serial> <nullb> <MiB> <dm-name> <fstype> <mount-options> <dir>: a
# copy of disk <serial> on a memory-backed null_blk device <nullb> under a
# linear dm device, mounted on <dir>; sets nb and dm.  Returns 2 when the disk
# is not in this run, 1 when the set-up fails.
dm_copy() {
	serial=$1 nbname=$2 size=$3 dmname=$4 fst=$5 opts=$6 mnt=$7
	src=
	for s in /sys/block/vd*; do [ "$(cat $s/serial)" = "$serial" ] && src=/dev/${s##*/}; done
	nb=/sys/kernel/config/nullb/$nbname
	{ [ -n "$src" ] && mkdir "$nb" 2>/dev/null; } || return 2
	echo 1 > $nb/memory_backed; echo "$size" > $nb/size; echo 512 > $nb/blocksize
	echo 0 > $nb/irqmode; echo 1 > $nb/power
	mkdir -p "$mnt"
	dd if="$src" of=/dev/$nbname bs=1M oflag=direct 2>/dev/null &&
		echo "0 $(cat /sys/block/$nbname/size) linear /dev/$nbname 0" |
			dmsetup --noudevsync create "$dmname" >/dev/null 2>&1 &&
		dm=/dev/$(dmsetup info -c --noheadings -o blkdevname "$dmname") &&
		mount -t "$fst" $opts "$dm" "$mnt" && return 0
	return 1
}

# F14: RWF_NOWAIT on ocfs2 (the one caller that allows it), on a dm device
# that the program suspends while it issues RWF_NOWAIT requests.
if [ "$suite" = quick ]; then
	dm_copy ocfs2-512 nbw 256 dio-nowait ocfs2 -oheartbeat=none /mnt/nowait; rc=$?
	if [ $rc = 0 ]; then
		prog dio_faults:nowait /bin/dio_faults --nowait --dm dio-nowait /mnt/nowait $nb nbw ocfs2
		umount /mnt/nowait
		dmsetup --noudevsync remove dio-nowait
	elif [ $rc = 1 ]; then
		echo "not ok - faults:nowait_setup could not mount ocfs2 on a dm device over null_blk"
	fi
fi

# F13: extending AIO on jfs (whose extending direct writes reach the engine),
# a copy of the jfs-512 image on a dm device that the program turns into
# dm-delay.
if [ "$suite" = quick ]; then
	dm_copy jfs-512 nbx 128 dio-extend jfs "" /mnt/extend; rc=$?
	if [ $rc = 0 ]; then
		prog dio_faults:extend /bin/dio_faults --extend --dm dio-extend /mnt/extend $nb nbx jfs
		umount /mnt/extend
		fsck_ok faults:jfs:fsck_after_extend fsck.jfs -n "$dm"
		dmsetup --noudevsync remove dio-extend
	elif [ $rc = 1 ]; then
		echo "not ok - faults:extend_setup could not mount jfs on a dm device over null_blk"
	fi
fi

# F45: waiting for bios on a slow device is accounted as iowait.
if [ "$suite" = quick ]; then
	nb=/sys/kernel/config/nullb/nbs
	if mkdir "$nb" 2>/dev/null; then
		echo 1 > $nb/memory_backed; echo 64 > $nb/size; echo 512 > $nb/blocksize
		echo 2 > $nb/irqmode; echo 5000000 > $nb/completion_nsec; echo 1 > $nb/power
		mkdir -p /mnt/slow
		if mkdosfs /dev/nbs >/dev/null 2>&1 && mount -t vfat /dev/nbs /mnt/slow &&
			dd if=/dev/zero of=/mnt/slow/f bs=64k count=4 2>/dev/null && sync; then
			w0=$(awk '/^cpu /{print $6}' /proc/stat)
			dd if=/mnt/slow/f of=/dev/null bs=4k count=64 iflag=direct 2>/dev/null
			w1=$(awk '/^cpu /{print $6}' /proc/stat)
			if [ "$w1" -gt "$w0" ]; then echo "ok - global:iowait_on_slow_device (+$((w1 - w0)) ticks)"
			else echo "not ok - global:iowait_on_slow_device ($w0 -> $w1)"; fi
			umount /mnt/slow
		else
			echo "not ok - global:iowait_on_slow_device setup failed"
		fi
	fi
fi

# Differential programs (scripts/fuzz.py): each disk listed in
# /fuzz/programs.txt runs its programs, every one from the disk's first image.
# Writeback only when a program asks for it, so that whether a page is dirty
# (RWF_NOWAIT's -EAGAIN) does not depend on timing.
case $suite in fuzz|fuzz-faults)
	echo 0 > /proc/sys/vm/dirty_writeback_centisecs
	fflags=
	[ "$(arg fuzzlog)" = 1 ] && fflags=-l
	# rustdio.alloctrace=1 (RUSTDIO_ALLOC_TRACE=1): dio_fuzz's slab
	# allocations and bios into the trace buffer, between the marks it
	# writes at each pinned operation; printed after the programs.
	if [ "$(arg alloctrace)" = 1 ]; then
		t=/sys/kernel/tracing
		echo 65536 > $t/buffer_size_kb
		for e in kmem/kmem_cache_alloc kmem/kmalloc block/block_bio_queue; do
			echo 'comm == "dio_fuzz"' > $t/events/$e/filter
			echo 1 > $t/events/$e/enable
		done
		fflags="$fflags -T"
	fi
	if [ "$suite" = fuzz-faults ]; then
		# Faults only where the program pins them (fail-nth), and quietly:
		# a fault report's stack trace is not a kernel problem here.
		fflags="$fflags -F"
		for a in failslab fail_make_request; do
			d=/sys/kernel/debug/$a
			echo 0 > $d/probability; echo -1 > $d/times; echo 0 > $d/verbose
			[ -e $d/ignore-gfp-wait ] && echo N > $d/ignore-gfp-wait
		done
		# Every slab cache but the scatterlist pools, which the disk
		# driver allocates from when it takes a request: in this task or
		# in kblockd, as the queue happens to be (slab_nomerge keeps the
		# caches apart).  Nor kmemleak's own caches (debug kernel): it
		# allocates an object there for every allocation it tracks, the
		# scatterlists' included, and takes a failed one from its
		# reserve, so a fault landing there reaches nothing under test.
		for c in /sys/kernel/slab/*/failslab; do
			case $c in */sgpool-*|*/kmemleak_*) continue ;; esac
			echo 1 > "$c" 2>/dev/null
		done
		echo Y > /sys/kernel/debug/failslab/cache-filter
	fi
	for s in /sys/block/vd*; do
		serial=$(cat "$s/serial" 2>/dev/null)
		grep -q "^$serial " /fuzz/programs.txt 2>/dev/null || continue
		dev=/dev/${s##*/}
		[ "$suite" = fuzz-faults ] && echo 1 > $s/make-it-fail
		# ocfs2 is the one filesystem here whose files take RWF_NOWAIT
		# (FMODE_NOWAIT).  With one page per request the block layer must
		# split any larger bio, and it fails a REQ_NOWAIT bio that needs a
		# split with -EAGAIN (bio_split_rw_at()): a direct write's
		# REQ_NOWAIT, and where its bios end, show in its result.
		case $serial in ocfs2-*) echo 4 > $s/queue/max_sectors_kb ;; esac
		mkdir -p /mnt/fuzz
		prog fuzz:$serial /bin/dio_fuzz $fflags -d $dev -t ${serial%-*} -m /mnt/fuzz -L $serial \
			-b ${serial##*-} -f /fuzz/programs.txt
	done
	if [ "$(arg alloctrace)" = 1 ]; then
		echo 0 > /sys/kernel/tracing/tracing_on
		sed -n 's/^ *dio_fuzz-/# TRACE dio_fuzz-/p' /sys/kernel/tracing/trace
	fi
	;;
esac

# F04 F20: after the suite no pins are outstanding and no dio object is live.
sync; echo 3 > /proc/sys/vm/drop_caches
acq=$(sed -n 's/^nr_foll_pin_acquired //p' /proc/vmstat)
rel=$(sed -n 's/^nr_foll_pin_released //p' /proc/vmstat)
# folio_add_pin() pins are released but never counted as acquired, so the
# counters differ by design; report them for comparison between engines.
echo "# pins: nr_foll_pin_acquired $acq nr_foll_pin_released $rel"
# SLUB counts objects of per-CPU slabs as active until the cache is shrunk.
echo 1 > /sys/kernel/slab/dio/shrink 2>/dev/null
dio=$(awk '$1 == "dio" {print $2}' /proc/slabinfo)
# Both engines create a "dio" cache, and slab_nomerge keeps it apart.
if [ -z "$dio" ]; then echo "not ok - global:dio_slab_idle no dio cache in /proc/slabinfo"
elif [ "$dio" = 0 ]; then echo "ok - global:dio_slab_idle"; else echo "not ok - global:dio_slab_idle $dio live"; fi
if [ -e /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak; sleep 1; echo scan > /sys/kernel/debug/kmemleak
	leaks=$(grep -c '^unreferenced object' /sys/kernel/debug/kmemleak)
	if [ "$leaks" = 0 ]; then echo "ok - global:kmemleak"; else echo "not ok - global:kmemleak $leaks"; head -40 /sys/kernel/debug/kmemleak; fi
fi
done_marker

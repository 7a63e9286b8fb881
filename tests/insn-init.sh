#!/bin/sh
# PID 1 of scripts/insn-count.sh's guest: vfat on brd, then each workload of
# dio_loop between markers.  The host turns QEMU's instruction log on at
# MEASURE-BEGIN (the guest waits for it) and off at MEASURE-END.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
disk() { for s in /sys/block/vd*; do [ "$(cat $s/serial)" = "$1" ] && echo /dev/${s##*/}; done; }
dd if=$(disk vfat-512) of=/dev/ram0 bs=1M 2>/dev/null
mkdir -p /mnt/v
mount -t vfat /dev/ram0 /mnt/v || { echo "MEASURE-FAILED mount"; poweroff -f; }
fio --name=layout --directory=/mnt/v --size=24m --rw=write --bs=1m --output=/dev/null --eta=never
sync
# name:r|w:bytes per request:requests
for w in read-4k:r:4096:200 write-4k:w:4096:200 read-1m:r:1048576:4 write-1m:w:1048576:4; do
	set -- $(echo "$w" | tr : ' ')
	name=$1 mode=$2 bs=$3 n=$4
	/bin/dio_loop /mnt/v/layout.0.0 "$mode" 20 "$bs" || echo "MEASURE-FAILED $name"
	echo "MEASURE-BEGIN $name $n"
	sleep 3
	/bin/dio_loop /mnt/v/layout.0.0 "$mode" "$n" "$bs" || echo "MEASURE-FAILED $name"
	echo "MEASURE-END $name"
	sleep 1
done
echo MEASURE-DONE
poweroff -f

#!/usr/bin/env bash
# mkdisks.sh <outdir>: pristine filesystem images, one per (fs, logical block size),
# made on the host with Debian's mkfs tools.  Prints "<image> <serial>" lines,
# and "SKIP <serial> <reason>" for a combination that cannot be made.
source "$(dirname "$0")/lib.sh"
out=$1; mkdir -p "$out"
FS_LIST=${RUSTDIO_FS-"vfat msdos exfat udf jfs nilfs2 ntfs3 hfs reiserfs ocfs2"}
LBS_LIST=${RUSTDIO_LBS:-"512 4096"}

# blank <size> <img>: an image whose every byte is a non-zero pattern, so a
# read that returns blocks the engine should have zeroed, or blocks no file
# owns, shows stale data instead of passing on zeroes.
blank() {
	rm -f "$2"
	yes 'RUSTDIO-STALE-DISK-DATA' | head -c "$1" >"$2"
}

# on_loop <lbs> <img> <mkfs...>: run mkfs on a loop device with <lbs>-byte
# sectors, for tools that take the sector size only from the device.
on_loop() {
	local lbs=$1 img=$2 dev rc=0; shift 2
	dev=$(losetup -b "$lbs" -f --show "$img") || return 3
	"$@" "$dev" || rc=$?
	losetup -d "$dev"
	return $rc
}

mk() { # mk <fs> <lbs> <img>: 0 made, 2 cannot be made (reason on stdout), else failed
	local fs=$1 lbs=$2 img=$3
	case $fs in
	vfat|msdos) blank 64M "$img"; mkfs.fat -S "$lbs" -n RUSTDIO "$img" ;;
	exfat)
		blank 64M "$img"
		if [ "$lbs" = 512 ]; then mkfs.exfat -L rustdio "$img"
		else
			# mkfs.exfat 1.2 takes the sector size from the device only.
			on_loop "$lbs" "$img" mkfs.exfat -L rustdio && return 0
			[ $? = 3 ] || return 1
			echo "no loop device on this host for mkfs.exfat to see $lbs-byte sectors"
			return 2
		fi ;;
	udf) blank 64M "$img"; mkudffs -b "$lbs" --media-type=hd --label=rustdio "$img" ;;
	jfs) blank 64M "$img"; mkfs.jfs -q -L rustdio "$img" ;;
	nilfs2) blank 160M "$img"; mkfs.nilfs2 -q -b 4096 "$img" ;;
	ntfs3) blank 64M "$img"; mkntfs -q -F -f -s "$lbs" -L rustdio "$img" ;;
	hfs)
		if [ "$lbs" != 512 ]; then
			echo "hformat (hfsutils) makes 512-byte-sector volumes only"
			return 2
		fi
		blank 64M "$img"; hformat -l rustdio "$img" ;;
	reiserfs) blank 96M "$img"; mkreiserfs -q -f -f -b 4096 "$img" ;;
	ocfs2) blank 256M "$img"; mkfs.ocfs2 -q -F -M local -b 4096 -C 4096 -N 1 -L rustdio "$img" </dev/null ;;
	*) die "unknown filesystem $fs" ;;
	esac
}

# Two guests booted at once (scripts/fuzz.py boots both kernels together)
# must not copy an image the other is still making: one maker at a time.
exec 9>"$out/.lock"
flock 9
# Images made by an older version of this script are made again.
stamp=$(sha1sum "$0" | cut -c1-16)
if [ "$(cat "$out/.stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -f "$out"/*.img "$out"/*.img.log
	echo "$stamp" >"$out/.stamp"
fi
for fs in $FS_LIST; do
	for lbs in $LBS_LIST; do
		img=$out/$fs-$lbs.img
		if [ ! -s "$img" ]; then
			need_space 300 "making $fs-$lbs.img"
			rc=0
			mk "$fs" "$lbs" "$img" >"$img.log" 2>&1 || rc=$?
			if [ $rc = 2 ]; then
				rm -f "$img"
				echo "SKIP $fs-$lbs $(tail -n1 "$img.log")"
				continue
			fi
			[ $rc = 0 ] || { rm -f "$img"; die "mkfs for $fs ($lbs-byte sectors) failed: $(tail -n1 "$img.log")"; }
		fi
		echo "$img $fs-$lbs"
	done
done

#!/usr/bin/env bash
# mkdisks.sh <outdir>: pristine filesystem images, one per (fs, logical block size),
# made on the host with Debian's mkfs tools.  Prints "<image> <serial>" lines.
source "$(dirname "$0")/lib.sh"
out=$1; mkdir -p "$out"
FS_LIST=${RUSTDIO_FS:-"vfat msdos exfat udf jfs nilfs2 ntfs3 hfs reiserfs ocfs2"}
LBS_LIST=${RUSTDIO_LBS:-"512 4096"}

mk() { # mk <fs> <lbs> <img>
	local fs=$1 lbs=$2 img=$3
	case $fs in
	vfat|msdos) truncate -s 64M "$img"; mkfs.fat -S "$lbs" -n RUSTDIO "$img" ;;
	exfat) truncate -s 64M "$img"; mkfs.exfat -L rustdio "$img" ;;
	udf) truncate -s 64M "$img"; mkudffs -b "$lbs" --media-type=hd --label=rustdio "$img" ;;
	jfs) truncate -s 64M "$img"; mkfs.jfs -q -L rustdio "$img" ;;
	nilfs2) truncate -s 160M "$img"; mkfs.nilfs2 -q -b 4096 "$img" ;;
	ntfs3) truncate -s 64M "$img"; mkntfs -q -F -f -s "$lbs" -L rustdio "$img" ;;
	hfs) [ "$lbs" = 512 ] || return 2; truncate -s 64M "$img"; hformat -l rustdio "$img" ;;
	reiserfs) truncate -s 96M "$img"; mkreiserfs -q -f -f -b 4096 "$img" ;;
	ocfs2) truncate -s 256M "$img"; mkfs.ocfs2 -q -F -M local -b 4096 -C 4096 -N 1 -L rustdio "$img" </dev/null ;;
	*) die "unknown filesystem $fs" ;;
	esac
}

for fs in $FS_LIST; do
	for lbs in $LBS_LIST; do
		img=$out/$fs-$lbs.img
		if [ ! -s "$img" ]; then
			rm -f "$img"
			rc=0
			mk "$fs" "$lbs" "$img" >"$img.log" 2>&1 || rc=$?
			if [ $rc = 2 ]; then rm -f "$img"; continue; fi
			[ $rc = 0 ] || die "mkfs for $fs ($lbs-byte sectors) failed: $(tail -n1 "$img.log")"
		fi
		echo "$img $fs-$lbs"
	done
done

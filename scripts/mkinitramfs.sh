#!/usr/bin/env bash
# mkinitramfs.sh <out.cpio.gz>: busybox-static, the test programs and fio.
source "$(dirname "$0")/lib.sh"
out=$1
root=$BUILD/initramfs
rm -rf "$root"; mkdir -p "$root"/{bin,sbin,usr/bin,proc,sys,dev,tmp,mnt,lib64,lib,etc}
cp /bin/busybox "$root/bin/busybox"
for a in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done
gcc -O2 -Wall -static -o "$root/bin/dio_test" "$TOP/tests/dio_test.c" -luring -lpthread ||
	die "could not build tests/dio_test.c"
gcc -O2 -Wall -static -o "$root/bin/dio_faults" "$TOP/tests/dio_faults.c" ||
	die "could not build tests/dio_faults.c"
gcc -O2 -Wall -static -o "$root/bin/dio_soak" "$TOP/tests/dio_soak.c" -lpthread ||
	die "could not build tests/dio_soak.c"
# Host programs with the shared libraries they need: fio, dmsetup, mkfs/fsck.
for prog in /usr/bin/fio /usr/sbin/dmsetup /usr/sbin/mkfs.fat /usr/sbin/fsck.vfat /usr/sbin/fsck.jfs; do
	[ -x "$prog" ] || die "$prog is missing: run scripts/setup.sh"
	cp "$prog" "$root/bin/${prog##*/}"
	for lib in $(ldd "$prog" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
done
# perf only for profile runs: it and its libraries add ~30 MiB.
if [ "${RUSTDIO_SUITE:-}" = profile ]; then
	cp /usr/bin/perf "$root/bin/perf"
	for lib in $(ldd /usr/bin/perf | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
fi
# fsck.fat converts file names from codepage 850 through glibc's gconv.
# glibc looks for it under the canonical (/usr) path of its library directory.
gconv=$(realpath "$(dirname "$(ldd /usr/bin/fio | grep -o '/[^ ]*/libc.so.6')")")/gconv
mkdir -p "$root$gconv"
cp -r "$gconv"/gconv-modules* "$gconv"/IBM850.so "$gconv"/IBM437.so "$root$gconv/"
cp "$TOP/tests/guest-init.sh" "$root/init"
cp -r "$TOP/tests/fio" "$root/fio" 2>/dev/null || true
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"

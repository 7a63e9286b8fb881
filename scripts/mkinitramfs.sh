#!/usr/bin/env bash
# mkinitramfs.sh <out.cpio.gz>: busybox-static, the test programs and fio.
source "$(dirname "$0")/lib.sh"
out=$1
# Each output gets its own staging tree, so that runs can build in parallel.
root=${out%.cpio.gz}.root
rm -rf "$root"; mkdir -p "$root"/{bin,sbin,usr/bin,proc,sys,dev,tmp,mnt,lib64,lib,etc}
if [ "$RUSTDIO_ARCH" = arm64 ]; then
	# Debian's arm64 userspace, and the test programs cross-built against it.
	a64=$("$TOP/scripts/arm64-root.sh")
	cp "$a64/bin/busybox" "$root/bin/busybox"
	# The host's busybox is the same Debian version: it lists the applets.
	applets=$(/bin/busybox --list)
	cc=(aarch64-linux-gnu-gcc -I"$a64/usr/include" -L"$a64/usr/lib/aarch64-linux-gnu")
	command -v "${cc[0]}" >/dev/null || die "${cc[0]} is missing: run scripts/setup.sh"
else
	cp /bin/busybox "$root/bin/busybox"
	applets=$("$root/bin/busybox" --list)
	cc=(gcc)
fi
for a in $applets; do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done
"${cc[@]}" -O2 -Wall -static -o "$root/bin/dio_test" "$TOP/tests/dio_test.c" -luring -lpthread ||
	die "could not build tests/dio_test.c"
"${cc[@]}" -O2 -Wall -static -o "$root/bin/dio_faults" "$TOP/tests/dio_faults.c" ||
	die "could not build tests/dio_faults.c"
"${cc[@]}" -O2 -Wall -static -o "$root/bin/dio_fuzz" "$TOP/tests/dio_fuzz.c" -luring ||
	die "could not build tests/dio_fuzz.c"
"${cc[@]}" -O2 -Wall -static -o "$root/bin/dio_soak" "$TOP/tests/dio_soak.c" -lpthread ||
	die "could not build tests/dio_soak.c"
# Programs from the distribution with the shared libraries they need: fio,
# dmsetup, mkfs/fsck, and (x86_64) trace-cmd.
if [ "$RUSTDIO_ARCH" = arm64 ]; then
	for prog in usr/bin/fio sbin/dmsetup sbin/mkfs.fat sbin/fsck.vfat sbin/fsck.jfs; do
		cp "$a64/$prog" "$root/bin/${prog##*/}"
	done
	while read -r lib; do
		mkdir -p "$root/$(dirname "$lib")"
		cp -L "$a64/$lib" "$root/$lib"
	done <"$a64/.libs"
	ln -sf aarch64-linux-gnu/ld-linux-aarch64.so.1 "$root/lib/ld-linux-aarch64.so.1"
	gconv=/usr/lib/aarch64-linux-gnu/gconv
	gconv_src=$a64$gconv
else
	for prog in /usr/bin/fio /usr/sbin/dmsetup /usr/sbin/mkfs.fat /usr/sbin/fsck.vfat /usr/sbin/fsck.jfs \
		/usr/bin/trace-cmd; do
		[ -x "$prog" ] || die "$prog is missing: run scripts/setup.sh"
		cp "$prog" "$root/bin/${prog##*/}"
		for lib in $(ldd "$prog" | grep -o '/[^ ]*'); do
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
	done
	# glibc looks for gconv under the canonical (/usr) path of its library directory.
	gconv=$(realpath "$(dirname "$(ldd /usr/bin/fio | grep -o '/[^ ]*/libc.so.6')")")/gconv
	gconv_src=$gconv
fi
# perf only for profile runs: it and its libraries add ~30 MiB.
if [ "${RUSTDIO_SUITE:-}" = profile ]; then
	cp /usr/bin/perf "$root/bin/perf"
	for lib in $(ldd /usr/bin/perf | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
fi
# fsck.fat converts file names from codepage 850 through glibc's gconv.
mkdir -p "$root$gconv"
cp -r "$gconv_src"/gconv-modules* "$gconv_src"/IBM850.so "$gconv_src"/IBM437.so "$root$gconv/"
cp "$TOP/tests/guest-init.sh" "$root/init"
cp -r "$TOP/tests/fio" "$root/fio" 2>/dev/null || true
# RUSTDIO_FUZZ_LIST: the programs of a differential run (scripts/fuzz.py).
if [ -n "${RUSTDIO_FUZZ_LIST:-}" ]; then
	mkdir -p "$root/fuzz"
	cp "$RUSTDIO_FUZZ_LIST" "$root/fuzz/programs.txt"
fi
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"

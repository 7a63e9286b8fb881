#!/usr/bin/env bash
# insn-count.sh: kernel instructions per direct-I/O request, by function, for
# the C and the Rust engine's bench kernels (scripts/insn_count.py), written
# to bench/results/insn-count.md.  x86_64 only (QEMU's execution log).
source "$(dirname "$0")/lib.sh"
[ "$RUSTDIO_ARCH" = x86_64 ] || die "insn-count runs x86_64 kernels only"
for e in c rust; do "$TOP/scripts/build-kernel.sh" "$e" bench; done
work=$BUILD/insn
rm -rf "$work"; mkdir -p "$work"
# The suite's initramfs with its own init and the request loop.
"$TOP/scripts/mkinitramfs.sh" "$work/base.cpio.gz" >"$work/initramfs.log" 2>&1 ||
	die "could not build the initramfs: $work/initramfs.log"
root=$work/base.root
cp "$TOP/tests/insn-init.sh" "$root/init"
gcc -O2 -Wall -static -o "$root/bin/dio_loop" "$TOP/tests/dio_loop.c" || die "could not build tests/dio_loop.c"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$work/initramfs.cpio.gz"
image=$(RUSTDIO_FS=vfat RUSTDIO_LBS=512 "$TOP/scripts/mkdisks.sh" "$BUILD/disks" | awk '$2 == "vfat-512" {print $1}')
[ -n "$image" ] || die "no vfat-512 image"
python3 "$TOP/scripts/insn_count.py" --kernel "c=$(kobj c bench)" --kernel "rust=$(kobj rust bench)" \
	--initrd "$work/initramfs.cpio.gz" --image "$image" --work "$work" \
	--out "$TOP/bench/results/insn-count.md"
rm -rf "$work"

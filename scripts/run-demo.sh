#!/usr/bin/env bash
# run-demo.sh: build the Rust-engine kernel, boot it with vfat and exfat demo
# disks, write and read them with O_DIRECT fio jobs (crc32c verified), report.
source "$(dirname "$0")/lib.sh"
"$TOP/scripts/build-kernel.sh" rust guest
export RUSTDIO_FS="vfat exfat" RUSTDIO_LBS=512 RUSTDIO_SUITE=demo RUSTDIO_TIMEOUT=600
"$TOP/scripts/vm-test.sh" rust guest >/dev/null 2>&1 || true
log=$BUILD/logs/rust-guest.log
sed -n '/== rustdio demo ==/,/RUSTDIO-GUEST-DONE/p' "$log" | grep -v RUSTDIO-GUEST-DONE
grep -q 'crc32c verified' "$log" && ! grep -q 'FAILED' "$log" || die "demo failed; console log: $log"

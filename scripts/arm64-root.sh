#!/usr/bin/env bash
# arm64-root.sh: unpack the arm64 userspace of the guest suite from Debian's
# arm64 packages into $BUILD/arm64-root (busybox, fio, dmsetup, the fat and
# jfs tools, liburing for the test programs, and every shared library they
# need).  Packages are downloaded with apt-get download and unpacked with
# dpkg-deb, so nothing is installed on the host.  Prints the root's path.
source "$(dirname "$0")/lib.sh"

root=$BUILD/arm64-root
debs=$BUILD/arm64-debs
# The programs the guest runs, with the packages that hold them.
PROGS=(usr/bin/fio sbin/dmsetup sbin/mkfs.fat sbin/fsck.vfat sbin/fsck.jfs)
PKGS=(busybox-static fio dmsetup dosfstools jfsutils liburing-dev libc6)

stamp="$(printf '%s\n' "${PKGS[@]}" "${PROGS[@]}" | sha1sum | cut -c1-16)"
if [ "$(cat "$root/.stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$root"
	exit 0
fi

dpkg --print-foreign-architectures | grep -qx arm64 ||
	die "dpkg has no arm64 architecture: run scripts/setup.sh (dpkg --add-architecture arm64)"
rm -rf "$root"
mkdir -p "$root" "$debs"
rm -f "$debs"/*.unpacked

# fetch <pkg...>: download the arm64 build of each package and unpack it.
fetch() {
	local p
	for p in "$@"; do
		[ -e "$debs/$p.done" ] && continue
		(cd "$debs" && apt-get download -q "$p:arm64" >>"$debs/download.log" 2>&1) ||
			die "apt-get download $p:arm64 failed (log: $debs/download.log)"
		touch "$debs/$p.done"
	done
	for d in "$debs"/*.deb; do
		[ -e "$d.unpacked" ] && continue
		dpkg-deb -x "$d" "$root"
		touch "$d.unpacked"
	done
}

# needed <file>: the shared libraries an ELF file asks for.
needed() {
	readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
}

# libfile <soname>: the library in the root, if unpacked already.
libfile() {
	local d f
	for d in lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu; do
		[ -e "$root/$d/$1" ] && { echo "$root/$d/$1"; return 0; }
	done
	# Private library directories (RUNPATH), such as ceph's.
	f=$(find "$root/usr/lib/aarch64-linux-gnu" -mindepth 2 -name "$1" -not -path '*/gconv/*' 2>/dev/null | head -n1)
	[ -n "$f" ] && { echo "$f"; return 0; }
	return 1
}

fetch "${PKGS[@]}"
# The library closure of the programs: a soname not in the root yet comes
# from the arm64 build of the package that holds it on this (amd64) host.
for _ in $(seq 1 12); do
	missing=()
	queue=("${PROGS[@]/#/$root/}")
	seen=" "
	while [ ${#queue[@]} -gt 0 ]; do
		f=${queue[0]}; queue=("${queue[@]:1}")
		for so in $(needed "$f"); do
			[[ $seen = *" $so "* ]] && continue
			seen+="$so "
			if lib=$(libfile "$so"); then queue+=("$lib"); else missing+=("$so"); fi
		done
	done
	[ ${#missing[@]} = 0 ] && break
	pkgs=()
	for so in $(printf '%s\n' "${missing[@]}" | sort -u); do
		owner=$(dpkg -S "*/x86_64-linux-gnu/*$so" 2>/dev/null | head -n1 | cut -d: -f1 || true)
		[ -n "$owner" ] || die "no package on this host holds $so (needed by the arm64 guest programs)"
		pkgs+=("$owner")
	done
	fetch $(printf '%s\n' "${pkgs[@]}" | sort -u)
done
[ ${#missing[@]} = 0 ] || die "arm64 library closure incomplete: ${missing[*]}"
# The libraries the guest needs, for mkinitramfs.sh.
printf '%s\n' $seen | while read -r so; do libfile "$so"; done | sed "s|^$root/||" >"$root/.libs"
for f in "${PROGS[@]}" bin/busybox; do
	[ -x "$root/$f" ] || die "$f missing from the arm64 packages"
done
echo "$stamp" >"$root/.stamp"
echo "$root"

#!/usr/bin/env bash
# xfstests-setup.sh: what make xfstests needs on the host, installed once:
# fstests' Debian build and run dependencies, virtme-ng (from PyPI) to boot
# the kernel with the host's root, and fstests itself at a pinned commit,
# built in $BUILD/xfstests/src.
#
# fstests comes from FSTESTS_SRC (a checkout or a git directory, for machines
# without network) or is cloned from its public repository.
source "$(dirname "$0")/lib.sh"

FSTESTS_COMMIT=63a29724a85f1999e49bf0a9bf0d22643b6116e5
FSTESTS_URLS=(https://git.kernel.org/pub/scm/fs/xfs/xfstests-dev.git https://github.com/kdave/xfstests.git)
VNG_VERSION=1.42
XT=$BUILD/xfstests
mkdir -p "$XT"

# The list from fstests' README (Debian), without kernel headers, plus
# the filesystems' tools and thin_check (the dm-thin tests need it).
pkgs=(acl attr automake bc dbench dump e2fsprogs fio gawk gcc indent libacl1-dev libaio-dev
	libcap-dev libgdbm-dev libtool libtool-bin liburing-dev libuuid1 lvm2 make psmisc python3
	quota sed uuid-dev uuid-runtime xfsprogs xfslibs-dev sqlite3 libgdbm-compat-dev
	dosfstools exfatprogs udftools jfsutils nilfs-tools ntfs-3g hfsutils qemu-system-x86
	thin-provisioning-tools)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	say "installing Debian packages for fstests: ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
		>"$XT/apt.log" 2>&1 || die "apt-get install failed: $XT/apt.log"
fi

# vng starts virtme-run, pip's script next to the package.
if [ "$("$XT/vng/bin/vng" --version 2>/dev/null)" != "virtme-ng $VNG_VERSION" ] ||
	! grep -q 'vng/lib/bin' "$XT/vng/bin/vng"; then
	say "installing virtme-ng $VNG_VERSION from PyPI into $XT/vng"
	rm -rf "$XT/vng"
	python3 -m pip install -q --disable-pip-version-check --target "$XT/vng/lib" "virtme-ng==$VNG_VERSION" \
		>"$XT/pip.log" 2>&1 || die "pip install virtme-ng failed: $XT/pip.log"
	mkdir -p "$XT/vng/bin"
	cat >"$XT/vng/bin/vng" <<EOF
#!/bin/sh
PATH="$XT/vng/lib/bin:\$PATH" PYTHONPATH="$XT/vng/lib" exec python3 -c 'import sys; from virtme_ng.run import main; sys.argv[0] = "vng"; sys.exit(main())' "\$@"
EOF
	chmod +x "$XT/vng/bin/vng"
	"$XT/vng/bin/vng" --version >/dev/null || die "virtme-ng does not start; see $XT/pip.log"
fi

src=$XT/src
if [ "$(git -C "$src" rev-parse HEAD 2>/dev/null)" != "$FSTESTS_COMMIT" ]; then
	rm -rf "$src"
	if [ -n "${FSTESTS_SRC:-}" ]; then
		[ -d "$FSTESTS_SRC" ] || die "FSTESTS_SRC: no such directory '$FSTESTS_SRC'"
		say "fstests from $FSTESTS_SRC at $FSTESTS_COMMIT"
		git clone -q --no-checkout "$FSTESTS_SRC" "$src" || die "cannot clone FSTESTS_SRC '$FSTESTS_SRC'"
	else
		for url in "${FSTESTS_URLS[@]}"; do
			say "cloning fstests from $url"
			git clone -q --no-checkout "$url" "$src" 2>"$XT/clone.log" && break
			rm -rf "$src"
		done
		[ -d "$src" ] || die "cannot clone fstests (no network?); give a checkout or git directory as FSTESTS_SRC=<dir>"
	fi
	git -C "$src" checkout -q "$FSTESTS_COMMIT" 2>/dev/null ||
		die "fstests commit $FSTESTS_COMMIT is not in the source; FSTESTS_SRC must hold it"
fi
if [ ! -x "$src/ltp/fsx" ] || [ ! -f "$src/.rustdio-built" ]; then
	say "building fstests in $src (a few minutes)"
	make -C "$src" -j"$JOBS" >"$XT/build.log" 2>&1 || die "fstests build failed: $XT/build.log"
	touch "$src/.rustdio-built"
fi

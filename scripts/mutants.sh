#!/usr/bin/env bash
# mutants.sh [NN ...]: prove that the suite can fail.  Each patch in
# tests/mutants/ plants one bug in the Rust engine; the engine is built with
# it, and KUnit (kunit.sh) and the guest suite (vm-test.sh) run against that
# kernel.  A mutant whose run fails is killed, one whose run passes survived;
# a patch that does not apply or build is broken.  Prints a markdown table (also
# build/logs/mutants.md); exit status 0 only if every mutant was killed.
#   mutants.sh --check   only check that every patch applies to the engine
# NN picks mutants by number (default all); RUSTDIO_FS, RUSTDIO_LBS and the
# other vm-test.sh settings pass through.  RUSTDIO_CORPUS=fuzz also runs the
# fixed corpus of scripts/fuzz.py (RUSTDIO_FUZZ_SEEDS programs of
# RUSTDIO_FUZZ_OPS operations per disk) with the C kernel as the reference,
# and the table gets a column for what the corpus found.
source "$(dirname "$0")/lib.sh"

mutdir=$TOP/tests/mutants
shopt -s nullglob
all=("$mutdir"/[0-9][0-9]-*.patch)
shopt -u nullglob
[ ${#all[@]} -gt 0 ] || die "no mutants in $mutdir"

if [ "${1:-}" = --check ]; then
	# git apply --check reads the engine files but never writes them.
	for p in "${all[@]}"; do
		git -C "$TOP" apply --check "$p" || die "mutant ${p##*/} no longer applies to the engine: remake it"
	done
	say "all ${#all[@]} mutants apply to the engine"
	exit 0
fi

patches=()
if [ $# = 0 ]; then
	patches=("${all[@]}")
else
	for id in "$@"; do
		shopt -s nullglob
		m=("$mutdir/$id"-*.patch)
		shopt -u nullglob
		[ ${#m[@]} = 1 ] || die "no single mutant $id in $mutdir"
		patches+=("${m[0]}")
	done
fi

# Own source tree, scratch engine copy and object directory: the main
# $KSRC and build/kernel-rust-guest are only ever read.
mdir=$BUILD/mutants
mksrc=$mdir/linux
src=$mdir/src
mobj=$BUILD/kernel-rust-mutant
main_obj=$BUILD/kernel-rust-guest
logs=$BUILD/logs
table=$logs/mutants.md
mkdir -p "$mdir" "$logs"

# The engine files, as integrate.sh copies them.
engine_filter=(--include=/Kbuild --include=/Kconfig --include='/*.rs' --include='/*.c'
	--include='/*.h' --exclude='*')

[ -f "$main_obj/arch/x86/boot/bzImage" ] || "$TOP/scripts/build-kernel.sh" rust guest
grep -q 'fs/rustdio/Kconfig' "$KSRC/fs/Kconfig" ||
	die "$KSRC is not integrated: run scripts/build-kernel.sh rust guest"
if [ ! -d "$mksrc" ]; then
	say "hard-link copy of $KSRC in $mksrc"
	rm -rf "$mksrc.tmp"
	cp -al "$KSRC" "$mksrc.tmp"
	# fs/rustdio gets files of its own, so nothing written there (contents or
	# mtimes) can reach the main tree through a shared inode.
	rm -rf "$mksrc.tmp/fs/rustdio"
	cp -a "$KSRC/fs/rustdio" "$mksrc.tmp/fs/rustdio"
	mv "$mksrc.tmp" "$mksrc"
fi
# Kbuild records the source tree's absolute path in every object's command,
# so the first build in the copy still recompiles everything; later mutants
# rebuild only the engine and the link.
if [ ! -d "$mobj" ]; then
	say "copying $main_obj to $mobj"
	rm -rf "$mobj.tmp"
	cp -a "$main_obj" "$mobj.tmp"
	mv "$mobj.tmp" "$mobj"
fi
# Follow the main kernel's configuration if it changed since the copy.
cmp -s "$main_obj/.config" "$mobj/.config" || cp "$main_obj/.config" "$mobj/.config"

# The objects copied from the main build name $KSRC in their command lines,
# so a build in $mksrc would redo them all.  Where a private mount namespace
# is allowed, mount the mutant tree over $KSRC for the build: Kbuild then
# sees the paths it recorded and rebuilds fs/rustdio and the link only.
mutant_make() {
	if unshare --mount --propagation private true 2>/dev/null; then
		unshare --mount --propagation private sh -c \
			'mount --bind "$1" "$2" && exec make -C "$2" O="$3" LLVM=1 -j"$4" bzImage' \
			sh "$mksrc" "$KSRC" "$mobj" "$JOBS"
	else
		KSRC=$mksrc kmake "$mobj" bzImage
	fi
}

# fingerprint <dir>: names and contents of the files in dir.  (Not mtimes:
# integrate.sh may refresh them with identical contents meanwhile.)
fingerprint() {
	(cd "$1" && find . -type f -exec sha1sum {} + | sort)
}

# install_engine <dir>: put the engine files of dir into the mutant tree and
# check that the main tree's copy was left alone.
install_engine() {
	local before
	before=$(fingerprint "$KSRC/fs/rustdio")
	# No --inplace: rsync writes a new file and renames it over the old one.
	# No -t: a file that changes gets the current time, so make rebuilds it
	# even when its content goes back to an older version.
	rsync -r --checksum --delete "${engine_filter[@]}" "$1/" "$mksrc/fs/rustdio/"
	[ "$(fingerprint "$KSRC/fs/rustdio")" = "$before" ] ||
		die "$KSRC/fs/rustdio changed while the mutant tree was updated"
}

# patched <dir>: true if some engine file in dir differs from the project's.
patched() {
	local f
	for f in "$1"/*; do
		cmp -s "$f" "$TOP/${f##*/}" || return 0
	done
	return 1
}

# The mutant tree goes back to the unmutated engine however the run ends.
restore() {
	install_engine "$TOP" || true
}
trap restore EXIT

# cell <text>: one table cell (no pipes or newlines).
cell() {
	printf '%s' "$*" | tr '\n' ' ' | sed 's/|/\\|/g; s/ *$//'
}

rows=()
corpus=${RUSTDIO_CORPUS:-suite}
case $corpus in suite|fuzz) ;; *) die "CORPUS must be suite or fuzz (got '$corpus')" ;; esac
[ "$corpus" = suite ] || [ -f "$BUILD/kernel-c-guest/arch/x86/boot/bzImage" ] || "$TOP/scripts/build-kernel.sh" c guest
write_table() {
	{
		if [ "$corpus" = fuzz ]; then
			echo "| Mutant | What it breaks | Result | Caught by | Corpus | Minutes |"
			echo "|---|---|---|---|---|---|"
		else
			echo "| Mutant | What it breaks | Result | Caught by | Minutes |"
			echo "|---|---|---|---|---|"
		fi
		printf '%s\n' "${rows[@]}"
	} >"$table"
}

status=0
for p in "${patches[@]}"; do
	name=$(basename "$p" .patch)
	id=${name%%-*}
	tag=mutant-$id
	what=$(sed -n '1s/^# *//p' "$p")
	out=$logs/$tag.out
	blog=$logs/$tag-build.log
	start=$(date +%s)
	by=
	say "mutant $name: $what"
	# A pristine copy of the engine with this one patch applied.  The ceiling
	# keeps git from finding the project repository around build/, inside
	# which git apply would take the patch's paths relative to the top.
	rm -rf "$src"
	mkdir -p "$src"
	rsync -a "${engine_filter[@]}" "$TOP/" "$src/"
	if ! GIT_CEILING_DIRECTORIES=$mdir git -C "$src" apply "$p" 2>"$blog"; then
		result="BROKEN (does not apply)"; by=$(head -n 3 "$blog")
	elif ! patched "$src"; then
		result="BROKEN (changes nothing)"
	else
		install_engine "$src"
		say "building $tag (log $blog)"
		if ! mutant_make >"$blog" 2>&1 ||
			[ ! -e "$mobj/fs/rustdio/direct_io.o" ]; then
			result="BROKEN (does not build)"
			by=$(grep -E -m3 'error' "$blog" || tail -n 3 "$blog")
		else
			say "running KUnit and the suite on $tag (logs $logs/kunit-console-$tag.log, $logs/$tag.log)"
			krc=0
			RUSTDIO_KERNEL=$mobj RUSTDIO_TAG=$tag "$TOP/scripts/kunit.sh" guest >"$logs/$tag-kunit.out" 2>&1 || krc=$?
			rc=0
			RUSTDIO_TIMEOUT=${RUSTDIO_TIMEOUT:-600} RUSTDIO_KERNEL=$mobj RUSTDIO_TAG=$tag "$TOP/scripts/vm-test.sh" rust guest >"$out" 2>&1 || rc=$?
			# The disk copies are large; the console log keeps what the verdict read.
			rm -rf "$BUILD/run-$tag" "$BUILD/run-kunit-$tag"
			kunit_by=
			if [ "$krc" != 0 ]; then
				kunit_by="KUnit: $(grep -E '\[(FAILED|CRASHED)\]|PROBLEM|no KTAP' "$logs/$tag-kunit.out" |
					head -n 2 | sed 's/\x1b\[[0-9;]*m//g; s/^[[:space:]]*//' | paste -sd ';' | sed 's/;/; /g')"
			fi
			if ! grep -qE "^$tag: [0-9]+ passed, [0-9]+ failed" "$out"; then
				result="BROKEN (no verdict)"; by=$(tail -n 3 "$out")
			elif [ "$rc" != 0 ] || [ "$krc" != 0 ]; then
				result=KILLED
				by=$(grep -E -m3 "^$tag: (FAIL|PROBLEM) " "$out" | sed "s/^$tag: //" | cut -c1-160 |
					paste -sd ';' | sed 's/;/; /g' || true)
				by="$kunit_by${kunit_by:+${by:+; }}$by"
				[ -n "$by" ] || by="(see $out)"
			else
				result=SURVIVED
			fi
		fi
	fi
	fz=
	if [ "$corpus" = fuzz ] && [ "${result#BROKEN}" = "$result" ]; then
		say "running the fixed corpus on $tag (log $logs/fuzz-$tag.out)"
		# Without faults, then (if it survived) with pinned faults, there
		# without jfs (see make fuzz in the Makefile).
		mfs=${RUSTDIO_FS:-vfat jfs ocfs2}
		ffs=$(echo " $mfs " | sed 's/ jfs / /g')
		fargs=(--kernel "rust=$mobj" --lbs "${RUSTDIO_LBS:-512}"
			--seeds "${RUSTDIO_FUZZ_SEEDS:-20}" --ops "${RUSTDIO_FUZZ_OPS:-200}"
			--max-minimize 1 --minimize-budget 1500)
		if python3 "$TOP/scripts/fuzz.py" --name "fuzz-$tag" --fs "$mfs" "${fargs[@]}" \
			>"$logs/fuzz-$tag.out" 2>&1 &&
			python3 "$TOP/scripts/fuzz.py" --name "fuzz-faults-$tag" --faults --fs "$ffs" "${fargs[@]}" \
				>>"$logs/fuzz-$tag.out" 2>&1; then
			fz=SURVIVED
		else
			min=$(grep -m1 -o 'minimized to [0-9]* operations' "$logs/fuzz-$tag.out" || true)
			# The verdict that failed: "faults: " when only pinned faults caught it.
			fz="KILLED ($(grep -m1 -oE '^fuzz-[^:]*: [0-9]+ passed, [1-9][0-9]* failed' "$logs/fuzz-$tag.out" |
				sed -e 's/^fuzz-faults-[^:]*: /faults: /' -e 's/^fuzz-[^:]*: //')${min:+; $min})"
		fi
		rm -rf "$BUILD"/run-fuzz-"$tag"-*
		say "$tag corpus: $fz"
		fz=" $(cell "$fz") |"
	fi
	[ "$result" = KILLED ] || status=1
	say "$tag: $result"
	rows+=("| $id | $(cell "$what") | $result | $(cell "$by") |$fz $(( ($(date +%s) - start + 30) / 60 )) |")
	# Written after every mutant, so an interrupted run keeps what it found.
	write_table
done

restore
trap - EXIT
cat "$table"
killed=$(printf '%s\n' "${rows[@]}" | grep -c '| KILLED |' || true)
say "$killed of ${#rows[@]} mutants killed (table: $table)"
exit $status

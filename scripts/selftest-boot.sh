#!/usr/bin/env bash
# selftest-boot.sh <plain-engine> <debug-engine>: the runner's self-test on real
# kernels.  Each boot provokes one problem (LKDTM for the kernel reports, a
# signal and a lost case for the test programs) and the verdict must fail
# that run with a message naming the cause; a clean boot must pass.
# Prints TAP and "runner-boot: N passed, N failed, N skipped".
source "$(dirname "$0")/lib.sh"
# The engine whose plain and debug kernels were built; empty if none was.
plain=$1 debug=${2:-}
n=0 pass=0 fail=0 skip=0

# check <variant> <what> <expected verdict text>
check() {
	local variant=$1 what=$2 want=$3 out rc engine
	n=$((n + 1))
	engine=$plain; [ "$variant" = debug ] && engine=$debug
	if [ -z "$engine" ]; then
		echo "ok $n - runner:boot:$what # SKIP needs the $variant kernel, which this run did not build"
		skip=$((skip + 1)); return
	fi
	rc=0 good=0
	out=$(RUSTDIO_SUITE=selftest-$what RUSTDIO_FS= RUSTDIO_TAG=selftest-$what RUSTDIO_TIMEOUT=300 \
		"$TOP/scripts/vm-test.sh" "$engine" "$variant" 2>&1) || rc=$?
	if [ "$what" = clean ]; then
		[ $rc = 0 ] && grep -q 'selftest-clean: 1 passed, 0 failed' <<<"$out" && good=1
	else
		[ $rc != 0 ] && grep -qF "PROBLEM $want" <<<"$out" && good=1
	fi
	if [ $good = 1 ]; then
		echo "ok $n - runner:boot:$what"
		grep -F "PROBLEM $want" <<<"$out" | head -n 1 | sed 's/^/# /' || true
		pass=$((pass + 1))
	else
		echo "not ok $n - runner:boot:$what (exit $rc, wanted \"$want\"; log $BUILD/logs/selftest-$what.log)"
		grep -E 'PROBLEM|FAIL|passed' <<<"$out" | sed 's/^/# /' || true
		fail=$((fail + 1))
	fi
}

check guest clean ''
check guest warning 'kernel WARNING'
check guest hung 'hung task'
check guest signal 'program dio_test:selftest killed by signal 11'
check guest lost 'program selftest:lost reported 2 of 3 planned cases'
check debug lockdep 'lockdep report'
check debug kasan 'KASAN report'
echo "runner-boot: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]

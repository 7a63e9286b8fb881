// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the Rust direct-I/O engine's planning and result rules
 * and its request reference count.  Each case runs Rust assertions
 * (kunit_assert!) in dio_plan.rs or direct_io.rs.
 */
#include <kunit/test.h>
#include "rustdio.h"

#define RUSTDIO_CASE(name)					\
	static void name##_test(struct kunit *test)		\
	{							\
		rustdio_kunit_##name();				\
	}

RUSTDIO_CASE(alignment)
RUSTDIO_CASE(get_block_span)
RUSTDIO_CASE(chunking)
RUSTDIO_CASE(coalescing)
RUSTDIO_CASE(completion_choice)
RUSTDIO_CASE(result_rules)
RUSTDIO_CASE(refcount)

static struct kunit_case rustdio_plan_cases[] = {
	KUNIT_CASE(alignment_test),
	KUNIT_CASE(get_block_span_test),
	KUNIT_CASE(chunking_test),
	KUNIT_CASE(coalescing_test),
	KUNIT_CASE(completion_choice_test),
	KUNIT_CASE(result_rules_test),
	KUNIT_CASE(refcount_test),
	{}
};

static struct kunit_suite rustdio_plan_suite = {
	.name = "rustdio_plan",
	.test_cases = rustdio_plan_cases,
};
kunit_test_suite(rustdio_plan_suite);

MODULE_DESCRIPTION("KUnit tests for the Rust direct I/O engine");
MODULE_LICENSE("GPL");

// SPDX-License-Identifier: GPL-2.0
/*
 * A KUnit suite, "kdk-fixture", that fails, crashes or hangs: the fixture of the
 * kunit.<arch>.crash test (tests/boot/kunit_crash.sh), built only with KDK_TEST_FIXTURES and
 * KDK_KUNIT. This file is built into three modules, kdk_kunit_fail, kdk_kunit_oops and
 * kdk_kunit_hang, and the module's name is its mode; loaded, KUnit runs the suite at once:
 *   fail   kdk_fixture_expect fails an expectation
 *   oops   kdk_fixture_crash writes through a NULL pointer (with oops=panic on the command
 *          line, the kernel panics in the middle of the suite)
 *   hang   kdk_fixture_crash never returns
 * The mode is built in, not a module parameter: KUnit runs a module's suites as the module
 * comes up, before the kernel has parsed its parameters.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/string.h>

static const char *mode = KBUILD_MODNAME + sizeof("kdk_kunit_") - 1;

static int *kdk_kunit_fixture_target;

static void kdk_fixture_pass(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1 + 1, 2);
}

static void kdk_fixture_expect(struct kunit *test)
{
	int sum = strcmp(mode, "fail") ? 2 : 3;

	KUNIT_EXPECT_EQ_MSG(test, 1 + 1, sum, "kdk fixture: the expectation mode=fail breaks");
}

static void kdk_fixture_crash(struct kunit *test)
{
	if (!strcmp(mode, "oops"))
		WRITE_ONCE(*kdk_kunit_fixture_target, 1);
	if (!strcmp(mode, "hang")) {
		kunit_info(test, "hanging now\n");
		for (;;)
			msleep(1000);
	}
	KUNIT_EXPECT_TRUE(test, true);
}

static void kdk_fixture_after(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, "after", "after");
}

static struct kunit_case kdk_fixture_cases[] = {
	KUNIT_CASE(kdk_fixture_pass),
	KUNIT_CASE(kdk_fixture_expect),
	KUNIT_CASE(kdk_fixture_crash),
	KUNIT_CASE(kdk_fixture_after),
	{}
};

static struct kunit_suite kdk_fixture_suite = {
	.name = "kdk-fixture",
	.test_cases = kdk_fixture_cases,
};
kunit_test_suite(kdk_fixture_suite);

MODULE_DESCRIPTION("kdk's KUnit test fixture: a suite that fails, crashes or hangs (" KBUILD_MODNAME ")");
MODULE_LICENSE("GPL");

// SPDX-License-Identifier: GPL-2.0
/*
 * A KUnit suite, "kdk-fixture", that fails, crashes or hangs on demand: the fixture of the
 * kunit.<arch>.crash test (tests/boot/kunit_crash.sh), built only with KDK_TEST_FIXTURES and
 * KDK_KUNIT. Loaded as a module, KUnit runs it at once; mode= picks what happens:
 *   pass   every case passes (the default)
 *   fail   kdk_fixture_expect fails an expectation
 *   oops   kdk_fixture_crash writes through a NULL pointer (with oops=panic on the command
 *          line, the kernel panics in the middle of the suite)
 *   hang   kdk_fixture_crash never returns
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/string.h>

static char *mode = "pass";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "pass, fail, oops or hang");

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
	if (!strcmp(mode, "hang"))
		for (;;)
			msleep(1000);
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

MODULE_DESCRIPTION("kdk's KUnit test fixture: a suite that fails, crashes or hangs on demand");
MODULE_LICENSE("GPL");

# The KUnit fixture module (kdk_kunit_fixture.c), for every architecture being built: included by
# the top-level CMakeLists.txt only with KDK_TEST_FIXTURES and KDK_KUNIT, so a user's kernel never
# gets it. kunit.<arch>.crash loads it with mode=fail, oops and hang.
kdk_add_kernel_module(kdk_kunit_fixture
  SOURCES kdk_kunit_fixture.c
  KCONFIG kernel.config)

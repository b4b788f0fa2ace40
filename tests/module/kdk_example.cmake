# The example out-of-tree module, for every architecture being built: a test fixture, included by
# the top-level CMakeLists.txt only with KDK_BUILD_TESTS and KDK_TEST_FIXTURES ON (the all-tests
# preset), so a user's kernel never gets it. boot.<arch>.module, gdb.<arch>.module and
# oops.<arch>.decoded use it.
kdk_add_kernel_module(kdk_example
  SOURCES kdk_example.c
  KCONFIG kernel.config)

# The KUnit fixture modules, one per mode (kdk_kunit_fail, kdk_kunit_oops, kdk_kunit_hang, each
# built from kdk_kunit_fixture.c, whose mode is the module's name), for every architecture: included
# by the top-level CMakeLists.txt only with KDK_TEST_FIXTURES and KDK_KUNIT, so a user's kernel
# never gets them. kunit.<arch>.crash loads each in a boot of its own.
foreach(_mode IN ITEMS fail oops hang)
  kdk_add_kernel_module(kdk_kunit_${_mode}
    SOURCES kdk_kunit_fixture.c
    KCONFIG kernel.config)
endforeach()

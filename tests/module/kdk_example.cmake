# The example out-of-tree module, for every architecture being built; included by the top-level
# CMakeLists.txt when KDK_BUILD_TESTS is ON. boot.<arch>.module and gdb.<arch>.module use it.
kdk_add_kernel_module(kdk_example
  SOURCES kdk_example.c
  KCONFIG kernel.config)

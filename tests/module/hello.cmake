# examples/hello-module's module, declared the way a user's KDK_EXTRA_CMAKE file declares one, for
# the version matrix's trees (tests/boot/matrix.sh): there it gets module.<arch>.hello.load and
# .gdb like any user module, so kdk-gdb.py's placing of a module whose .text is empty (every
# function __init or __exit) is tested on every kernel version, toolchain and architecture. A
# test fixture: only the matrix's trees include it.
kdk_add_kernel_module(hello SOURCES ../../examples/hello-module/hello.c)

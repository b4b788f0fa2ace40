# libFuzzer targets for every parser that reads user or foreign input. Needs clang: use the
# `fuzz` preset. tests/fuzz/run.sh runs them for a given time. The seed corpora, plus every input
# that once crashed (tests/fuzz/regressions/), also run as ordinary tests in any build through
# kdk_fuzz_regressions, so a fixed crash stays fixed without clang.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  kdk_fatal("KDK_BUILD_FUZZERS needs clang (libFuzzer); configure with --preset fuzz")
endif()
foreach(target IN ITEMS initlist inittab fstab archive extract boot_monitor ktap kunit_suites)
  add_executable(${target}_fuzz tests/fuzz/${target}_fuzz.cpp)
  target_link_libraries(${target}_fuzz PRIVATE kdk_core kdk_cxx_settings)
  target_compile_options(${target}_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(${target}_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
  set_target_properties(${target}_fuzz PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests/fuzz")
endforeach()
# The library the fuzzers link is instrumented too, or coverage would stop at its boundary.
target_compile_options(kdk_core PRIVATE -fsanitize=fuzzer-no-link,address,undefined)

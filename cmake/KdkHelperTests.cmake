# Unit tests (GoogleTest, in memory), command-line tests (the built binary, black box) and
# interoperability tests against GNU cpio, bsdcpio and the kernel's gen_init_cpio.
find_package(GTest REQUIRED)
include(GoogleTest)

add_executable(kdk_unit_tests
  tests/unit/boot_monitor_test.cpp
  tests/unit/fstab_test.cpp
  tests/unit/initlist_test.cpp
  tests/unit/kbuild_inputs_test.cpp
  tests/unit/inittab_test.cpp
  tests/unit/kconfig_test.cpp
  tests/unit/ktap_test.cpp
  tests/unit/kunit_suites_test.cpp
  tests/unit/listing_test.cpp
  tests/unit/pack_plan_test.cpp
  tests/unit/archive_io_test.cpp
  tests/unit/extract_tree_test.cpp
  tests/unit/ext4_image_test.cpp)
target_link_libraries(kdk_unit_tests PRIVATE kdk_core kdk_cxx_settings GTest::gtest_main)
# The real KTAP logs, also the ktap fuzzer's seeds.
target_compile_definitions(kdk_unit_tests PRIVATE KDK_KTAP_CORPUS="${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/corpus/ktap")
gtest_discover_tests(kdk_unit_tests TEST_PREFIX "unit." PROPERTIES LABELS "unit" DISCOVERY_TIMEOUT 30)

add_executable(kdk_cli_tests tests/cli/cli_test.cpp tests/cli/image_test.cpp tests/cli/console_test.cpp)
target_link_libraries(kdk_cli_tests PRIVATE kdk_cxx_settings GTest::gtest_main)
target_compile_definitions(kdk_cli_tests PRIVATE KDK_BINARY="$<TARGET_FILE:kdk>")
add_dependencies(kdk_cli_tests kdk)
gtest_discover_tests(kdk_cli_tests TEST_PREFIX "cli." PROPERTIES LABELS "cli" DISCOVERY_TIMEOUT 30)

# Real tools as second opinions. A host without one skips (exit 77), never passes silently.
set(KDK_GEN_INIT_CPIO_SOURCE "" CACHE FILEPATH
  "Kernel tree, or kernel tarball, whose usr/gen_init_cpio.c the interop test builds (default: KDK_LINUX_SOURCE)")
set(_kdk_interop_env "KDK_GEN_INIT_CPIO_SOURCE=${KDK_GEN_INIT_CPIO_SOURCE}")
foreach(test IN ITEMS list_matches_cpio gen_init_cpio extract_repack concatenated)
  add_test(NAME interop.${test}
    COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/tests/interop/${test}.sh" "$<TARGET_FILE:kdk>")
endforeach()
foreach(tool IN ITEMS cpio bsdcpio)
  add_test(NAME interop.extract_with_${tool}
    COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/tests/interop/extract_with.sh" "$<TARGET_FILE:kdk>" ${tool})
endforeach()
get_property(_kdk_interop_tests DIRECTORY PROPERTY TESTS)
list(FILTER _kdk_interop_tests INCLUDE REGEX "^interop\\.")
set_tests_properties(${_kdk_interop_tests} PROPERTIES
  LABELS "interop" SKIP_RETURN_CODE 77 TIMEOUT 300 ENVIRONMENT "${_kdk_interop_env}")

# Every fuzz target's seed corpus and past crashes, replayed without libFuzzer (see KdkFuzzers.cmake).
foreach(target IN ITEMS initlist inittab fstab archive extract boot_monitor ktap kunit_suites)
  add_executable(${target}_replay tests/fuzz/${target}_fuzz.cpp tests/fuzz/replay_main.cpp)
  target_link_libraries(${target}_replay PRIVATE kdk_core kdk_cxx_settings)
  add_test(NAME fuzz.${target}.replay COMMAND ${target}_replay
    "${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/corpus/${target}"
    "${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/regressions/${target}")
  set_tests_properties(fuzz.${target}.replay PROPERTIES LABELS "unit;fuzz" TIMEOUT 120)
endforeach()

# bench/compare-metrics on metrics written by kdk boot itself.
add_test(NAME bench.compare_metrics
  COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/tests/bench/compare_metrics.sh" "$<TARGET_FILE:kdk>")
set_tests_properties(bench.compare_metrics PROPERTIES LABELS "unit" TIMEOUT 60)

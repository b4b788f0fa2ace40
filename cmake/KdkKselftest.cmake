# kselftest: collections of the kernel's tools/testing/selftests, built for each architecture
# with its cross compiler (static), packed into the root filesystem at /kselftest, and run in
# the guest by run_kselftest.sh, one CTest test per collection.

set(KDK_KSELFTEST "" CACHE STRING
  "kselftest collections to build into the root filesystem and test, e.g. size;sigaltstack (empty: none)")
set(KDK_KSELFTEST_TIMEOUT 120 CACHE STRING "kselftest: seconds each test may run in the guest (the collections' settings)")
if(NOT KDK_KSELFTEST_TIMEOUT MATCHES "^[1-9][0-9]*$")
  kdk_fatal("KDK_KSELFTEST_TIMEOUT=${KDK_KSELFTEST_TIMEOUT}: give whole seconds, more than 0.")
endif()
foreach(_c IN LISTS KDK_KSELFTEST)
  if(NOT _c MATCHES "^[a-z0-9_][a-z0-9_./-]*$" OR _c MATCHES "\\.\\.")
    kdk_fatal("KDK_KSELFTEST: '${_c}' is not a collection name (a directory of tools/testing/selftests, "
      "such as size, sigaltstack or net/forwarding).")
  endif()
endforeach()
if(KDK_KSELFTEST AND KDK_DEBIAN)
  kdk_fatal("KDK_KSELFTEST goes into kdk's BusyBox root filesystem; KDK_DEBIAN boots Debian's instead.")
endif()

# kdk_add_kselftest(<arch>): kselftest-<arch>, which builds the collections into
# <arch>/kselftest/root (kselftest/ and the timeout shim) once the kernel is configured, and again
# when its configuration changes (the selftests need its headers and .config, not its objects;
# after editing tools/testing/selftests, remove <arch>/kselftest.stamp); the root filesystem
# packs that tree (KDK_<arch>_ROOTFS_LAYERS).
function(kdk_add_kselftest arch)
  if(NOT KDK_KSELFTEST)
    return()
  endif()
  get_property(build GLOBAL PROPERTY KDK_${arch}_LINUX_BUILD_DIR)
  kdk_env_file(${arch} env)
  set(root "${CMAKE_BINARY_DIR}/${arch}/kselftest/root")
  set(out "${CMAKE_BINARY_DIR}/${arch}/kselftest.stamp")
  add_custom_command(OUTPUT "${out}"
    COMMAND bash "${PROJECT_SOURCE_DIR}/cmake/scripts/kselftest.sh" build "${env}" "${root}" "${out}"
            ${KDK_KSELFTEST_TIMEOUT} ${KDK_KSELFTEST}
    DEPENDS "${build}/.kdk-config.stamp" "${PROJECT_SOURCE_DIR}/cmake/scripts/kselftest.sh"
            "${PROJECT_SOURCE_DIR}/cmake/scripts/kselftest-timeout.sh"
    COMMENT "Building the kselftest collections ${KDK_KSELFTEST} for ${arch}"
    VERBATIM)
  add_custom_target(kselftest-${arch} ALL DEPENDS "${out}")
  set_property(GLOBAL PROPERTY KDK_${arch}_ROOTFS_LAYERS "${root}")
  set_property(GLOBAL PROPERTY KDK_${arch}_ROOTFS_LAYER_INPUTS "${out}" kselftest-${arch})
endfunction()

# kdk_add_kselftest_tests(): kselftest.<arch>.<collection> for each collection and architecture.
function(kdk_add_kselftest_tests)
  foreach(arch IN LISTS KDK_ARCHES)
    get_property(env GLOBAL PROPERTY KDK_${arch}_ENV)
    foreach(c IN LISTS KDK_KSELFTEST)
      string(REPLACE "/" "-" name "${c}")
      set(dir "${CMAKE_BINARY_DIR}/tests/kselftest.${arch}.${name}")
      file(MAKE_DIRECTORY "${dir}")
      # The boot's limit: the runner's per-test limit for a handful of tests, and the boot itself.
      math(EXPR boot_timeout "${KDK_KSELFTEST_TIMEOUT} * 4 + 120")
      math(EXPR timeout "${boot_timeout} + 60")
      add_test(NAME kselftest.${arch}.${name}
        COMMAND bash "${PROJECT_SOURCE_DIR}/cmake/scripts/kselftest.sh" run "${env}" "${dir}" "${c}" ${boot_timeout}
        WORKING_DIRECTORY "${dir}")
      set_tests_properties(kselftest.${arch}.${name} PROPERTIES LABELS "kselftest;boot;arch:${arch}" TIMEOUT ${timeout}
        SKIP_RETURN_CODE 77)
    endforeach()
  endforeach()
  if(KDK_KSELFTEST)
    get_property(env GLOBAL PROPERTY KDK_${KDK_DEFAULT_ARCH}_ENV)
    add_test(NAME bad.kselftest COMMAND bash "${PROJECT_SOURCE_DIR}/tests/bad_input/kselftest_errors.sh" "${env}")
    set_tests_properties(bad.kselftest PROPERTIES LABELS "bad-input;kselftest;arch:${KDK_DEFAULT_ARCH}" TIMEOUT 300)
  endif()
endfunction()

# KUnit: the kernel's own unit tests, built into the kernel of each architecture and run in one
# boot whose KTAP output `kdk ktap check` reads, one CTest test per suite.
#
# KDK_KUNIT lists kunitconfig files (an entry with a '/' or ending in .kunitconfig or .config; a
# directory means its .kunitconfig, as kunit.py's --kunitconfig) and suite globs (any other entry,
# kunit.filter_glob's SUITE[.CASE]). A relative file is looked for in the kdk checkout, then in your
# kernel tree when KDK_LINUX_SOURCE is one (lib/kunit, for example). Without a file, kdk's
# kernels/kunit/default.kunitconfig (kunit.py's default: KUnit's own tests and its example).

set(KDK_KUNIT "" CACHE STRING
  "KUnit: kunitconfig files and suite globs (empty: no KUnit), e.g. lib/kunit;kunit*;list-kunit-test")
option(KDK_KUNIT_ISOLATED "KUnit: one boot per suite, as kunit.py's --run_isolated=suite (default: one boot runs every suite)" OFF)
set(KDK_KUNIT_TIMEOUT 300 CACHE STRING "KUnit: seconds a KUnit boot may take before it counts as hung")
if(NOT KDK_KUNIT_TIMEOUT MATCHES "^[1-9][0-9]*$")
  kdk_fatal("KDK_KUNIT_TIMEOUT=${KDK_KUNIT_TIMEOUT}: give whole seconds, more than 0.")
endif()

set(KDK_KUNIT_CONFIGS "")
set(KDK_KUNIT_GLOBS "")
foreach(_entry IN LISTS KDK_KUNIT)
  if(_entry MATCHES "/" OR _entry MATCHES "\\.(kunitconfig|config)$")
    set(_candidates "${_entry}")
    if(NOT IS_ABSOLUTE "${_entry}")
      set(_candidates "${PROJECT_SOURCE_DIR}/${_entry}")
      if(KDK_LINUX_SOURCE AND IS_DIRECTORY "${KDK_LINUX_SOURCE}")
        get_filename_component(_tree "${KDK_LINUX_SOURCE}" ABSOLUTE)
        list(APPEND _candidates "${_tree}/${_entry}")
      endif()
    endif()
    set(_found "")
    foreach(_c IN LISTS _candidates)
      if(IS_DIRECTORY "${_c}")
        set(_c "${_c}/.kunitconfig")
      endif()
      if(EXISTS "${_c}" AND NOT IS_DIRECTORY "${_c}")
        get_filename_component(_found "${_c}" REALPATH)
        break()
      endif()
    endforeach()
    if(NOT _found)
      string(REPLACE ";" ", " _looked "${_candidates}")
      kdk_fatal("KDK_KUNIT: no kunitconfig '${_entry}' (looked at ${_looked}; a directory means its .kunitconfig). "
        "A relative path is looked for in the kdk checkout, and in your kernel tree when KDK_LINUX_SOURCE is a tree.")
    endif()
    list(APPEND KDK_KUNIT_CONFIGS "${_found}")
  elseif(_entry MATCHES "^[][A-Za-z0-9_*?.,:-]+$")
    list(APPEND KDK_KUNIT_GLOBS "${_entry}")
  else()
    kdk_fatal("KDK_KUNIT: '${_entry}' is neither a kunitconfig file (a path with a '/', or a name ending in "
      ".kunitconfig or .config) nor a suite glob (letters, digits, '_', '-', '.', and the glob characters * ? [ ]).")
  endif()
endforeach()
if(KDK_KUNIT AND NOT KDK_KUNIT_CONFIGS)
  set(KDK_KUNIT_CONFIGS "${PROJECT_SOURCE_DIR}/kernels/kunit/default.kunitconfig")
endif()
list(LENGTH KDK_KUNIT_GLOBS _kdk_kunit_nglobs)

# kdk_kunit_fragments(<out-var>): the fragments KUnit adds to every kernel (none without KDK_KUNIT).
function(kdk_kunit_fragments out)
  set(list "")
  if(KDK_KUNIT)
    set(list "${PROJECT_SOURCE_DIR}/kernels/fragments/kunit.config" ${KDK_KUNIT_CONFIGS})
  endif()
  set(${out} "${list}" PARENT_SCOPE)
endfunction()

# kdk_kunit_cmdline(<out-var>): what a KUnit boot adds to the command line: kunit.enable=1 (every
# other boot has kunit.enable=0, below), kunit_shutdown=reboot
# (the kernel restarts once the built-in suites have run, before init, so QEMU's -no-reboot ends the
# run on any root filesystem), and kunit.filter_glob= when KDK_KUNIT names exactly one suite glob
# (the kernel takes one); with several, every built-in suite runs and the tests check the chosen ones.
function(kdk_kunit_cmdline out)
  set(cmdline "")
  if(KDK_KUNIT)
    set(cmdline "kunit.enable=1 kunit_shutdown=reboot")
  endif()
  if(KDK_KUNIT AND _kdk_kunit_nglobs EQUAL 1)
    string(APPEND cmdline " kunit.filter_glob=${KDK_KUNIT_GLOBS}")
  endif()
  set(${out} "${cmdline}" PARENT_SCOPE)
endfunction()

# kdk_kunit_boot_cmdline(<out-var>): what every other boot of a KUnit kernel gets: kunit.enable=0
# (Linux 6.2 and later; 6.1 ignores it), so that the suites run in KUnit's boots only: some of
# them oops on purpose (kunit_fault, 6.9 and later), which would fail any other boot.
function(kdk_kunit_boot_cmdline out)
  set(cmdline "")
  if(KDK_KUNIT)
    set(cmdline "kunit.enable=0")
  endif()
  set(${out} "${cmdline}" PARENT_SCOPE)
endfunction()

# kdk_add_kunit(<arch>)
# kunit-suites-<arch> (in ALL): <arch>/kunit/suites.txt, the built-in suites KDK_KUNIT's globs
# select, read from vmlinux (`kdk ktap suites`); a glob that matches none fails the build with the
# suites there are. kunit-<arch>: one boot running them, its KTAP checked suite by suite, the JUnit
# file <arch>/kunit/junit.xml.
function(kdk_add_kunit arch)
  if(NOT KDK_KUNIT)
    return()
  endif()
  get_property(build GLOBAL PROPERTY KDK_${arch}_LINUX_BUILD_DIR)
  get_property(stamp GLOBAL PROPERTY KDK_${arch}_LINUX_STAMP)
  set(dir "${CMAKE_BINARY_DIR}/${arch}/kunit")
  set(match "")
  foreach(g IN LISTS KDK_KUNIT_GLOBS)
    list(APPEND match --match "${g}")
  endforeach()
  add_custom_command(OUTPUT "${dir}/suites.txt"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${dir}"
    COMMAND "$<TARGET_FILE:kdk>" ktap suites ${match} -o "${dir}/suites.txt" "${build}/vmlinux"
    DEPENDS "${stamp}" kdk
    COMMENT "Listing the KUnit suites built into the ${arch} kernel"
    VERBATIM)
  add_custom_target(kunit-suites-${arch} ALL DEPENDS "${dir}/suites.txt")
  get_property(rootfs_target GLOBAL PROPERTY KDK_${arch}_ROOTFS_TARGET)
  add_custom_target(kunit-${arch}
    COMMAND bash "${PROJECT_SOURCE_DIR}/cmake/scripts/kunit.sh" run "${CMAKE_BINARY_DIR}/${arch}/kdk.env" "${dir}" all
    DEPENDS linux-${arch} kunit-suites-${arch} ${rootfs_target}
    USES_TERMINAL
    VERBATIM)
  if(arch STREQUAL KDK_DEFAULT_ARCH)
    add_custom_target(kunit DEPENDS kunit-${arch})
  endif()
endfunction()

# kdk_add_kunit_tests(): per architecture, kunit.<arch>.boot (the one boot, a CTest fixture) and
# kunit.<arch>.<suite> for each suite in <arch>/kunit/suites.txt, which the build wrote: CTest reads
# the list when it starts (TEST_INCLUDE_FILES), as gtest_discover_tests does. With
# KDK_KUNIT_ISOLATED, each suite's test boots on its own instead.
function(kdk_add_kunit_tests)
  if(NOT KDK_KUNIT)
    return()
  endif()
  set(script "${PROJECT_SOURCE_DIR}/cmake/scripts/kunit.sh")
  set(include "${CMAKE_BINARY_DIR}/kunit-tests.cmake")
  set(text "# Generated by kdk (KdkKunit.cmake): the KUnit suites' tests, from the lists the build writes.\n")
  math(EXPR timeout "${KDK_KUNIT_TIMEOUT} + 60")
  foreach(arch IN LISTS KDK_ARCHES)
    get_property(env GLOBAL PROPERTY KDK_${arch}_ENV)
    set(dir "${CMAKE_BINARY_DIR}/tests/kunit.${arch}")
    file(MAKE_DIRECTORY "${dir}")
    if(NOT KDK_KUNIT_ISOLATED)
      add_test(NAME kunit.${arch}.boot COMMAND bash "${script}" boot "${env}" "${dir}" WORKING_DIRECTORY "${dir}")
      set_tests_properties(kunit.${arch}.boot PROPERTIES LABELS "kunit;boot;arch:${arch}" TIMEOUT ${timeout}
        FIXTURES_SETUP kunit-${arch})
      set(mode check)
      set(fixture "FIXTURES_REQUIRED [==[kunit-${arch}]==]")
    else()
      set(mode isolated)
      set(fixture "")
    endif()
    # A suite that fails, oopses or hangs (the fixture module, tests/kunit): the verdicts and the
    # decoded trace, and the other suites' results standing (tests/boot/kunit_crash.sh).
    if(KDK_TEST_FIXTURES)
      set(modes fail oops)
      if(arch STREQUAL KDK_DEFAULT_ARCH)
        list(APPEND modes hang)
      endif()
      add_test(NAME kunit.${arch}.crash COMMAND bash "${PROJECT_SOURCE_DIR}/tests/boot/kunit_crash.sh" "${env}" ${modes}
        WORKING_DIRECTORY "${dir}")
      set_tests_properties(kunit.${arch}.crash PROPERTIES LABELS "kunit;boot;arch:${arch}" TIMEOUT 900
        SKIP_RETURN_CODE 77)
    endif()
    # kdk-bisect over a git history of this build's kernel with a known bad commit (a failing
    # list-kunit-test case), the KUnit suite as the oracle (tests/boot/bisect.sh).
    if(KDK_TEST_FIXTURES AND arch STREQUAL KDK_DEFAULT_ARCH)
      file(MAKE_DIRECTORY "${CMAKE_BINARY_DIR}/tests/bisect.${arch}.kunit")
      add_test(NAME bisect.${arch}.kunit COMMAND bash "${PROJECT_SOURCE_DIR}/tests/boot/bisect.sh" "${env}" "${CMAKE_BINARY_DIR}"
        WORKING_DIRECTORY "${CMAKE_BINARY_DIR}/tests/bisect.${arch}.kunit")
      set_tests_properties(bisect.${arch}.kunit PROPERTIES LABELS "bisect;kunit;arch:${arch}" TIMEOUT 2400)
    endif()
    # KDK_KUNIT_ISOLATED's boot of one suite, in any tree (tests/boot/kunit_isolated.sh).
    if(arch STREQUAL KDK_DEFAULT_ARCH)
      add_test(NAME kunit.${arch}.isolated COMMAND bash "${PROJECT_SOURCE_DIR}/tests/boot/kunit_isolated.sh" "${env}"
        WORKING_DIRECTORY "${dir}")
      set_tests_properties(kunit.${arch}.isolated PROPERTIES LABELS "kunit;boot;arch:${arch}" TIMEOUT ${timeout})
    endif()
    if(arch STREQUAL KDK_DEFAULT_ARCH AND NOT KDK_KUNIT_ISOLATED)
      kdk_arch_get(${arch} SRCARCH srcarch)
      add_test(NAME bad.kunit COMMAND bash "${PROJECT_SOURCE_DIR}/tests/bad_input/kunit_errors.sh" "${env}" ${srcarch} "${dir}")
      set_tests_properties(bad.kunit PROPERTIES LABELS "bad-input;kunit;arch:${arch}" TIMEOUT 300
        FIXTURES_REQUIRED kunit-${arch})
    endif()
    string(APPEND text "
set(_suites \"\")
if(EXISTS [==[${CMAKE_BINARY_DIR}/${arch}/kunit/suites.txt]==])
  file(STRINGS [==[${CMAKE_BINARY_DIR}/${arch}/kunit/suites.txt]==] _suites)
endif()
if(NOT _suites)
  add_test([==[kunit.${arch}.suites]==] bash -c [==[echo \"kdk: no KUnit suite list for ${arch} (${CMAKE_BINARY_DIR}/${arch}/kunit/suites.txt): build first (ninja kunit-suites-${arch}), or KDK_KUNIT selects no suite\"; exit 1]==])
  set_tests_properties([==[kunit.${arch}.suites]==] PROPERTIES LABELS [==[kunit;arch:${arch}]==])
endif()
foreach(_s IN LISTS _suites)
  add_test(\"kunit.${arch}.\${_s}\" bash [==[${script}]==] ${mode} [==[${env}]==] [==[${dir}]==] \"\${_s}\")
  set_tests_properties(\"kunit.${arch}.\${_s}\" PROPERTIES LABELS [==[kunit;arch:${arch}]==] TIMEOUT ${timeout}
    SKIP_RETURN_CODE 77 WORKING_DIRECTORY [==[${dir}]==] ${fixture})
endforeach()
")
  endforeach()
  file(CONFIGURE OUTPUT "${include}" CONTENT "${text}" @ONLY)
  set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY TEST_INCLUDE_FILES "${include}")
endfunction()

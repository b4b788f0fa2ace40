# kdk as another project's dependency (FetchContent_MakeAvailable(kdk), or add_subdirectory):
# the project's top-level CMakeLists.txt calls kdk_add_kernel_module() after kdk is available,
# and the kernels must know every module before they are set up (a module's KCONFIG joins the
# kernel's fragments). So kdk_setup() is deferred to the end of the top-level directory, where it
# runs in that directory's scope: its targets and tests are the project's own (ninja run, ninja
# debug, ctest in the project's build tree), and CTest is enabled there. kdk's variables from
# this directory (the KDK_ options as resolved, the architectures, the sources) are copied into
# that call, with PROJECT_SOURCE_DIR naming kdk's checkout, which kdk's files are found from.

set(_kdk_names "")
get_cmake_property(_kdk_all VARIABLES)
foreach(_v IN LISTS _kdk_all)
  if(_v MATCHES "^(KDK_|_kdk_)" AND NOT _v MATCHES "^_kdk_(all|names|v)$")
    list(APPEND _kdk_names "${_v}")
    set_property(GLOBAL PROPERTY "KDK_DEFERRED_VALUE_${_v}" "${${_v}}")
  endif()
endforeach()
set_property(GLOBAL PROPERTY KDK_DEFERRED_NAMES "${_kdk_names}")
set_property(GLOBAL PROPERTY KDK_DEFERRED_SOURCE_DIR "${PROJECT_SOURCE_DIR}")
set_property(GLOBAL PROPERTY KDK_DEFERRED_MODULE_PATH "${CMAKE_MODULE_PATH}")

# _kdk_deferred_setup(): kdk_setup() in the top-level directory, with kdk's variables.
function(_kdk_deferred_setup)
  get_property(names GLOBAL PROPERTY KDK_DEFERRED_NAMES)
  foreach(v IN LISTS names)
    get_property(value GLOBAL PROPERTY "KDK_DEFERRED_VALUE_${v}")
    set(${v} "${value}")
  endforeach()
  get_property(PROJECT_SOURCE_DIR GLOBAL PROPERTY KDK_DEFERRED_SOURCE_DIR)
  get_property(CMAKE_MODULE_PATH GLOBAL PROPERTY KDK_DEFERRED_MODULE_PATH)
  kdk_setup()
  get_property(names GLOBAL PROPERTY KDK_USER_MODULES)
  if(names)
    string(REPLACE ";" ", " names "${names}")
    message(STATUS "kdk: set up ${KDK_ARCHES} with your module(s) ${names}")
  endif()
endfunction()
# CTest in the project's build tree: enable_testing() in the top-level directory's own scope (in
# a function it would not reach the directory), before the tests are added.
if(KDK_BUILD_TESTS)
  cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL enable_testing)
endif()
cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _kdk_deferred_setup)

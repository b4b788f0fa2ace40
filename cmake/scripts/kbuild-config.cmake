# cmake -DMAKE_COMMAND=a|b|c -DSOURCE_DIR= -DBUILD_DIR= -DBASE= -DFRAGMENTS=a|b -DOLDCONFIG=
#       -DKCONFIG_ARCH= -DKDK= -DSTAMP= -DNAME= [-DCLANG=] [-DMIN_VERSION=] [-DCATALOGUE=]
#       -P kbuild-config.cmake
# BASE, then the fragments merged in order (kdk kconfig merge, which applies '# kdk-if:' lines for
# this source tree), then OLDCONFIG, then a check that every fragment option stuck (kdk kconfig
# verify, which explains failures with CATALOGUE too). MAKE_COMMAND is kdk_make_command()'s line.
# A kernel older than MIN_VERSION stops here; with CLANG (KDK_LINUX_TOOLCHAIN=llvm), the kernel's
# own minimum LLVM version is checked first. The stamp records the .config it produced,
# so that a later run can tell manual (menuconfig) edits apart and save them.
include("${CMAKE_CURRENT_LIST_DIR}/../KdkMessages.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/../KdkLinuxVersion.cmake")
if(MIN_VERSION)
  kdk_check_linux_version("${SOURCE_DIR}" ${MIN_VERSION} "${NAME}: the kernel source ${SOURCE_DIR}")
endif()
string(REPLACE "|" ";" make "${MAKE_COMMAND}")
string(REPLACE "|" ";" FRAGMENTS "${FRAGMENTS}")
set(config "${BUILD_DIR}/.config")

# The kernel says which LLVM it needs (scripts/min-tool-version.sh); an older clang would fail
# in kbuild's own check with less to go on.
if(CLANG)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E env "SRCARCH=${KCONFIG_ARCH}" sh "${SOURCE_DIR}/scripts/min-tool-version.sh" llvm
    OUTPUT_VARIABLE needed OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  execute_process(COMMAND "${CLANG}" --version OUTPUT_VARIABLE clang_version RESULT_VARIABLE clang_rc)
  string(REGEX MATCH "version ([0-9]+\\.[0-9]+\\.[0-9]+)" _ "${clang_version}")
  set(have "${CMAKE_MATCH_1}")
  if(rc EQUAL 0 AND (NOT clang_rc EQUAL 0 OR have VERSION_LESS needed))
    string(REGEX MATCH "^[0-9]+" major "${needed}")
    kdk_fatal("${NAME}: KDK_LINUX_TOOLCHAIN=llvm: this kernel needs LLVM ${needed} or newer "
      "(scripts/min-tool-version.sh), but ${CLANG} is '${have}'. Install clang, lld and llvm ${major} or newer "
      "(Debian/Ubuntu: clang-N lld-N llvm-N, N >= ${major}: Debian 12 has up to 19) and point KDK_CLANG at that "
      "clang, or build with KDK_LINUX_TOOLCHAIN=gcc.")
  endif()
endif()
file(MAKE_DIRECTORY "${BUILD_DIR}")

macro(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
  if(NOT _rc EQUAL 0)
    kdk_fatal("${NAME}: configuration step failed:\n  ${ARGN}\n${_out}")
  endif()
endmacro()

# Manual edits since the last generated config are about to be replaced: keep them.
if(EXISTS "${config}" AND EXISTS "${STAMP}")
  file(READ "${STAMP}" generated)
  file(SHA256 "${config}" current)
  string(STRIP "${generated}" generated)
  if(NOT current STREQUAL generated)
    file(COPY_FILE "${config}" "${config}.kdk-saved")
    kdk_warning("${NAME}: ${config} was edited by hand (menuconfig?) since kdk generated it. "
      "A fragment or the base changed, so it is regenerated; your version is in ${config}.kdk-saved. "
      "To keep such changes, put them in a fragment (KDK_LINUX_FRAGMENTS / KDK_BUSYBOX_FRAGMENTS).")
  endif()
endif()

if(BASE MATCHES "^[a-z0-9_]*config$")
  run(${make} ${BASE})
elseif(EXISTS "${BASE}")
  file(COPY_FILE "${BASE}" "${config}")
else()
  kdk_fatal("${NAME}: the base config '${BASE}' is neither a make target such as tinyconfig or "
    "defconfig nor an existing file.")
endif()
set(index --kconfig-root "${SOURCE_DIR}")
if(KCONFIG_ARCH)
  list(APPEND index --arch "${KCONFIG_ARCH}")
endif()
if(FRAGMENTS)
  execute_process(COMMAND "${KDK}" kconfig merge ${index} -o "${config}" "${config}" ${FRAGMENTS} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    kdk_fatal("${NAME}: merging the fragments failed (see above)")
  endif()
endif()
if(OLDCONFIG STREQUAL "oldconfig")
  # BusyBox's kconfig has no olddefconfig: answer every new question with its default.
  string(REPEAT "\n" 5000 answers)
  file(WRITE "${BUILD_DIR}/.kdk-answers" "${answers}")
  execute_process(COMMAND ${make} oldconfig INPUT_FILE "${BUILD_DIR}/.kdk-answers"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    kdk_fatal("${NAME}: make oldconfig failed:\n${out}")
  endif()
else()
  run(${make} ${OLDCONFIG})
endif()
if(FRAGMENTS)
  set(catalogue "")
  if(CATALOGUE)
    set(catalogue --catalogue "${CATALOGUE}")
  endif()
  execute_process(COMMAND "${KDK}" kconfig verify ${index} ${catalogue} "${config}" ${FRAGMENTS} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    file(REMOVE "${STAMP}")
    kdk_fatal("${NAME}: the configuration does not have what the fragments ask for (see above).")
  endif()
endif()
file(SHA256 "${config}" generated)
file(WRITE "${STAMP}" "${generated}\n")
message(STATUS "kdk: ${NAME}: ${config} generated from ${BASE} and ${FRAGMENTS}")

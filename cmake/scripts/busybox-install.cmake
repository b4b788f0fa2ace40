# cmake -DMAKE_COMMAND=a|b|c -DBUILD_DIR= -DINSTALL_DIR= -DSTAMP= -DREADELF= -DLIBC_PACKAGE=
#       -P busybox-install.cmake
# MAKE_COMMAND is kdk_make_command()'s line for BusyBox, the one its build used.
# Checks that the freshly built busybox is static, and installs it (binary and applet links)
# into INSTALL_DIR only when it changed, so the initramfs is repacked only when it must be.
include("${CMAKE_CURRENT_LIST_DIR}/../KdkMessages.cmake")
set(binary "${BUILD_DIR}/busybox")
execute_process(COMMAND "${READELF}" -lW "${binary}" OUTPUT_VARIABLE headers RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  kdk_fatal("cannot read ${binary} with ${READELF}")
endif()
if(headers MATCHES "Requesting program interpreter: ([^]]*)]")
  kdk_fatal("${binary} is dynamically linked (it asks for ${CMAKE_MATCH_1}), and the initramfs has no "
    "shared libraries. busybox/fragments/static.config sets CONFIG_STATIC=y; if it did not stick, a "
    "KDK_BUSYBOX_FRAGMENTS file turns it off. Static linking also needs the static C library "
    "(Debian/Ubuntu: ${LIBC_PACKAGE}).")
endif()
file(SHA256 "${binary}" hash)
if(EXISTS "${STAMP}" AND EXISTS "${INSTALL_DIR}/bin/busybox")
  file(READ "${STAMP}" installed)
  string(STRIP "${installed}" installed)
  if(installed STREQUAL hash)
    return()
  endif()
endif()
file(REMOVE_RECURSE "${INSTALL_DIR}")
string(REPLACE "|" ";" make "${MAKE_COMMAND}")
execute_process(COMMAND ${make} "CONFIG_PREFIX=${INSTALL_DIR}" install
  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  kdk_fatal("busybox install into ${INSTALL_DIR} failed:\n${err}")
endif()
file(WRITE "${STAMP}" "${hash}\n")
message(STATUS "kdk: static busybox installed into ${INSTALL_DIR}")

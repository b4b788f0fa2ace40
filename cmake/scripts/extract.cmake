# cmake -DARCHIVE= -DDEST= -DSTAMP= -DWHAT= -P extract.cmake
# Unpacks a source tarball whose single top-level folder becomes DEST. Unpacks beside DEST
# first, so a damaged tarball leaves DEST and STAMP as they were.
include("${CMAKE_CURRENT_LIST_DIR}/../KdkMessages.cmake")
set(tmp "${DEST}.unpacking")
file(REMOVE_RECURSE "${tmp}")
file(MAKE_DIRECTORY "${tmp}")
execute_process(COMMAND "${CMAKE_COMMAND}" -E tar xf "${ARCHIVE}" WORKING_DIRECTORY "${tmp}"
  RESULT_VARIABLE result ERROR_VARIABLE error)
if(NOT result EQUAL 0)
  file(REMOVE_RECURSE "${tmp}")
  string(STRIP "${error}" error)
  kdk_fatal("cannot unpack ${ARCHIVE}: ${error}\n"
    "The tarball is truncated or damaged. Fetch it again (delete it, and kdk downloads a verified copy), "
    "or point ${WHAT} at another one.")
endif()
file(GLOB top LIST_DIRECTORIES true "${tmp}/*")
list(LENGTH top count)
if(NOT count EQUAL 1 OR NOT IS_DIRECTORY "${top}")
  file(REMOVE_RECURSE "${tmp}")
  kdk_fatal("${ARCHIVE} does not hold one top-level folder, as a source tarball does. Check ${WHAT}.")
endif()
file(REMOVE_RECURSE "${DEST}")
file(RENAME "${top}" "${DEST}")
file(REMOVE_RECURSE "${tmp}")
file(TOUCH "${STAMP}")

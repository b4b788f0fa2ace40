# cmake -DURL= -DSHA256= -DFILE= -DWHAT= -P fetch.cmake
# Makes FILE (in the shared download cache) hold the verified tarball. A cached file is used
# when its hash matches; a download goes to FILE.part and is renamed only once verified, so
# a concurrent build tree or an interrupted download never sees a bad FILE.
include("${CMAKE_CURRENT_LIST_DIR}/../KdkMessages.cmake")
get_filename_component(dir "${FILE}" DIRECTORY)
get_filename_component(name "${FILE}" NAME)
file(MAKE_DIRECTORY "${dir}")
file(LOCK "${FILE}.lock" GUARD PROCESS TIMEOUT 3600)
string(TOLOWER "${SHA256}" SHA256)
if(EXISTS "${FILE}")
  file(SHA256 "${FILE}" found)
  if(found STREQUAL SHA256)
    message(STATUS "kdk: ${name}: using the cached copy (SHA256 verified)")
    return()
  endif()
  kdk_warning("${FILE} in the download cache has the wrong SHA256:\n"
    "  expected ${SHA256}\n  found    ${found}\nIt was deleted; downloading again.")
  file(REMOVE "${FILE}")
endif()
message(STATUS "kdk: downloading ${URL}")
file(DOWNLOAD "${URL}" "${FILE}.part" STATUS status SHOW_PROGRESS INACTIVITY_TIMEOUT 60)
list(GET status 0 code)
if(NOT code EQUAL 0)
  list(GET status 1 reason)
  file(REMOVE "${FILE}.part")
  kdk_fatal("cannot download ${URL}: ${reason}.\nWithout network access, put the tarball at "
    "${FILE} yourself (it is checked against the pinned SHA256), or point ${WHAT}_SOURCE at a local tarball or tree.")
endif()
file(SHA256 "${FILE}.part" found)
if(NOT found STREQUAL SHA256)
  file(REMOVE "${FILE}.part")
  kdk_fatal("${URL} does not match its pinned SHA256:\n  expected ${SHA256}\n  found    ${found}\n"
    "The download was deleted. If the pin is wrong, set ${WHAT}_SHA256; if the server is, try again later.")
endif()
file(RENAME "${FILE}.part" "${FILE}")
message(STATUS "kdk: ${name}: downloaded and verified")

# How kdk's CMake code reports. CMake re-wraps the text of WARNING and FATAL_ERROR messages,
# which breaks hashes and paths across lines; these print kdk's text as written, then stop.
# Included by the project and by the cmake -P scripts alike.

# kdk_fatal(<line>...)
# Prints "kdk: error: ..." unwrapped and stops configuration (or the script) with an error.
macro(kdk_fatal)
  string(JOIN "" _kdk_text ${ARGN})
  message(NOTICE "kdk: error: ${_kdk_text}")
  message(FATAL_ERROR "kdk: stopped; the error is above")
endmacro()

# kdk_warning(<line>...)
# Prints "kdk: warning: ..." unwrapped.
macro(kdk_warning)
  string(JOIN "" _kdk_text ${ARGN})
  message(NOTICE "kdk: warning: ${_kdk_text}")
endmacro()

# How kdk's CMake code reports. CMake re-wraps the text of WARNING and FATAL_ERROR messages,
# which breaks hashes and paths across lines; these print kdk's text as written, then stop.
# Included by the project and by the cmake -P scripts alike.

# _kdk_join_arguments(<out-var> <count>): the calling function's first <count> arguments joined,
# read through ARGV<n> (expanding ${ARGN} would split an argument at each ';' and drop the ';').
# A macro, so that ARGV<n> are the caller's.
macro(_kdk_join_arguments out count)
  set(${out} "")
  foreach(_kdk_i RANGE ${count})
    if(_kdk_i LESS ${count})
      string(APPEND ${out} "${ARGV${_kdk_i}}")
    endif()
  endforeach()
endmacro()

# kdk_fatal(<line>...)
# Prints "kdk: error: ..." unwrapped and stops configuration (or the script) with an error.
function(kdk_fatal)
  _kdk_join_arguments(text ${ARGC})
  message(NOTICE "kdk: error: ${text}")
  message(FATAL_ERROR "kdk: stopped; the error is above")
endfunction()

# kdk_warning(<line>...)
# Prints "kdk: warning: ..." unwrapped.
function(kdk_warning)
  _kdk_join_arguments(text ${ARGC})
  message(NOTICE "kdk: warning: ${text}")
endfunction()

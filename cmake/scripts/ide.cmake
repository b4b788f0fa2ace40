# ninja ide-<arch>: launch configurations for IDEs, written into <build>/<arch>/ with the facts of
# `ninja debug-<arch>`: gdb (gdb-multiarch), vmlinux, the kernel sources, this tree's fixed gdb
# port on 127.0.0.1 (the one gdbserver-<arch> listens on), and the gdb commands of qemu.sh
# gdb-command, split where gdb connects:
#   .vscode/launch.json          cppdbg: setupCommands, miDebuggerServerAddress,
#                                postRemoteConnectCommands; preLaunchTask starts gdbserver-<arch>
#   .vscode/tasks.json           that task (ninja gdbserver-<arch>, in the background)
#   .vscode/c_cpp_properties.json the kernel's compile_commands.json, when it exists
#   eclipse/kdk-<arch>.launch    Eclipse CDT's GDB Hardware Debugging, the same facts
# A port that something else holds now is refused, and nothing is written.
# usage: cmake -DENV=<build>/<arch>/kdk.env -DQEMU_SH=... -DARCH=... -DBUILD_DIR=... -DNINJA=...
#              -DCOMPILER=<the kernel's C compiler> -P ide.cmake
cmake_minimum_required(VERSION 3.25)
foreach(v ENV QEMU_SH ARCH BUILD_DIR NINJA)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "ide.cmake: -D${v}= is missing")
  endif()
endforeach()

# The facts of kdk.env (single-quoted shell assignments; the arrays are not needed here).
file(STRINGS "${ENV}" lines REGEX "^[A-Z_]+='[^']*'$")
foreach(line IN LISTS lines)
  string(REGEX MATCH "^([A-Z_]+)='([^']*)'$" _ "${line}")
  set(env_${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
endforeach()
set(port "${env_GDB_PORT}")
set(out "${env_STATE_DIR}")
set(vmlinux "${env_LINUX_BUILD_DIR}/vmlinux")

# The port: free now, or held by a gdbserver of this very tree (its gdb-target file says so).
execute_process(COMMAND "${env_KDK}" port --check ${port} RESULT_VARIABLE free OUTPUT_QUIET ERROR_QUIET)
if(NOT free EQUAL 0)
  set(ours "")
  if(EXISTS "${out}/gdb-target")
    file(READ "${out}/gdb-target" ours LIMIT 64)
    string(STRIP "${ours}" ours)
  endif()
  if(NOT ours STREQUAL "qemu ${port}")
    execute_process(COMMAND ss -Hltnp "sport = :${port}" OUTPUT_VARIABLE holder ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
    string(REGEX MATCH "users:\\(\\([^)]*\\)\\)" holder "${holder}")
    if(holder)
      set(holder " by ${holder}")
    endif()
    # (NOTICE prints the text as it is; FATAL_ERROR would rewrap it.)
    message(NOTICE "kdk: error: the gdb port of ${ARCH} in this tree, 127.0.0.1:${port}, is in use${holder}: "
      "the IDE files would name a port that gdbserver-${ARCH} cannot take. Nothing was written. "
      "Stop what holds it, or move this tree's gdb ports: cmake -DKDK_GDB_PORT=N ${BUILD_DIR} (the "
      "architectures take N and the next ones), then ninja ide-${ARCH} again.")
    message(FATAL_ERROR "kdk: ide-${ARCH}: refused (above)")
  endif()
endif()

# The gdb command of ninja debug, one word per line: GDB -q, (-iex|-ex) COMMAND pairs, vmlinux.
execute_process(COMMAND bash "${QEMU_SH}" gdb-command "${ENV}" qemu ${port}
  OUTPUT_VARIABLE words RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "kdk: error: qemu.sh gdb-command failed: ${err}")
endif()
string(REPLACE ";" "\\;" words "${words}")
string(REPLACE "\n" ";" words "${words}")
list(GET words 0 gdb)
set(before "")
set(after "")
set(connected OFF)
list(LENGTH words n)
math(EXPR last "${n} - 1")
set(i 1)
while(i LESS last)
  list(GET words ${i} word)
  math(EXPR i "${i} + 1")
  if(word STREQUAL "-iex" OR word STREQUAL "-ex")
    list(GET words ${i} command)
    math(EXPR i "${i} + 1")
    if(command MATCHES "^target remote ")
      set(connected ON)
    elseif(connected)
      list(APPEND after "${command}")
    else()
      list(APPEND before "${command}")
    endif()
  endif()
endwhile()

# json_string(<out-var> <text>): <text> as a JSON string literal.
function(json_string out text)
  string(REPLACE "\\" "\\\\" text "${text}")
  string(REPLACE "\"" "\\\"" text "${text}")
  string(REPLACE "\t" "\\t" text "${text}")
  string(REPLACE "\n" "\\n" text "${text}")
  set(${out} "\"${text}\"" PARENT_SCOPE)
endfunction()

# json_commands(<out-var> <member> <command>...): a JSON array of {"<member>": command}.
function(json_commands out member)
  set(array "[]")
  set(k 0)
  foreach(c IN LISTS ARGN)
    json_string(j "${c}")
    string(JSON item SET "{}" "${member}" "${j}")
    string(JSON array SET "${array}" ${k} "${item}")
    math(EXPR k "${k} + 1")
  endforeach()
  set(${out} "${array}" PARENT_SCOPE)
endfunction()
# json_object(<var> KEY JSON [KEY JSON]...): a JSON object into <var>, each KEY set to the JSON
# text that follows it.
function(json_object var)
  set(object "{}")
  set(rest ${ARGN})
  while(rest)
    list(POP_FRONT rest key value)
    string(JSON object SET "${object}" "${key}" "${value}")
  endwhile()
  set(${var} "${object}" PARENT_SCOPE)
endfunction()

set(task "kdk: gdbserver-${ARCH}")
json_string(j_task "${task}")
json_string(j_name "kdk: debug the ${ARCH} kernel (QEMU's gdb stub)")
json_string(j_vmlinux "${vmlinux}")
json_string(j_gdb "${gdb}")
json_string(j_address "127.0.0.1:${port}")
json_string(j_cwd "${env_LINUX_SOURCE_DIR}")
json_commands(j_setup text ${before})
json_commands(j_post text ${after})

json_object(config
  name "${j_name}"
  type "\"cppdbg\""
  request "\"launch\""
  program "${j_vmlinux}"
  cwd "${j_cwd}"
  MIMode "\"gdb\""
  miDebuggerPath "${j_gdb}"
  miDebuggerServerAddress "${j_address}"
  miDebuggerArgs "\"-nx\""
  stopAtConnect "true"
  setupCommands "${j_setup}"
  postRemoteConnectCommands "${j_post}"
  preLaunchTask "${j_task}")
json_object(launch version "\"0.2.0\"" configurations "[${config}]")

# The task: ninja gdbserver-<arch>, in the background; ready when qemu.sh says QEMU is paused.
json_string(j_ninja "${NINJA}")
json_string(j_build "${BUILD_DIR}")
json_string(j_target "gdbserver-${ARCH}")
json_object(task_json
  label "${j_task}"
  type "\"process\""
  command "${j_ninja}"
  args "[\"-C\", ${j_build}, ${j_target}]"
  isBackground "true"
  problemMatcher "{\"owner\": \"kdk\", \"pattern\": {\"regexp\": \"^kdk: error: (.*)$\", \"message\": 1}, \"background\": {\"activesBegin\": true, \"beginsPattern\": \"^kdk: \", \"endsPattern\": \"^kdk: QEMU is paused, its gdb stub on\"}}")
json_object(tasks version "\"2.0.0\"" tasks "[${task_json}]")

# IntelliSense: the kernel's compile database (ninja compile-commands-<arch> writes it).
set(db "${env_LINUX_BUILD_DIR}/compile_commands.json")
json_string(j_cname "kdk ${ARCH} kernel")
json_object(c name "${j_cname}" cStandard "\"gnu11\"")
if(EXISTS "${db}")
  json_string(j_db "${db}")
  string(JSON c SET "${c}" compileCommands "${j_db}")
else()
  set(db "")
endif()
if(COMPILER)
  json_string(j_cc "${COMPILER}")
  string(JSON c SET "${c}" compilerPath "${j_cc}")
endif()
json_object(props version "4" configurations "[${c}]")

# Eclipse CDT: GDB Hardware Debugging (org.eclipse.cdt.debug.gdbjtag), "Generic TCP/IP", no image
# load (QEMU has loaded the kernel), symbols from vmlinux; initCommands before the connection,
# runCommands after it.
function(xml_escape out text)
  string(REPLACE "&" "&amp;" text "${text}")
  string(REPLACE "<" "&lt;" text "${text}")
  string(REPLACE ">" "&gt;" text "${text}")
  string(REPLACE "\"" "&quot;" text "${text}")
  string(REPLACE "\n" "&#10;" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()
list(JOIN before "\n" init)
list(JOIN after "\n" run)
foreach(v gdb vmlinux init run)
  xml_escape(x_${v} "${${v}}")
endforeach()
set(g "org.eclipse.cdt.debug.gdbjtag.core")
set(eclipse "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>
<!-- Generated by kdk (ninja ide-${ARCH}): debug the ${ARCH} kernel on QEMU's gdb stub at 127.0.0.1:${port}.
     Start ninja gdbserver-${ARCH} in the build tree first. Import: File, Import, Run/Debug, Launch Configurations.
     (No path here: an XML comment may not hold two hyphens in a row, and a path may.) -->
<launchConfiguration type=\"org.eclipse.cdt.debug.gdbjtag.launchConfigurationType\">
<stringAttribute key=\"org.eclipse.cdt.dsf.gdb.DEBUG_NAME\" value=\"${x_gdb}\"/>
<stringAttribute key=\"org.eclipse.cdt.dsf.gdb.GDB_INIT\" value=\"\"/>
<stringAttribute key=\"org.eclipse.cdt.launch.PROGRAM_NAME\" value=\"${x_vmlinux}\"/>
<stringAttribute key=\"org.eclipse.cdt.launch.PROJECT_ATTR\" value=\"\"/>
<booleanAttribute key=\"org.eclipse.cdt.launch.PROJECT_BUILD_CONFIG_AUTO_ATTR\" value=\"false\"/>
<stringAttribute key=\"org.eclipse.cdt.launch.DEBUGGER_START_MODE\" value=\"remote\"/>
<booleanAttribute key=\"${g}.useRemoteTarget\" value=\"true\"/>
<stringAttribute key=\"${g}.jtagDeviceId\" value=\"${g}.jtagdevice.genericDevice\"/>
<stringAttribute key=\"${g}.jtagDevice\" value=\"Generic TCP/IP\"/>
<stringAttribute key=\"${g}.ipAddress\" value=\"127.0.0.1\"/>
<intAttribute key=\"${g}.portNumber\" value=\"${port}\"/>
<stringAttribute key=\"${g}.connection\" value=\"tcp:127.0.0.1:${port}\"/>
<booleanAttribute key=\"${g}.doReset\" value=\"false\"/>
<booleanAttribute key=\"${g}.doHalt\" value=\"false\"/>
<booleanAttribute key=\"${g}.loadImage\" value=\"false\"/>
<booleanAttribute key=\"${g}.loadSymbols\" value=\"true\"/>
<booleanAttribute key=\"${g}.useProjBinaryForSymbols\" value=\"true\"/>
<booleanAttribute key=\"${g}.useFileForSymbols\" value=\"false\"/>
<stringAttribute key=\"${g}.initCommands\" value=\"${x_init}\"/>
<stringAttribute key=\"${g}.runCommands\" value=\"${x_run}\"/>
<booleanAttribute key=\"${g}.setStopAt\" value=\"false\"/>
<booleanAttribute key=\"${g}.setResume\" value=\"false\"/>
<booleanAttribute key=\"${g}.setPcRegister\" value=\"false\"/>
</launchConfiguration>
")

# write_file(<path> <variable>): the variable's text into path, through a temporary file.
function(write_file path var)
  file(WRITE "${path}.tmp" "${${var}}\n")
  file(RENAME "${path}.tmp" "${path}")
endfunction()
file(MAKE_DIRECTORY "${out}/.vscode" "${out}/eclipse")
write_file("${out}/.vscode/launch.json" launch)
write_file("${out}/.vscode/tasks.json" tasks)
write_file("${out}/.vscode/c_cpp_properties.json" props)
write_file("${out}/eclipse/kdk-${ARCH}.launch" eclipse)
message(STATUS "kdk: IDE files for ${ARCH}, gdb on 127.0.0.1:${port} (gdbserver-${ARCH}; -DKDK_GDB_PORT=N moves it):")
message(STATUS "  VS Code: ${out}/.vscode/launch.json, tasks.json, c_cpp_properties.json (open ${out} as a folder, or copy .vscode/ into your tree)")
if(NOT db)
  message(STATUS "  (no compile database yet: ninja compile-commands-${ARCH}, then ninja ide-${ARCH} again, gives IntelliSense the kernel's flags)")
endif()
message(STATUS "  Eclipse CDT: ${out}/eclipse/kdk-${ARCH}.launch (File > Import > Run/Debug > Launch Configurations)")

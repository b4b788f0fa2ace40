# Kernel modules: out-of-tree ones declared with kdk_add_kernel_module(), built with kbuild's M=
# against each architecture's kernel, and the in-tree ones the kernel config asks for (=m). All
# of them are installed with depmod into <build>/<arch>/modules-rootfs, which the initramfs packs
# as /lib/modules/<release>/. cmake/scripts/kernel-module.sh does the building and installing.

set(KDK_EXTRA_CMAKE "" CACHE STRING "Your CMake files, included before the kernels are set up: call kdk_add_kernel_module() there")

# kdk_add_kernel_module(<name> SOURCES <file>... [ARCHES <arch>...] [KCONFIG <fragment>...])
# Declares an out-of-tree module <name>.ko built from SOURCES (.c and .S files become objects;
# list headers too, or keep them next to the sources). ARCHES limits the architectures (default:
# every one in KDK_ARCHES). KCONFIG fragments are merged into those kernels' configs, as is
# kernels/fragments/modules.config. Call it before the architectures are set up: in a KDK_EXTRA_CMAKE
# file, or in a project that brings kdk in.
# Each module outside kdk's own fixtures gets the tests module.<arch>.<name>.load and .gdb
# (tests/boot/user_module.sh). In a project that brings kdk in (FetchContent), call it after
# FetchContent_MakeAvailable(kdk), anywhere in the project's configure run.
set_property(GLOBAL PROPERTY KDK_ARCHES_DECLARED "${KDK_ARCHES}")
set_property(GLOBAL PROPERTY KDK_KNOWN_ARCHES_DECLARED "${KDK_KNOWN_ARCHES}")
function(kdk_add_kernel_module name)
  if(NOT KDK_SUPERBUILD)
    kdk_fatal("kdk_add_kernel_module(${name}): kdk's superbuild is off (KDK_SUPERBUILD=OFF builds the helper only): "
      "there is no kernel to build the module against. Configure with -DKDK_SUPERBUILD=ON.")
  endif()
  get_property(done GLOBAL PROPERTY KDK_SETUP_DONE)
  if(done)
    kdk_fatal("kdk_add_kernel_module(${name}): called after kdk set up its kernels, so no kernel would build it. "
      "Call it in your top-level configure run (after FetchContent_MakeAvailable(kdk)), or in a KDK_EXTRA_CMAKE file.")
  endif()
  get_property(KDK_ARCHES GLOBAL PROPERTY KDK_ARCHES_DECLARED)
  get_property(KDK_KNOWN_ARCHES GLOBAL PROPERTY KDK_KNOWN_ARCHES_DECLARED)
  cmake_parse_arguments(ARG "" "" "SOURCES;ARCHES;KCONFIG" ${ARGN})
  if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    kdk_fatal("kdk_add_kernel_module: '${name}' is not a module name (letters, digits and _; "
      "it becomes ${name}.ko and the name in lsmod).")
  endif()
  get_property(declared GLOBAL PROPERTY KDK_KERNEL_MODULES)
  if(name IN_LIST declared)
    kdk_fatal("kdk_add_kernel_module: a module named '${name}' is already declared.")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    kdk_fatal("kdk_add_kernel_module(${name}): unknown arguments '${ARG_UNPARSED_ARGUMENTS}' "
      "(it takes SOURCES, ARCHES and KCONFIG).")
  endif()
  if(NOT ARG_SOURCES)
    kdk_fatal("kdk_add_kernel_module(${name}): no SOURCES.")
  endif()
  set(sources "")
  set(basenames "")
  foreach(s IN LISTS ARG_SOURCES)
    get_filename_component(s "${s}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_LIST_DIR}")
    if(NOT EXISTS "${s}")
      kdk_fatal("kdk_add_kernel_module(${name}): source ${s} does not exist.")
    endif()
    get_filename_component(base "${s}" NAME)
    if(base IN_LIST basenames)
      kdk_fatal("kdk_add_kernel_module(${name}): two sources are called ${base} (${s} is the second). "
        "kbuild builds a module's objects in one directory: rename one.")
    endif()
    list(APPEND basenames "${base}")
    list(APPEND sources "${s}")
  endforeach()
  set(kconfig "")
  foreach(f IN LISTS ARG_KCONFIG)
    get_filename_component(f "${f}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_LIST_DIR}")
    if(NOT EXISTS "${f}")
      kdk_fatal("kdk_add_kernel_module(${name}): KCONFIG fragment ${f} does not exist.")
    endif()
    list(APPEND kconfig "${f}")
  endforeach()
  set(arches "${KDK_ARCHES}")
  if(ARG_ARCHES)
    set(arches "")
    foreach(a IN LISTS ARG_ARCHES)
      if(NOT a IN_LIST KDK_KNOWN_ARCHES)
        string(REPLACE ";" ", " known "${KDK_KNOWN_ARCHES}")
        kdk_fatal("kdk_add_kernel_module(${name}): unknown architecture '${a}' in ARCHES (known: ${known}).")
      endif()
      if(a IN_LIST KDK_ARCHES)
        list(APPEND arches "${a}")
      endif()
    endforeach()
  endif()
  set_property(GLOBAL APPEND PROPERTY KDK_KERNEL_MODULES "${name}")
  get_property(fixtures GLOBAL PROPERTY KDK_DECLARING_FIXTURES)
  if(NOT fixtures)
    set_property(GLOBAL APPEND PROPERTY KDK_USER_MODULES "${name}")
  endif()
  set_property(GLOBAL PROPERTY KDK_MODULE_${name}_SOURCES "${sources}")
  set_property(GLOBAL PROPERTY KDK_MODULE_${name}_KCONFIG "${kconfig}")
  foreach(a IN LISTS arches)
    set_property(GLOBAL APPEND PROPERTY KDK_${a}_EXTERNAL_MODULES "${name}")
  endforeach()
endfunction()

# kdk_kernel_module_fragments(<arch> <out-var>)
# The fragments the modules declared for <arch> need: modules.config, then their KCONFIG files.
function(kdk_kernel_module_fragments arch out)
  get_property(names GLOBAL PROPERTY KDK_${arch}_EXTERNAL_MODULES)
  set(list "")
  if(names)
    list(APPEND list "${PROJECT_SOURCE_DIR}/kernels/fragments/modules.config")
  endif()
  foreach(name IN LISTS names)
    get_property(kconfig GLOBAL PROPERTY KDK_MODULE_${name}_KCONFIG)
    list(APPEND list ${kconfig})
  endforeach()
  list(REMOVE_DUPLICATES list)
  set(${out} "${list}" PARENT_SCOPE)
endfunction()

# kdk_add_kernel_modules(<arch>)
# module-<name>-<arch> for each declared module, and modules-<arch>, which installs them and the
# in-tree modules into the staging tree. Sets KDK_<arch>_MODULES_ROOTFS and _MODULES_STAMP.
function(kdk_add_kernel_modules arch)
  get_property(names GLOBAL PROPERTY KDK_${arch}_EXTERNAL_MODULES)
  kdk_env_file(${arch} env)
  set(script "${PROJECT_SOURCE_DIR}/cmake/scripts/kernel-module.sh")
  set(staging "${CMAKE_BINARY_DIR}/${arch}/modules-rootfs")
  set(stamp "${CMAKE_BINARY_DIR}/${arch}/modules-rootfs.stamp")
  set(dirs "")
  set(targets "")
  get_property(linux_stamp GLOBAL PROPERTY KDK_${arch}_LINUX_STAMP)
  set(module_stamps "")
  foreach(name IN LISTS names)
    get_property(sources GLOBAL PROPERTY KDK_MODULE_${name}_SOURCES)
    set(dir "${CMAKE_BINARY_DIR}/${arch}/modules/${name}")
    set(module_stamp "${dir}.stamp")
    kdk_kbuild_record(record inputs module-${name}-${arch})
    kdk_kbuild_run_command(run module-${name}-${arch} linux ${arch} RECORDS "${record}"
      OBJTREE "${dir}" NO_SRCTREE FILES "${dir}/Kbuild" ${sources}
      STAMP "${module_stamp}" ARTIFACTS "${dir}/${name}.ko"
      COMMAND bash "${script}" build "${env}" ${name} "${dir}" ${sources})
    add_custom_command(OUTPUT "${module_stamp}"
      COMMAND ${run}
      DEPENDS "${linux_stamp}" "${inputs}" ${sources} "${script}" kdk
      BYPRODUCTS "${dir}/${name}.ko"
      COMMENT "Building kernel module ${name} for ${arch} (kbuild M=)"
      VERBATIM)
    add_custom_target(module-${name}-${arch} DEPENDS "${module_stamp}")
    list(APPEND dirs "${dir}")
    list(APPEND module_stamps "${module_stamp}")
  endforeach()
  # The kernel's own modules, when its final .config has CONFIG_MODULES=y (read at build time).
  # The script touches the stamp only when the installed tree changed.
  add_custom_command(OUTPUT "${stamp}"
    COMMAND bash "${script}" install "${env}" "${staging}" "${stamp}" ${dirs}
    DEPENDS "${linux_stamp}" ${module_stamps} "${script}"
    COMMENT "Installing the ${arch} kernel modules (depmod -b) into ${staging}"
    VERBATIM)
  add_custom_target(modules-${arch} ALL DEPENDS "${stamp}")
  # compile_commands.json for clangd: the kernel's and each module's, linked where clangd looks
  # for the default architecture (the kernel's only into a source tree kdk unpacked itself).
  set(link_kernel 0)
  set(link_modules 0)
  if(arch STREQUAL KDK_DEFAULT_ARCH)
    set(link_modules 1)
    string(FIND "${KDK_LINUX_SOURCE_DIR}" "${CMAKE_BINARY_DIR}/" at)
    if(at EQUAL 0)
      set(link_kernel 1)
    endif()
  endif()
  add_custom_target(compile-commands-${arch}
    COMMAND bash "${script}" compile-commands "${env}" ${link_kernel} ${link_modules} ${dirs}
    DEPENDS modules-${arch}
    COMMENT "Writing compile_commands.json for the ${arch} kernel and modules (kbuild, for clangd)"
    VERBATIM)
  set_property(GLOBAL PROPERTY KDK_${arch}_MODULES_ROOTFS "${staging}")
  set_property(GLOBAL PROPERTY KDK_${arch}_MODULES_STAMP "${stamp}")
  set_property(GLOBAL PROPERTY KDK_${arch}_MODULE_DIRS "${dirs}")
endfunction()

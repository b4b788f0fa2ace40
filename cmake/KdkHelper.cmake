# The kdk helper: a C++20 program on libarchive. Building it needs no kernel sources, so the `dev`
# preset and every superbuild share this module.

find_package(LibArchive 3.3 REQUIRED)
# The kernel's initramfs decompressors' reference libraries, used directly (decompress.cpp) so
# that kdk knows where each compressed stream ends, as the kernel does.
find_package(ZLIB REQUIRED)
find_package(BZip2 REQUIRED)
find_package(LibLZMA REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(KDK_ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(KDK_LZ4 REQUIRED IMPORTED_TARGET liblz4)

# Shared C++ settings travel on an INTERFACE target linked PRIVATE, never as global flags.
add_library(kdk_cxx_settings INTERFACE)
target_compile_features(kdk_cxx_settings INTERFACE cxx_std_20)
set_target_properties(kdk_cxx_settings PROPERTIES INTERFACE_CXX_EXTENSIONS OFF)

# Everything but main(), so that unit tests and fuzzers link the same code the binary runs.
add_library(kdk_core STATIC
  src/archive_io.cpp
  src/atomic_file.cpp
  src/boot_monitor.cpp
  src/cli.cpp
  src/cmd_boot.cpp
  src/cmd_console.cpp
  src/cmd_cpio.cpp
  src/cmd_files.cpp
  src/cmd_image.cpp
  src/cmd_kbuild.cpp
  src/cmd_kconfig.cpp
  src/cmd_ktap.cpp
  src/decompress.cpp
  src/ext4_image.cpp
  src/error.cpp
  src/extract_tree.cpp
  src/fstab.cpp
  src/initlist.cpp
  src/kbuild_inputs.cpp
  src/inittab.cpp
  src/kconfig.cpp
  src/ktap.cpp
  src/kunit_suites.cpp
  src/listing.cpp
  src/pack_plan.cpp
  src/process.cpp
  src/suggest.cpp
  src/text_lines.cpp
  src/tree_scan.cpp)
target_include_directories(kdk_core PUBLIC "${CMAKE_CURRENT_SOURCE_DIR}/src")
target_compile_definitions(kdk_core PRIVATE KDK_VERSION="${PROJECT_VERSION}")
target_link_libraries(kdk_core PRIVATE kdk_cxx_settings LibArchive::LibArchive ZLIB::ZLIB BZip2::BZip2 LibLZMA::LibLZMA
  PkgConfig::KDK_ZSTD PkgConfig::KDK_LZ4)
target_compile_features(kdk_core PUBLIC cxx_std_20)

add_executable(kdk src/main.cpp)
target_link_libraries(kdk PRIVATE kdk_core kdk_cxx_settings)
# <build>/bin/kdk: the superbuild and the tests call it by this path.
set_target_properties(kdk PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/bin")
install(TARGETS kdk RUNTIME DESTINATION bin)

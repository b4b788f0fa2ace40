# Pinned Linux releases: the upstream tarball of each, and its SHA256.
# KDK_LINUX_VERSION picks one; KDK_LINUX_URL with KDK_LINUX_SHA256 pins another.
# The oldest kernel kdk supports (fragments, gdb scripts and boot tests are tested from there on):
# configuring an older source stops with a message naming it.
set(KDK_LINUX_MIN_VERSION 6.1)
# Which kernel versions define which Kconfig symbols, for the verifier's messages (kdk kconfig
# catalogue wrote it from Debian's 6.1, 6.12 and 7.2 sources).
set(KDK_KCONFIG_CATALOGUE "${CMAKE_CURRENT_LIST_DIR}/kconfig-catalogue.txt")
set(KDK_LINUX_DEFAULT_VERSION 6.12.9)
set(KDK_LINUX_6.12.9_URL     "https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.12.9.tar.xz")
set(KDK_LINUX_6.12.9_SHA256  87be0360df0931b340d2bac35161a548070fbc3a8c352c49e21e96666c26aeb4)
set(KDK_LINUX_6.6.74_URL     "https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.6.74.tar.xz")
set(KDK_LINUX_6.6.74_SHA256  f15e2b1a8bab0eba494b07858a5abc88d8f788e25f6fe4a572a77840bbd5494d)
set(KDK_LINUX_6.1.127_URL    "https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.1.127.tar.xz")
set(KDK_LINUX_6.1.127_SHA256 18b0d41d1a7fbad56045cde0d7fc176bfb18361d29c9f07e57109bbf21bf7876)

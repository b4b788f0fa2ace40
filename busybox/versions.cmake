# Pinned BusyBox releases: the upstream tarball of each, and its SHA256.
set(KDK_BUSYBOX_DEFAULT_VERSION 1.38.0)
set(KDK_BUSYBOX_1.38.0_URL    "https://busybox.net/downloads/busybox-1.38.0.tar.bz2")
set(KDK_BUSYBOX_1.38.0_SHA256 34f9ea6ff8636f2c9241153b9114eefa9e65674a45318ae1ef95bb5f31c53bb2)

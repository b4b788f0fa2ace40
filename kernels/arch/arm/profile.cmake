# arm: QEMU's virt machine with a Cortex-A15, the multi-v7 virt platform, zImage, PL011 UART as
# ttyAMA0, hard-float userspace. Facts only; no logic.
set(KERNEL_ARCH        arm)
set(SRCARCH            arm)
set(CROSS_COMPILE      arm-linux-gnueabihf-)
set(CROSS_PACKAGE      gcc-arm-linux-gnueabihf)
set(LIBC_PACKAGE       libc6-dev-armhf-cross)
set(GCC_MACHINE        "^arm-")
set(KERNEL_TARGET      zImage)
set(KERNEL_IMAGE       arch/arm/boot/zImage)
set(QEMU_BINARY        qemu-system-arm)
set(QEMU_PACKAGE       qemu-system-arm)
set(QEMU_MACHINE       virt)
set(QEMU_CPU           cortex-a15)
set(QEMU_MEMORY        256M)
set(QEMU_FIRMWARE      "")
set(FIRMWARE_PACKAGE   "")
set(QEMU_EXTRA         "")
set(CONSOLE            ttyAMA0)
set(EARLYCON           "earlycon=pl011,0x9000000")
set(GDB_ARCH           arm)
set(KVM_HOST           armv7l)
set(KGDB_TTY           "")   # QEMU's virt machine has one UART, the console: none left for KGDB
set(QEMU_DISK_DEVICE   virtio-blk-device)   # the root disk (KDK_ROOTFS_FORMAT=ext4), on virtio-mmio

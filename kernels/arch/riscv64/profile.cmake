# riscv64: QEMU's virt machine with the OpenSBI that Debian's QEMU ships, Image, 8250 UART as
# ttyS0, SBI earlycon. Facts only; no logic.
set(KERNEL_ARCH        riscv)
set(SRCARCH            riscv)
set(CROSS_COMPILE      riscv64-linux-gnu-)
set(CROSS_PACKAGE      gcc-riscv64-linux-gnu)
set(LIBC_PACKAGE       libc6-dev-riscv64-cross)
set(GCC_MACHINE        "^riscv64-")
set(KERNEL_TARGET      Image)
set(KERNEL_IMAGE       arch/riscv/boot/Image)
set(QEMU_BINARY        qemu-system-riscv64)
set(QEMU_PACKAGE       qemu-system-misc)
set(FIRMWARE_PACKAGE   qemu-system-data)
set(QEMU_MACHINE       virt)
set(QEMU_CPU           rv64)
set(QEMU_MEMORY        256M)
set(QEMU_FIRMWARE      /usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin)
set(QEMU_EXTRA         "")
set(CONSOLE            ttyS0)
set(EARLYCON           "earlycon=sbi")
set(GDB_ARCH           riscv:rv64)
set(KVM_HOST           riscv64)
set(KGDB_TTY           "")   # QEMU's virt machine has one UART, the console: none left for KGDB
set(QEMU_DISK_DEVICE   virtio-blk-device)   # the root disk (KDK_ROOTFS_FORMAT=ext4), on virtio-mmio

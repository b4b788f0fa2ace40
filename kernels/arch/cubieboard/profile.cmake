# cubieboard: QEMU's model of the Cubieboard (Allwinner A10, Cortex-A8), a real board: the
# multi-v7 sunxi platform, zImage with the board's device tree (-dtb), the DesignWare 8250 UART0
# as ttyS0. No virtio, no PSCI, no second UART, no working reset in QEMU 7.2's model (see
# README.md). Facts only; no logic.
set(KERNEL_ARCH        arm)
set(SRCARCH            arm)
set(CROSS_COMPILE      arm-linux-gnueabihf-)
set(CROSS_PACKAGE      gcc-arm-linux-gnueabihf)
set(CROSS_PACKAGE_FEDORA gcc-arm-linux-gnu)
set(LIBC_PACKAGE       libc6-dev-armhf-cross)
set(GCC_MACHINE        "^arm-")
set(KERNEL_TARGET      zImage)
set(KERNEL_IMAGE       arch/arm/boot/zImage)
set(DTB                sun4i-a10-cubieboard.dtb)  # built by kbuild (make dtbs); found under arch/arm/boot/dts/
set(DTB_CONFIG         CONFIG_MACH_SUN4I)        # the Kconfig option that makes kbuild build it
set(QEMU_BINARY        qemu-system-arm)
set(QEMU_PACKAGE       qemu-system-arm)
set(QEMU_PACKAGE_FEDORA qemu-system-arm-core)
set(QEMU_MACHINE       cubieboard)
set(QEMU_CPU           cortex-a8)
set(QEMU_MEMORY        512M)   # the board has 512 MiB or 1 GiB; QEMU takes only those
set(CONSOLE            ttyS0)
set(EARLYCON           "earlycon=uart,mmio32,0x01c28000")
set(GDB_ARCH           arm)
set(KVM_HOST           armv7l)
set(KGDB_TTY           "")   # QEMU's A10 model has UART0 only, the console: none left for KGDB
set(QEMU_VIRTIO        "")   # no virtio transport: the root filesystem is the initramfs
set(DEBIAN_ARCH        armhf)

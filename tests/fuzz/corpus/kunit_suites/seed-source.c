// The source of the ELF seeds here (also a seed itself: not an ELF file). Built with
// gcc -O1 -static -nostdlib -no-pie (x86_64.elf), arm-linux-gnueabihf-gcc the same (arm.elf), and
// aarch64-linux-gnu-gcc -O1 -nostdlib -fpie -Wl,-pie,--no-apply-dynamic-relocs,-z,notext,-z,max-page-size=0x1000
// (arm64-relocatable.elf: its table holds zeros, the pointers are in .rela.dyn, as in an arm64 vmlinux).
struct kunit_suite { char name[256]; int cases; };
struct kunit_suite list_suite = {"list-kunit-test", 1}, example_suite = {"example", 2};
__asm__(".section .data.kunit,\"aw\"\n.balign 8\n.globl __kunit_suites_start\n__kunit_suites_start:\n"
#ifdef __LP64__
        ".quad list_suite\n.quad example_suite\n"
#else
        ".long list_suite\n.long example_suite\n"
#endif
        ".globl __kunit_suites_end\n__kunit_suites_end:\n.text\n");
void _start(void) { for (;;); }

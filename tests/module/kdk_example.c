// SPDX-License-Identifier: GPL-2.0
/*
 * kdk_example: the out-of-tree module kdk's tests build with kdk_add_kernel_module().
 *
 * /sys/kernel/debug/kdk_example/poke   write a number: kdk_example_poke() records it and unpacks
 *                                      an .xz stream with the in-tree xz_dec module (XZ_DEC=m,
 *                                      which modprobe loads first through modules.dep, and which
 *                                      every kernel from 6.1 on lets a user select); read both back
 * /sys/kernel/debug/kdk_example/oops   write anything: a NULL pointer dereference in
 *                                      kdk_example_oops(), for the oops-decoding test
 *
 * kdk_example_poke() is the function worth a breakpoint (gdb.<arch>.module).
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/xz.h>

static struct dentry *kdk_example_dir;
static unsigned int kdk_example_pokes;
static long kdk_example_last;
static char kdk_example_unpacked[96];

/* "kdk_example kdk_example kdk_example kdk_example: unpacked by xz_dec", packed with
 * xz --check=crc32 --lzma2=dict=4KiB (an LZMA2 chunk with a match, and a CRC32 to check). */
static const u8 kdk_example_xz[] = {
	0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x01, 0x69, 0x22, 0xde, 0x36,
	0x02, 0x00, 0x21, 0x01, 0x00, 0x00, 0x00, 0x00, 0x37, 0x27, 0x97, 0xd6,
	0xe0, 0x00, 0x42, 0x00, 0x27, 0x5d, 0x00, 0x35, 0x99, 0x09, 0xb7, 0x59,
	0x4e, 0x87, 0xff, 0xbd, 0x23, 0x6e, 0x0f, 0xee, 0xee, 0x04, 0xbf, 0xae,
	0xb2, 0xb5, 0xb1, 0x55, 0x63, 0x55, 0xf6, 0xad, 0x2b, 0x36, 0x7c, 0xec,
	0x22, 0x48, 0xf4, 0xd8, 0x16, 0x10, 0x29, 0x8f, 0x63, 0x20, 0x00, 0x00,
	0x6b, 0x98, 0x64, 0x46, 0x00, 0x01, 0x3f, 0x43, 0x3d, 0x8f, 0x8d, 0x97,
	0x90, 0x42, 0x99, 0x0d, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x59, 0x5a
};

noinline void kdk_example_poke(long value, const char *text, size_t len)
{
	struct xz_buf b = {
		.in = kdk_example_xz, .in_size = sizeof(kdk_example_xz),
		.out = (u8 *)kdk_example_unpacked, .out_size = sizeof(kdk_example_unpacked) - 1,
	};
	struct xz_dec *xz = xz_dec_init(XZ_SINGLE, 0);
	enum xz_ret ret = xz ? xz_dec_run(xz, &b) : XZ_MEM_ERROR;

	xz_dec_end(xz);
	kdk_example_unpacked[ret == XZ_STREAM_END ? b.out_pos : 0] = '\0';
	kdk_example_pokes++;
	kdk_example_last = value;
	pr_info("kdk_example: poke %ld from '%.*s' (xz_dec: %d)\n", value, (int)len, text, ret);
}

/*
 * No printk here: gcc treats a function that always calls a __cold one (printk) as cold itself
 * and moves it, and its callers, to .text.unlikely. scripts/decode_stacktrace.sh (6.1) resolves
 * module addresses as offsets into .text, so such a trace would decode to wrong lines.
 * kdk_example_target is NULL, but the compiler cannot know it, for the same reason.
 */
int *kdk_example_target;

noinline void kdk_example_oops(void)
{
	WRITE_ONCE(*kdk_example_target, 1);
}

static ssize_t poke_write(struct file *file, const char __user *buf, size_t count, loff_t *ppos)
{
	char text[32];
	size_t len = min(count, sizeof(text) - 1);
	long value;
	int err;

	if (copy_from_user(text, buf, len))
		return -EFAULT;
	text[len] = '\0';
	len = strcspn(text, "\n");
	text[len] = '\0';
	err = kstrtol(text, 0, &value);
	if (err)
		return err;
	kdk_example_poke(value, text, len);
	return count;
}

static ssize_t poke_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	char text[160];
	int len = scnprintf(text, sizeof(text), "pokes=%u last=%ld xz=%s\n",
			    kdk_example_pokes, kdk_example_last, kdk_example_unpacked);

	return simple_read_from_buffer(buf, count, ppos, text, len);
}

static ssize_t oops_write(struct file *file, const char __user *buf, size_t count, loff_t *ppos)
{
	kdk_example_oops();
	return count;
}

static const struct file_operations poke_fops = {
	.owner = THIS_MODULE,
	.read = poke_read,
	.write = poke_write,
};

static const struct file_operations oops_fops = {
	.owner = THIS_MODULE,
	.write = oops_write,
};

static int __init kdk_example_init(void)
{
	kdk_example_dir = debugfs_create_dir("kdk_example", NULL);
	debugfs_create_file("poke", 0600, kdk_example_dir, NULL, &poke_fops);
	debugfs_create_file("oops", 0200, kdk_example_dir, NULL, &oops_fops);
	pr_info("kdk_example: loaded\n");
	return 0;
}

static void __exit kdk_example_exit(void)
{
	debugfs_remove(kdk_example_dir);
	pr_info("kdk_example: unloaded\n");
}

module_init(kdk_example_init);
module_exit(kdk_example_exit);
MODULE_DESCRIPTION("kdk's example module: a debugfs file, a function to break on, an oops on demand");
MODULE_LICENSE("GPL");

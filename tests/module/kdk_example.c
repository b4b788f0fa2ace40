// SPDX-License-Identifier: GPL-2.0
/*
 * kdk_example: the out-of-tree module kdk's tests build with kdk_add_kernel_module().
 *
 * /sys/kernel/debug/kdk_example/poke   write a number: kdk_example_poke() records it and its
 *                                      CRC-CCITT (from the in-tree crc-ccitt module, which
 *                                      modprobe loads first through modules.dep); read it back
 * /sys/kernel/debug/kdk_example/oops   write anything: a NULL pointer dereference in
 *                                      kdk_example_oops(), for the oops-decoding test
 *
 * kdk_example_poke() is the function worth a breakpoint (gdb.<arch>.module).
 */
#include <linux/crc-ccitt.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/uaccess.h>

static struct dentry *kdk_example_dir;
static unsigned int kdk_example_pokes;
static long kdk_example_last;
static u16 kdk_example_crc;

noinline void kdk_example_poke(long value, const char *text, size_t len)
{
	kdk_example_pokes++;
	kdk_example_last = value;
	kdk_example_crc = crc_ccitt(0, (const u8 *)text, len);
	pr_info("kdk_example: poke %ld (crc-ccitt 0x%04x)\n", value, kdk_example_crc);
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
	char text[96];
	int len = scnprintf(text, sizeof(text), "pokes=%u last=%ld crc-ccitt=0x%04x\n",
			    kdk_example_pokes, kdk_example_last, kdk_example_crc);

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

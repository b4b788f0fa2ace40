// SPDX-License-Identifier: GPL-2.0
/* The module of kdk's example dependency project (examples/hello-module). */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

static int hello_greetings = 1;
module_param(hello_greetings, int, 0444);
MODULE_PARM_DESC(hello_greetings, "How many times to greet when loaded");

static int __init hello_init(void)
{
	int i;

	for (i = 0; i < hello_greetings; i++)
		pr_info("hello: loaded (%d of %d)\n", i + 1, hello_greetings);
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("hello: unloaded\n");
}

module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kdk's example out-of-tree module");

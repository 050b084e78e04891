// SPDX-License-Identifier: GPL-2.0
/*
 * ftrace callbacks on one function each (see fhook.h): set up at load, so
 * a function ftrace cannot trace refuses the load, and registered while
 * the module is enabled.
 */
#include <linux/string.h>
#include "fhook.h"

/*
 * @ops filtered to @symbol, calling @func; 0 or -errno. Permanent: with
 * the kernel.ftrace_enabled sysctl at 0 the callback would silently stop,
 * so arming then fails, and the sysctl refuses 0 while armed.
 */
int sm_fhook_init(struct ftrace_ops *ops, ftrace_func_t func,
		  const char *symbol)
{
	int ret;

	*ops = (struct ftrace_ops){
		.func = func,
		.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_RECURSION |
			 FTRACE_OPS_FL_PERMANENT,
	};
	ret = ftrace_set_filter(ops, (unsigned char *)symbol, strlen(symbol),
				1);
	if (ret)
		ftrace_free_filter(ops);
	return ret;
}

/* @ops unregistered, or never registered. */
void sm_fhook_free(struct ftrace_ops *ops)
{
	ftrace_free_filter(ops);
}

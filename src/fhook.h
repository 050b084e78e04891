/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SMART_MADVISE_FHOOK_H
#define SMART_MADVISE_FHOOK_H

#include <linux/ftrace.h>
#include <linux/kconfig.h>
#include <linux/ptrace.h>
#include <linux/trace_recursion.h>

/*
 * An ftrace callback at a function's entry, with its registers: cheaper
 * than a kprobe, which on arm64 traps twice a hit, and on x86 runs its own
 * lookup on top of the same ftrace call. Only where ftrace saves the
 * registers (x86; arm64 up to 6.1, 6.2 moved it to ftrace_regs).
 */
static inline bool sm_fhook_supported(void)
{
	return IS_ENABLED(CONFIG_DYNAMIC_FTRACE_WITH_REGS);
}

int sm_fhook_init(struct ftrace_ops *ops, ftrace_func_t func,
		  const char *symbol);
void sm_fhook_free(struct ftrace_ops *ops);

/*
 * The body of a callback: @entry gets the registers, which it may change
 * (ftrace reloads the arguments from them), with preemption off under the
 * recursion lock, as a kprobe handler runs.
 */
static __always_inline void sm_fhook_call(unsigned long ip,
					  unsigned long parent_ip,
					  struct ftrace_regs *fregs,
					  void (*entry)(struct pt_regs *regs))
{
	struct pt_regs *regs = ftrace_get_regs(fregs);
	int bit;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	if (regs)
		entry(regs);
	ftrace_test_recursion_unlock(bit);
}

#endif

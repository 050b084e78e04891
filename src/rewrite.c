// SPDX-License-Identifier: GPL-2.0
/*
 * In-place advice rewrite. A kprobe on do_madvise(), the one funnel of
 * madvise(2), process_madvise(2) and io_uring, edits the behavior
 * argument in pt_regs: the ftrace trampoline reloads argument registers
 * from pt_regs when the pre-handler returns 0. Where do_madvise() is
 * inlined into the syscall (Ubuntu 5.15 has do_madvise.part.0 instead),
 * a kretprobe on the syscall wrapper edits the caller's saved advice
 * register on entry and restores it on return, so user space sees its
 * own registers back.
 */
#include <linux/delay.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/string.h>
#include "smart_madvise.h"
#include "compat.h"

enum sm_madvise_hook { SM_MADV_AUTO, SM_MADV_DO_MADVISE, SM_MADV_SYSCALL };
static const char * const sm_madvise_hook_names[] = {
	[SM_MADV_AUTO] = "auto",
	[SM_MADV_DO_MADVISE] = "do_madvise",
	[SM_MADV_SYSCALL] = "syscall",
};

static unsigned int sm_madvise_hook_wanted = SM_MADV_AUTO;
static enum sm_madvise_hook sm_madvise_hook_used;
static struct kprobe sm_madvise_kp;
static struct kretprobe sm_sys_madvise_krp;
static unsigned long sm_missed_before;
/* Syscall hook: calls whose register must still be restored on return. */
static atomic_t sm_sys_madvise_inflight = ATOMIC_INIT(0);
static bool sm_sys_madvise_draining;

static struct sm_choice sm_madvise_hook_choice = {
	.names = sm_madvise_hook_names,
	.nr = ARRAY_SIZE(sm_madvise_hook_names),
	.val = &sm_madvise_hook_wanted,
};

module_param_cb(madvise_hook, &sm_choice_ops, &sm_madvise_hook_choice, 0444);
MODULE_PARM_DESC(madvise_hook,
		 "madvise hook: auto, do_madvise (kprobe) or syscall (kretprobe)");

/* do_madvise(mm, start, len_in, behavior) */
static int sm_madvise_kp_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct mm_struct *mm = (void *)regs_get_kernel_argument(regs, 0);
	unsigned long *behavior = sm_arg_slot(regs, 3);
	int advice = (int)*behavior;
	int applied;

	sm_stat_inc(madvise_calls);
	/* process_madvise() on another process, or a kernel caller (DAMON). */
	if (mm != current->mm || !sm_advice_is_hint(advice))
		return 0;
	applied = sm_tracker_advise(mm, regs_get_kernel_argument(regs, 1),
				    regs_get_kernel_argument(regs, 2), advice);
	if (applied != advice)
		*behavior = applied;
	return 0;
}

struct sm_sys_madvise_saved {
	unsigned long *slot;
	unsigned long value;
};

static int sm_sys_madvise_entry(struct kretprobe_instance *ri,
				struct pt_regs *regs)
{
	struct sm_sys_madvise_saved *saved = (void *)ri->data;
	struct pt_regs *user = (void *)regs_get_kernel_argument(regs, 0);
	unsigned long *slot = sm_arg_slot(user, 2);
	int advice = (int)*slot;
	int applied;

	sm_stat_inc(madvise_calls);
	if (!sm_advice_is_hint(advice) || !current->mm)
		return 1;	/* nothing to restore: skip the return handler */
	atomic_inc(&sm_sys_madvise_inflight);
	/* Counted before the check: sm_rewrite_stop() sees us or we it. */
	smp_mb__after_atomic();
	if (READ_ONCE(sm_sys_madvise_draining))
		goto not_rewritten;
	applied = sm_tracker_advise(current->mm, *sm_arg_slot(user, 0),
				    *sm_arg_slot(user, 1), advice);
	if (applied == advice)
		goto not_rewritten;
	saved->slot = slot;
	saved->value = *slot;
	*slot = applied;
	return 0;

not_rewritten:
	atomic_dec(&sm_sys_madvise_inflight);
	return 1;
}

static int sm_sys_madvise_return(struct kretprobe_instance *ri,
				 struct pt_regs *regs)
{
	struct sm_sys_madvise_saved *saved = (void *)ri->data;

	*saved->slot = saved->value;
	atomic_dec(&sm_sys_madvise_inflight);
	return 0;
}

static bool sm_symbol_probeable(const char *symbol)
{
	struct kprobe kp = { .symbol_name = symbol };

	if (register_kprobe(&kp))
		return false;
	unregister_kprobe(&kp);
	return true;
}

int sm_rewrite_init(void)
{
	const char *symbol;

	sm_madvise_hook_used = sm_madvise_hook_wanted;
	if (sm_madvise_hook_used == SM_MADV_AUTO)
		sm_madvise_hook_used = sm_symbol_probeable("do_madvise.part.0") ?
				       SM_MADV_SYSCALL : SM_MADV_DO_MADVISE;
	/* Refuse the load now rather than every later enable=1. */
	symbol = sm_madvise_hook_used == SM_MADV_SYSCALL ? SM_SYS_MADVISE :
							   "do_madvise";
	if (!sm_symbol_probeable(symbol)) {
		pr_err("madvise_hook=%s: %s cannot be probed on this kernel\n",
		       sm_madvise_hook_names[sm_madvise_hook_used], symbol);
		return -ENOENT;
	}
	return 0;
}

int sm_rewrite_start(void)
{
	int ret;

	if (sm_madvise_hook_used == SM_MADV_SYSCALL) {
		sm_sys_madvise_krp = (struct kretprobe){
			.kp.symbol_name = SM_SYS_MADVISE,
			.entry_handler = sm_sys_madvise_entry,
			.handler = sm_sys_madvise_return,
			.data_size = sizeof(struct sm_sys_madvise_saved),
			.maxactive = 4 * num_possible_cpus(),
		};
		ret = register_kretprobe(&sm_sys_madvise_krp);
	} else {
		sm_madvise_kp = (struct kprobe){
			.symbol_name = "do_madvise",
			.pre_handler = sm_madvise_kp_pre,
		};
		ret = register_kprobe(&sm_madvise_kp);
	}
	if (ret)
		pr_err("cannot hook madvise (%s): %d\n", sm_rewrite_hook_name(),
		       ret);
	return ret;
}

void sm_rewrite_stop(void)
{
	if (sm_madvise_hook_used == SM_MADV_SYSCALL) {
		/*
		 * A return handler that never runs would hand the caller its
		 * rewritten register: let every rewritten call return first.
		 */
		WRITE_ONCE(sm_sys_madvise_draining, true);
		smp_mb();	/* pairs with the entry handler's barrier */
		while (atomic_read(&sm_sys_madvise_inflight))
			usleep_range(1000, 2000);
		unregister_kretprobe(&sm_sys_madvise_krp);
		WRITE_ONCE(sm_sys_madvise_draining, false);
		sm_missed_before += sm_sys_madvise_krp.nmissed +
				    sm_sys_madvise_krp.kp.nmissed;
		sm_sys_madvise_krp.nmissed = 0;
		sm_sys_madvise_krp.kp.nmissed = 0;
	} else {
		unregister_kprobe(&sm_madvise_kp);
		sm_missed_before += sm_madvise_kp.nmissed;
		sm_madvise_kp.nmissed = 0;
	}
}

const char *sm_rewrite_hook_name(void)
{
	return sm_madvise_hook_names[sm_madvise_hook_used];
}

unsigned long sm_rewrite_missed(void)
{
	if (sm_madvise_hook_used == SM_MADV_SYSCALL)
		return sm_missed_before + sm_sys_madvise_krp.nmissed +
		       sm_sys_madvise_krp.kp.nmissed;
	return sm_missed_before + sm_madvise_kp.nmissed;
}

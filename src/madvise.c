// SPDX-License-Identifier: GPL-2.0
/*
 * In-place advice rewrite. An ftrace callback on do_madvise(), the funnel
 * of madvise(2) and io_uring (and, up to 6.14, of process_madvise(2)),
 * edits the behavior argument in pt_regs: the ftrace trampoline reloads
 * argument registers from them. Where ftrace does not save registers
 * (arm64 from 6.2), or the fault hook is an ftrace callback already
 * (arm64), a kprobe there does the same. Where do_madvise()
 * is inlined into the syscall (Ubuntu 5.15 has do_madvise.part.0 instead),
 * a kretprobe on the syscall wrapper edits the caller's saved advice
 * register on entry and restores it on return, so user space sees its
 * own registers back; on x86 a second one does the same for 32-bit
 * programs, which enter through __ia32_sys_madvise.
 *
 * From 6.15 process_madvise(2) no longer calls do_madvise(): it takes the
 * lock once and runs every range through madvise_do_behavior() from
 * vector_madvise(mm, iter, behavior). Where vector_madvise can be probed,
 * a second kprobe edits its behavior the same way. Where the kernel has
 * madvise_do_behavior but vector_madvise cannot be probed, process_madvise
 * on the caller would escape the rewrite: the load is refused.
 */
#include <linux/delay.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "compat.h"
#include "fhook.h"
#include "madvise.h"
#include "rewrite.h"
#include "tunables.h"
#include "tracker.h"

enum sm_madvise_hook { SM_MADV_AUTO, SM_MADV_DO_MADVISE, SM_MADV_SYSCALL };
static const char * const sm_madvise_hook_names[] = {
	[SM_MADV_AUTO] = "auto",
	[SM_MADV_DO_MADVISE] = "do_madvise",
	[SM_MADV_SYSCALL] = "syscall",
};

static unsigned int sm_madvise_hook_wanted = SM_MADV_AUTO;
static enum sm_madvise_hook sm_madvise_hook_used;
static struct kprobe sm_madvise_kp;
static struct ftrace_ops sm_madvise_fops;
static bool sm_madvise_ftraced;	/* do_madvise by sm_madvise_fops */
static struct kprobe sm_vector_kp;
static bool sm_vector_hooked;
/* The syscall hook: the native entry and, on x86, the ia32 one. */
static struct kretprobe sm_sys_madvise_krp[2];
static unsigned int sm_sys_madvise_nr;
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

/*
 * The advice a process's own madvise() over [start, start + len) gets,
 * logging every would-be rewrite. madvise() strips an arm64 pointer tag
 * and rounds the length up to pages: the range is the one it advises.
 */
static int sm_madvise_decide(struct mm_struct *mm, unsigned long start,
			     size_t len, int advice)
{
	bool dry_run = READ_ONCE(sm_tun.dry_run);
	struct sm_advice_answer ans;
	struct sm_rewrite_rec rec;

	start = untagged_addr(start);
	sm_tracker_advise(mm, start, start + PAGE_ALIGN(len), advice, dry_run,
			  &ans);
	if (ans.applied == advice)
		return advice;
	rec = (struct sm_rewrite_rec){
		.start = start,
		.len = len,
		.tgid = current->tgid,
		.asked = advice,
		.applied = ans.applied,
		.seq_permille = ans.seq_permille,
		.mode = dry_run ? SM_MODE_DRY_RUN : SM_MODE_APPLIED,
	};
	sm_task_comm(rec.comm, current);
	sm_rewrite_log(&rec);
	return dry_run ? advice : ans.applied;
}

/*
 * Rewrite the advice in argument slot @slot of a call on mm over
 * [start, start+len) (for a vector: its first range).
 */
static void sm_rewrite_behavior(struct pt_regs *regs, unsigned int slot,
				struct mm_struct *mm, unsigned long start,
				size_t len)
{
	int advice = (int)sm_arg_get(regs, slot);
	int applied;

	sm_rewrite_count_call();
	/* process_madvise() on another process, or a kernel caller (DAMON). */
	if (mm != current->mm)
		return;
	applied = sm_madvise_decide(mm, start, len, advice);
	if (applied != advice)
		sm_arg_set(regs, slot, applied);
}

/* do_madvise(mm, start, len_in, behavior), at its entry */
static void sm_madvise_entry(struct pt_regs *regs)
{
	if (SM_COST_STOP == SM_COST_HOOK)
		return;
	sm_rewrite_behavior(regs, 3, (void *)regs_get_kernel_argument(regs, 0),
			    regs_get_kernel_argument(regs, 1),
			    regs_get_kernel_argument(regs, 2));
}

static int sm_madvise_kp_pre(struct kprobe *kp, struct pt_regs *regs)
{
	sm_madvise_entry(regs);
	return 0;
}

static void notrace sm_madvise_ftrace(unsigned long ip,
				      unsigned long parent_ip,
				      struct ftrace_ops *ops,
				      struct ftrace_regs *fregs)
{
	sm_fhook_call(ip, parent_ip, fregs, sm_madvise_entry);
}

/*
 * vector_madvise(mm, iter, behavior), 6.15+: process_madvise()'s ranges,
 * already copied into the kernel by import_iovec().
 */
static int sm_vector_kp_pre(struct kprobe *kp, struct pt_regs *regs)
{
	unsigned long start;
	size_t len;

	sm_iter_first_range((void *)regs_get_kernel_argument(regs, 1), &start,
			    &len);
	sm_rewrite_behavior(regs, 2, (void *)regs_get_kernel_argument(regs, 0),
			    start, len);
	return 0;
}

struct sm_sys_madvise_saved {
	struct pt_regs *user;	/* the caller's, its advice register */
	unsigned long value;
};

/*
 * Entry of the madvise syscall wrapper: @user holds the caller's registers,
 * its advice in slot 2 for either ABI, its range in @start and @len.
 */
static int sm_sys_madvise_rewrite(struct kretprobe_instance *ri,
				  struct pt_regs *user, unsigned long start,
				  size_t len)
{
	struct sm_sys_madvise_saved *saved = (void *)ri->data;
	unsigned long value = sm_arg_get(user, 2);
	int advice = (int)value;
	int applied;

	sm_rewrite_count_call();
	if (!current->mm)
		return 1;	/* nothing to restore: skip the return handler */
	if (!sm_advice_is_hint(advice)) {
		sm_madvise_decide(current->mm, start, len, advice);
		return 1;
	}
	atomic_inc(&sm_sys_madvise_inflight);
	/* Counted before the check: sm_madvise_stop() sees us or we it. */
	smp_mb__after_atomic();
	if (READ_ONCE(sm_sys_madvise_draining))
		goto not_rewritten;
	applied = sm_madvise_decide(current->mm, start, len, advice);
	if (applied == advice)
		goto not_rewritten;
	saved->user = user;
	saved->value = value;
	sm_arg_set(user, 2, applied);
	return 0;

not_rewritten:
	atomic_dec(&sm_sys_madvise_inflight);
	return 1;
}

static int sm_sys_madvise_entry(struct kretprobe_instance *ri,
				struct pt_regs *regs)
{
	struct pt_regs *user = (void *)regs_get_kernel_argument(regs, 0);

	return sm_sys_madvise_rewrite(ri, user, sm_arg_get(user, 0),
				      sm_arg_get(user, 1));
}

static int sm_sys_madvise_ia32_entry(struct kretprobe_instance *ri,
				     struct pt_regs *regs)
{
	struct pt_regs *user = (void *)regs_get_kernel_argument(regs, 0);

	return sm_sys_madvise_rewrite(ri, user, sm_ia32_arg(user, 0),
				      sm_ia32_arg(user, 1));
}

static int sm_sys_madvise_return(struct kretprobe_instance *ri,
				 struct pt_regs *regs)
{
	struct sm_sys_madvise_saved *saved = (void *)ri->data;

	sm_arg_set(saved->user, 2, saved->value);
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

int sm_madvise_init(void)
{
	const char *symbol;

	sm_madvise_hook_used = sm_madvise_hook_wanted;
	if (sm_madvise_hook_used == SM_MADV_AUTO)
		sm_madvise_hook_used = sm_symbol_probeable("do_madvise.part.0") ?
				       SM_MADV_SYSCALL : SM_MADV_DO_MADVISE;
	/* Refuse the load now rather than every later enable=1. */
	symbol = sm_madvise_hook_used == SM_MADV_SYSCALL ? SM_SYS_MADVISE :
							   "do_madvise";
	/*
	 * Beside an ftrace fault hook, a second ftrace_ops makes every fault
	 * walk ftrace's list of ops where there are no per-ops trampolines
	 * (arm64 6.1: 42 more instructions a fault, to save 490 a call).
	 */
	if (sm_madvise_hook_used == SM_MADV_DO_MADVISE && sm_fhook_supported() &&
	    !sm_tracker_ftraced())
		sm_madvise_ftraced = !sm_fhook_init(&sm_madvise_fops,
						    sm_madvise_ftrace, symbol);
	if (!sm_madvise_ftraced && !sm_symbol_probeable(symbol)) {
		pr_err("madvise_hook=%s: %s cannot be probed on this kernel\n",
		       sm_madvise_hook_names[sm_madvise_hook_used], symbol);
		return -ENOENT;
	}
	sm_vector_hooked = sm_symbol_probeable("vector_madvise");
	if (!sm_vector_hooked && sm_symbol_probeable("madvise_do_behavior")) {
		pr_err("process_madvise() bypasses do_madvise() on this kernel (madvise_do_behavior) and vector_madvise cannot be probed: refusing to load\n");
		sm_madvise_exit();
		return -EOPNOTSUPP;
	}
	return 0;
}

void sm_madvise_exit(void)
{
	if (sm_madvise_ftraced)
		sm_fhook_free(&sm_madvise_fops);
	sm_madvise_ftraced = false;
}

static int sm_vector_start(void)
{
	int ret;

	if (!sm_vector_hooked)
		return 0;
	sm_vector_kp = (struct kprobe){
		.symbol_name = "vector_madvise",
		.pre_handler = sm_vector_kp_pre,
	};
	ret = register_kprobe(&sm_vector_kp);
	if (ret)
		pr_err("cannot hook process_madvise (vector_madvise): %d\n", ret);
	return ret;
}

static void sm_vector_stop(void)
{
	if (!sm_vector_hooked)
		return;
	unregister_kprobe(&sm_vector_kp);
	sm_missed_before += sm_vector_kp.nmissed;
	sm_vector_kp.nmissed = 0;
}

static void sm_sys_madvise_unregister(void)
{
	struct kretprobe *krp;

	while (sm_sys_madvise_nr) {
		krp = &sm_sys_madvise_krp[--sm_sys_madvise_nr];
		unregister_kretprobe(krp);
		sm_missed_before += krp->nmissed + krp->kp.nmissed;
		krp->nmissed = 0;
		krp->kp.nmissed = 0;
	}
}

static int sm_sys_madvise_register(const char *symbol,
				   kretprobe_handler_t entry)
{
	struct kretprobe *krp = &sm_sys_madvise_krp[sm_sys_madvise_nr];
	int ret;

	*krp = (struct kretprobe){
		.kp.symbol_name = symbol,
		.entry_handler = entry,
		.handler = sm_sys_madvise_return,
		.data_size = sizeof(struct sm_sys_madvise_saved),
		.maxactive = 4 * num_possible_cpus(),
	};
	ret = register_kretprobe(krp);
	if (!ret)
		sm_sys_madvise_nr++;
	return ret;
}

/* The native entry; the ia32 one where the kernel runs 32-bit programs. */
static int sm_sys_madvise_start(void)
{
	int ret;

	ret = sm_sys_madvise_register(SM_SYS_MADVISE, sm_sys_madvise_entry);
	if (ret || !SM_SYS_MADVISE_IA32 ||
	    !sm_symbol_probeable(SM_SYS_MADVISE_IA32))
		return ret;
	ret = sm_sys_madvise_register(SM_SYS_MADVISE_IA32,
				      sm_sys_madvise_ia32_entry);
	if (ret)
		sm_sys_madvise_unregister();
	return ret;
}

static void sm_funnel_stop(void)
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
		sm_sys_madvise_unregister();
		WRITE_ONCE(sm_sys_madvise_draining, false);
	} else if (sm_madvise_ftraced) {
		/* waits until no CPU is in the callback */
		unregister_ftrace_function(&sm_madvise_fops);
	} else {
		unregister_kprobe(&sm_madvise_kp);
		sm_missed_before += sm_madvise_kp.nmissed;
		sm_madvise_kp.nmissed = 0;
	}
}

int sm_madvise_start(void)
{
	int ret;

	if (sm_madvise_hook_used == SM_MADV_SYSCALL) {
		ret = sm_sys_madvise_start();
	} else if (sm_madvise_ftraced) {
		ret = register_ftrace_function(&sm_madvise_fops);
	} else {
		sm_madvise_kp = (struct kprobe){
			.symbol_name = "do_madvise",
			.pre_handler = sm_madvise_kp_pre,
		};
		ret = register_kprobe(&sm_madvise_kp);
	}
	if (ret) {
		pr_err("cannot hook madvise (%s): %d\n", sm_madvise_hook_name(),
		       ret);
		return ret;
	}
	ret = sm_vector_start();
	if (ret)
		sm_funnel_stop();
	return ret;
}

void sm_madvise_stop(void)
{
	sm_vector_stop();
	sm_funnel_stop();
}

const char *sm_madvise_hook_name(void)
{
	return sm_madvise_hook_names[sm_madvise_hook_used];
}

unsigned long sm_madvise_missed(void)
{
	unsigned long missed = sm_missed_before;
	unsigned int i;

	if (sm_vector_hooked)
		missed += sm_vector_kp.nmissed;
	if (sm_madvise_hook_used != SM_MADV_SYSCALL)
		return missed + sm_madvise_kp.nmissed;
	for (i = 0; i < sm_sys_madvise_nr; i++)
		missed += sm_sys_madvise_krp[i].nmissed +
			  sm_sys_madvise_krp[i].kp.nmissed;
	return missed;
}

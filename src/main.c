// SPDX-License-Identifier: GPL-2.0
/*
 * smart_madvise: learns whether each process really faults sequentially
 * or randomly and rewrites the access-pattern advice of its madvise()
 * calls to match.
 */
#include <linux/module.h>
#include "debugfs.h"
#include "madvise.h"
#include "profiler.h"
#include "tunables.h"
#include "tracker.h"
#include "vma.h"

/* Arms or disarms every probe as a whole; tunables.c serialises calls. */
static int sm_arm(bool on)
{
	int ret;

	if (!on) {
		sm_madvise_stop();
		sm_tracker_stop();
		return 0;
	}
	ret = sm_tracker_start();
	if (ret)
		return ret;
	ret = sm_madvise_start();
	if (ret)
		sm_tracker_stop();
	return ret;
}

static const struct sm_tunables_ops sm_tunables_ops = {
	.set_enable = sm_arm,
	.fault_hook_name = sm_tracker_hook_name,
	.madvise_hook_name = sm_madvise_hook_name,
	.late_unsupported = sm_vma_late_unsupported,
};

/*
 * For the test suite only: fail the load at one step of sm_init(), to
 * prove that every unwind leaves nothing armed or allocated behind.
 */
enum sm_init_step { SM_STEP_NONE, SM_STEP_DEBUGFS, SM_STEP_PROFILER,
		    SM_STEP_SYSFS, SM_STEP_ARMED };
static const char * const sm_init_step_names[] = {
	[SM_STEP_NONE] = "none",
	[SM_STEP_DEBUGFS] = "debugfs",
	[SM_STEP_PROFILER] = "profiler",
	[SM_STEP_SYSFS] = "sysfs",
	[SM_STEP_ARMED] = "armed",
};

static unsigned int sm_fail_init_at = SM_STEP_NONE;
static struct sm_choice sm_fail_init_choice = {
	.names = sm_init_step_names,
	.nr = ARRAY_SIZE(sm_init_step_names),
	.val = &sm_fail_init_at,
};

module_param_cb(fail_init_at, &sm_choice_ops, &sm_fail_init_choice, 0444);
MODULE_PARM_DESC(fail_init_at,
		 "Test suite only: fail loading after this step (none, debugfs, profiler, sysfs, armed)");

static int sm_init_injected(enum sm_init_step step)
{
	if (sm_fail_init_at != step)
		return 0;
	pr_err("failing the load after step %s (fail_init_at)\n",
	       sm_init_step_names[step]);
	return -ENOMEM;
}

static int __init sm_init(void)
{
	/* enable=1 at load arms the probes last, once everything exists. */
	bool enable = sm_tun.enable;
	int ret;

	sm_tun.enable = 0;
	ret = sm_tracker_init();
	if (ret)
		return ret;
	ret = sm_madvise_init();
	if (ret)
		goto exit_tracker;
	sm_debugfs_init();
	ret = sm_init_injected(SM_STEP_DEBUGFS);
	if (ret)
		goto exit_debugfs;
	ret = sm_profiler_init();
	if (ret)
		goto exit_debugfs;
	ret = sm_init_injected(SM_STEP_PROFILER);
	if (ret)
		goto exit_profiler;
	/* Last: from here on user space may write enable=1. */
	ret = sm_tunables_init(&sm_tunables_ops);
	if (ret)
		goto exit_profiler;
	ret = sm_init_injected(SM_STEP_SYSFS);
	if (ret)
		goto exit_tunables;
	if (enable) {
		ret = sm_tunables_set_enable(true);
		if (ret)
			goto exit_tunables;
	}
	ret = sm_init_injected(SM_STEP_ARMED);
	if (ret)
		goto exit_tunables;
	pr_info("version %s loaded, fault hook %s, madvise hook %s\n",
		SMART_MADVISE_VERSION, sm_tracker_hook_name(),
		sm_madvise_hook_name());
	return 0;

exit_tunables:
	/* Whoever wrote enable=1 through sysfs meanwhile: no probe may outlive us. */
	sm_tunables_exit();
	sm_tunables_set_enable(false);
exit_profiler:
	sm_profiler_exit();
exit_debugfs:
	sm_debugfs_exit();
	sm_madvise_exit();
exit_tracker:
	sm_tracker_exit();
	return ret;
}

static void __exit sm_exit(void)
{
	sm_tunables_exit();
	sm_tunables_set_enable(false);
	sm_profiler_exit();	/* before the tracker: its ticks call sm_tracker_counts() */
	sm_debugfs_exit();
	sm_madvise_exit();
	sm_tracker_exit();
}

module_init(sm_init);
module_exit(sm_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("smart-madvise developers");
MODULE_DESCRIPTION("Rewrite madvise access-pattern hints from observed page faults");
MODULE_VERSION(SMART_MADVISE_VERSION);

// SPDX-License-Identifier: GPL-2.0
/*
 * smart_madvise: learns whether each process really faults sequentially
 * or randomly and rewrites the access-pattern advice of its madvise()
 * calls to match.
 */
#include <linux/module.h>
#include <linux/percpu.h>
#include "profiler.h"
#include "smart_madvise.h"

#define CREATE_TRACE_POINTS
#include "sm_trace.h"

DEFINE_PER_CPU(struct sm_stats, sm_stats);

u64 sm_stat_sum(size_t offset)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *(u64 *)((char *)per_cpu_ptr(&sm_stats, cpu) + offset);
	return sum;
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
	ret = sm_rewrite_init();
	if (ret)
		goto exit_tracker;
	sm_debugfs_init();
	ret = sm_tunables_init();
	if (ret)
		goto exit_debugfs;
	ret = sm_profiler_init();
	if (ret)
		goto exit_tunables;
	if (enable) {
		ret = sm_set_enable(true);
		if (ret)
			goto exit_profiler;
	}
	pr_info("version %s loaded, fault hook %s, madvise hook %s\n",
		SMART_MADVISE_VERSION, sm_tracker_hook_name(),
		sm_rewrite_hook_name());
	return 0;

exit_profiler:
	sm_profiler_exit();
exit_tunables:
	sm_tunables_exit();
exit_debugfs:
	sm_debugfs_exit();
exit_tracker:
	sm_tracker_exit();
	return ret;
}

static void __exit sm_exit(void)
{
	sm_profiler_exit();	/* first: its ticks call sm_tracker_counts() */
	sm_tunables_exit();
	sm_set_enable(false);
	sm_debugfs_exit();
	sm_tracker_exit();
}

module_init(sm_init);
module_exit(sm_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("smart-madvise developers");
MODULE_DESCRIPTION("Rewrite madvise access-pattern hints from observed page faults");
MODULE_VERSION(SMART_MADVISE_VERSION);

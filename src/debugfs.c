// SPDX-License-Identifier: GPL-2.0
/*
 * Counters in /sys/kernel/debug/smart_madvise/: text, root-only, and no
 * kernel pointer anywhere (user addresses of the advised ranges only).
 * Everything here formats snapshots the other files hand over.
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include "debugfs.h"
#include "decide.h"
#include "madvise.h"
#include "rewrite.h"
#include "tracker.h"

static struct dentry *sm_debugfs_dir;

static int sm_rewrites_show(struct seq_file *m, void *v)
{
	struct sm_rewrite_rec *recs;
	unsigned int i, n;

	recs = kmalloc_array(SM_REWRITE_LOG_LEN, sizeof(*recs), GFP_KERNEL);
	if (!recs)
		return -ENOMEM;
	n = sm_rewrite_log_copy(recs);
	seq_puts(m, "time_ns pid comm start length asked applied seq_permille mode\n");
	for (i = 0; i < n; i++) {
		struct sm_rewrite_rec *r = &recs[i];

		sm_comm_field(r->comm);
		seq_printf(m, "%llu %d %s 0x%lx 0x%zx %s %s %u %s\n",
			   r->time_ns, r->tgid, r->comm, r->start, r->len,
			   sm_advice_name(r->asked), sm_advice_name(r->applied),
			   r->seq_permille, sm_rewrite_mode_name(r->mode));
	}
	kfree(recs);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sm_rewrites);

static void sm_show_process(const struct sm_proc_view *v, void *arg)
{
	char comm[TASK_COMM_LEN];

	memcpy(comm, v->comm, sizeof(comm));
	sm_comm_field(comm);
	seq_printf(arg, "%d %s %llu %llu %llu %s %u %u\n", v->tgid, comm,
		   v->seq + v->rand, v->seq, v->rand,
		   sm_verdict_name(v->verdict), v->rewrites, v->late);
}

static int sm_processes_show(struct seq_file *m, void *v)
{
	seq_puts(m, "pid comm faults sequential random verdict rewrites late\n");
	sm_tracker_for_each(sm_show_process, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sm_processes);

static void sm_show_seq_faults(const struct sm_proc_view *v, void *arg)
{
	seq_printf(arg, "%d %llu\n", v->tgid, v->seq);
}

static int sm_seq_page_faults_show(struct seq_file *m, void *v)
{
	sm_tracker_for_each(sm_show_seq_faults, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sm_seq_page_faults);

static void sm_show_mappings(const struct sm_proc_view *v, void *arg)
{
	const struct sm_range_view *r;

	for (r = v->ranges; r < v->ranges + v->nr_ranges; r++)
		seq_printf(arg, "%d 0x%lx 0x%lx %s %u %u %s %u\n", v->tgid,
			   r->start, r->len, sm_advice_name(r->advice),
			   r->faults, r->seq_permille,
			   sm_verdict_name(r->verdict), r->corrections);
}

static int sm_mappings_show(struct seq_file *m, void *v)
{
	seq_puts(m, "pid start length advice faults seq_permille verdict corrections\n");
	sm_tracker_for_each(sm_show_mappings, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sm_mappings);

static int sm_stats_show(struct seq_file *m, void *v)
{
	struct sm_tracker_stats t;
	struct sm_rewrite_stats r;
	u64 counted;

	sm_tracker_stats(&t);
	sm_rewrite_stats(&r);
	/* Read apart from each other: clamp, never print a wrapped count. */
	counted = t.faults_sequential + t.faults_untracked + t.faults_repeat +
		  t.faults_dropped;
	seq_printf(m, "faults %llu\n", t.faults);
	seq_printf(m, "faults_sequential %llu\n", t.faults_sequential);
	seq_printf(m, "faults_random %llu\n",
		   t.faults > counted ? t.faults - counted : 0);
	seq_printf(m, "faults_untracked %llu\n", t.faults_untracked);
	seq_printf(m, "faults_repeat %llu\n", t.faults_repeat);
	seq_printf(m, "faults_dropped %llu\n", t.faults_dropped);
	seq_printf(m, "processes_tracked %u\n", sm_tracker_nr_procs());
	seq_printf(m, "mappings_tracked %u\n", sm_tracker_nr_ranges());
	seq_printf(m, "mappings_untracked %llu\n", t.mappings_untracked);
	seq_printf(m, "rewrites %llu\n", r.rewrites);
	seq_printf(m, "rewrites_dry_run %llu\n", r.rewrites_dry_run);
	seq_printf(m, "late_corrections %llu\n", r.late_corrections);
	seq_printf(m, "late_corrections_dry_run %llu\n",
		   r.late_corrections_dry_run);
	seq_printf(m, "late_skipped %llu\n", r.late_skipped);
	seq_printf(m, "madvise_calls %llu\n", r.madvise_calls);
	seq_printf(m, "probe_misses %lu\n",
		   sm_tracker_missed() + sm_madvise_missed());
	seq_printf(m, "allocations_live %ld\n", sm_tracker_nr_allocated());
	seq_printf(m, "sweeps_dropped %llu\n", t.sweeps_dropped);
	seq_printf(m, "handler_samples %llu\n", t.handler_samples);
	seq_printf(m, "handler_ns %llu\n", t.handler_ns);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sm_stats);

/*
 * The counters are optional: without debugfs the module still works and
 * is configured through sysfs, so this only says why the files are gone.
 */
void sm_debugfs_init(void)
{
	struct dentry *dir;

	dir = debugfs_create_dir("smart_madvise", NULL);
	if (IS_ERR(dir)) {
		pr_warn("no debugfs (%pe): no counters or logs; the sysfs tunables work\n",
			dir);
		return;
	}
	if (security_locked_down(LOCKDOWN_DEBUGFS))
		pr_notice("debugfs is locked down: the counters can't be read; the sysfs tunables work\n");
	sm_debugfs_dir = dir;
	debugfs_create_file("seq_page_faults", 0400, dir, NULL,
			    &sm_seq_page_faults_fops);
	debugfs_create_file("processes", 0400, dir, NULL, &sm_processes_fops);
	debugfs_create_file("mappings", 0400, dir, NULL, &sm_mappings_fops);
	debugfs_create_file("rewrites", 0400, dir, NULL, &sm_rewrites_fops);
	debugfs_create_file("stats", 0400, dir, NULL, &sm_stats_fops);
}

void sm_debugfs_exit(void)
{
	debugfs_remove_recursive(sm_debugfs_dir);
}

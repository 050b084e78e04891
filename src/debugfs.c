// SPDX-License-Identifier: GPL-2.0
/*
 * Counters in /sys/kernel/debug/smart_madvise/: text, root-only, and no
 * kernel pointer anywhere (user addresses of the advised ranges only).
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include "smart_madvise.h"

#define SM_LOG_LEN 128

static struct sm_rewrite_rec sm_log[SM_LOG_LEN];
static u64 sm_log_count;		/* records ever logged */
static DEFINE_RAW_SPINLOCK(sm_log_lock);	/* taken in the madvise probe */
static struct dentry *sm_debugfs_dir;

/*
 * One field per column, whatever (or nothing) the process named itself:
 * every byte outside printable ASCII (isgraph() in the C locale) becomes
 * '_', UTF-8 included, whether or not this kernel's char is signed.
 */
void sm_comm_field(char *comm)
{
	unsigned char *c;

	for (c = (unsigned char *)comm; *c; c++)
		if (*c < 0x21 || *c > 0x7e)
			*c = '_';
	if (!*comm)
		strscpy(comm, "-", TASK_COMM_LEN);
}

void sm_log_rewrite(const struct sm_rewrite_rec *rec)
{
	raw_spin_lock(&sm_log_lock);
	sm_log[sm_log_count % SM_LOG_LEN] = *rec;
	sm_log_count++;
	raw_spin_unlock(&sm_log_lock);
}

static int sm_rewrites_show(struct seq_file *m, void *v)
{
	struct sm_rewrite_rec *recs;
	unsigned int i, n;
	u64 first;

	recs = kmalloc_array(SM_LOG_LEN, sizeof(*recs), GFP_KERNEL);
	if (!recs)
		return -ENOMEM;
	raw_spin_lock(&sm_log_lock);
	n = min_t(u64, sm_log_count, SM_LOG_LEN);
	first = sm_log_count - n;
	for (i = 0; i < n; i++)
		recs[i] = sm_log[(first + i) % SM_LOG_LEN];
	raw_spin_unlock(&sm_log_lock);

	seq_puts(m, "time_ns pid comm start length asked applied seq_permille mode\n");
	for (i = 0; i < n; i++) {
		struct sm_rewrite_rec *r = &recs[i];

		sm_comm_field(r->comm);
		seq_printf(m, "%llu %d %s 0x%lx 0x%zx %s %s %u %s\n",
			   r->time_ns, r->tgid, r->comm, r->start, r->len,
			   sm_advice_name(r->asked), sm_advice_name(r->applied),
			   r->seq_permille, r->dry_run ? "dry_run" : "applied");
	}
	kfree(recs);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sm_rewrites);

static int sm_processes_show(struct seq_file *m, void *v)
{
	sm_tracker_show_processes(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sm_processes);

static int sm_seq_page_faults_show(struct seq_file *m, void *v)
{
	sm_tracker_show_seq_faults(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sm_seq_page_faults);

static int sm_stats_show(struct seq_file *m, void *v)
{
	u64 faults = sm_stat_read(faults);
	u64 seq = sm_stat_read(faults_sequential);
	u64 untracked = sm_stat_read(faults_untracked);

	/* Read apart from each other: clamp, never print a wrapped count. */
	seq_printf(m, "faults %llu\n", faults);
	seq_printf(m, "faults_sequential %llu\n", seq);
	seq_printf(m, "faults_random %llu\n",
		   faults > seq + untracked ? faults - seq - untracked : 0);
	seq_printf(m, "faults_untracked %llu\n", untracked);
	seq_printf(m, "processes_tracked %u\n", sm_tracker_nr_procs());
	seq_printf(m, "rewrites %llu\n", sm_stat_read(rewrites));
	seq_printf(m, "rewrites_dry_run %llu\n",
		   sm_stat_read(rewrites_dry_run));
	seq_printf(m, "madvise_calls %llu\n", sm_stat_read(madvise_calls));
	seq_printf(m, "probe_misses %lu\n",
		   sm_tracker_missed() + sm_rewrite_missed());
	seq_printf(m, "allocations_live %ld\n", sm_tracker_nr_allocated());
	seq_printf(m, "sweeps_dropped %llu\n", sm_stat_read(sweeps_dropped));
	seq_printf(m, "handler_samples %llu\n", sm_stat_read(handler_samples));
	seq_printf(m, "handler_ns %llu\n", sm_stat_read(handler_ns));
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
	debugfs_create_file("rewrites", 0400, dir, NULL, &sm_rewrites_fops);
	debugfs_create_file("stats", 0400, dir, NULL, &sm_stats_fops);
}

void sm_debugfs_exit(void)
{
	debugfs_remove_recursive(sm_debugfs_dir);
}

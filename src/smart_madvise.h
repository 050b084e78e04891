/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SMART_MADVISE_H
#define SMART_MADVISE_H

#include <linux/moduleparam.h>
#include <linux/types.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/string.h>
#include "decide.h"

struct dentry;
struct mm_struct;

/* Tunables; read locklessly with READ_ONCE(), written under sm_tun_lock. */
struct sm_tunables {
	unsigned int enable;
	unsigned int dry_run;
	unsigned int window_size;
	unsigned int threshold;
	unsigned int max_gap_pages;
	unsigned int max_processes;
	unsigned int sample_interval_ms;
};

extern struct sm_tunables sm_tun;

/* Per-CPU so the fault path never bounces a shared cache line. */
struct sm_stats {
	u64 faults;
	u64 faults_sequential;	/* the rest of the tracked faults are random */
	u64 faults_untracked;
	u64 madvise_calls;
	u64 rewrites;
	u64 rewrites_dry_run;
	u64 sweeps_dropped;
	u64 handler_samples;	/* fault handler calls timed */
	u64 handler_ns;		/* their total duration */
};

DECLARE_PER_CPU(struct sm_stats, sm_stats);
#define sm_stat_inc(field) this_cpu_inc(sm_stats.field)
u64 sm_stat_sum(size_t offset);
#define sm_stat_read(field) sm_stat_sum(offsetof(struct sm_stats, field))

/* tunables.c */
/* A load-time choice among names, for module_param_cb(..., &sm_choice_ops). */
struct sm_choice {
	const char * const *names;
	size_t nr;
	unsigned int *val;
};

extern const struct kernel_param_ops sm_choice_ops;

int sm_tunables_init(void);
void sm_tunables_exit(void);
int sm_set_enable(bool on);

/* tracker.c */
int sm_tracker_init(void);
void sm_tracker_exit(void);
int sm_tracker_start(void);
void sm_tracker_stop(void);
const char *sm_tracker_hook_name(void);
unsigned int sm_tracker_nr_procs(void);
long sm_tracker_nr_allocated(void);
unsigned long sm_tracker_missed(void);
int sm_tracker_counts(pid_t tgid, u64 *seq, u64 *rand);
int sm_tracker_advise(struct mm_struct *mm, unsigned long start, size_t len,
		      int advice);
void sm_tracker_show_processes(struct seq_file *m);
void sm_tracker_show_seq_faults(struct seq_file *m);

/* rewrite.c */
int sm_rewrite_init(void);
int sm_rewrite_start(void);
void sm_rewrite_stop(void);
const char *sm_rewrite_hook_name(void);
unsigned long sm_rewrite_missed(void);

/* debugfs.c */
struct sm_rewrite_rec {
	u64 time_ns;
	unsigned long start;
	size_t len;
	pid_t tgid;
	int asked;
	int applied;
	u16 seq_permille;
	u8 dry_run;
	char comm[16];
};

void sm_comm_field(char *comm);

/*
 * get_task_comm() takes task_lock(), which sleeps on PREEMPT_RT, and the
 * probes run atomic. comm always ends in NUL; a racing rename gives some
 * mix of the two names, which is all a log line needs.
 */
static inline void sm_task_comm(char *buf, struct task_struct *t)
{
	memcpy(buf, t->comm, TASK_COMM_LEN);
	buf[TASK_COMM_LEN - 1] = '\0';
}

void sm_log_rewrite(const struct sm_rewrite_rec *rec);
void sm_debugfs_init(void);
void sm_debugfs_exit(void);

#endif

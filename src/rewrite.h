/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SMART_MADVISE_REWRITE_H
#define SMART_MADVISE_REWRITE_H

#include <linux/sched.h>
#include <linux/types.h>

/* How a logged advice change was made. */
enum sm_rewrite_mode {
	SM_MODE_APPLIED,	/* at the madvise() call */
	SM_MODE_DRY_RUN,	/* would have been, dry_run=1 */
	SM_MODE_LATE,		/* later, from the mapping's own faults */
	SM_MODE_LATE_DRY_RUN,
};

struct sm_rewrite_rec {
	u64 time_ns;
	unsigned long start;
	size_t len;
	pid_t tgid;
	int asked;
	int applied;
	u16 seq_permille;
	u8 mode;		/* enum sm_rewrite_mode */
	char comm[TASK_COMM_LEN];
};

struct sm_rewrite_stats {
	u64 madvise_calls;
	u64 rewrites;
	u64 rewrites_dry_run;
	u64 late_corrections;
	u64 late_corrections_dry_run;
	u64 late_skipped;	/* the mapping changed before the correction */
};

#define SM_REWRITE_LOG_LEN 128

void sm_rewrite_count_call(void);
void sm_rewrite_log(struct sm_rewrite_rec *rec);
void sm_rewrite_count_skipped(void);
unsigned int sm_rewrite_log_copy(struct sm_rewrite_rec *recs);
void sm_rewrite_stats(struct sm_rewrite_stats *s);
const char *sm_rewrite_mode_name(enum sm_rewrite_mode mode);
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

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * The record of every advice change, made or only considered: the log
 * that debugfs shows, the tracepoints and the counters. Its callers run
 * in probes (atomic) and in the late-correction worker.
 */
#include <linux/ktime.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include "decide.h"
#include "rewrite.h"
#include "stats.h"

#define CREATE_TRACE_POINTS
#include "sm_trace.h"

static struct sm_rewrite_rec sm_log[SM_REWRITE_LOG_LEN];
static u64 sm_log_count;		/* records ever logged */
static DEFINE_RAW_SPINLOCK(sm_log_lock);	/* taken in the madvise probe */
static DEFINE_PER_CPU(struct sm_rewrite_stats, sm_rewrite_pcpu);

static const char * const sm_mode_names[] = {
	[SM_MODE_APPLIED] = "applied",
	[SM_MODE_DRY_RUN] = "dry_run",
	[SM_MODE_LATE] = "late",
	[SM_MODE_LATE_DRY_RUN] = "late_dry_run",
};

const char *sm_rewrite_mode_name(enum sm_rewrite_mode mode)
{
	return sm_mode_names[mode];
}

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

void sm_rewrite_count_call(void)
{
	this_cpu_inc(sm_rewrite_pcpu.madvise_calls);
}

void sm_rewrite_count_skipped(void)
{
	this_cpu_inc(sm_rewrite_pcpu.late_skipped);
}

/* Stamps, logs, traces and counts one change; any context. */
void sm_rewrite_log(struct sm_rewrite_rec *rec)
{
	bool late = rec->mode == SM_MODE_LATE ||
		    rec->mode == SM_MODE_LATE_DRY_RUN;
	bool dry_run = rec->mode == SM_MODE_DRY_RUN ||
		       rec->mode == SM_MODE_LATE_DRY_RUN;
	unsigned long flags;

	rec->time_ns = ktime_get_ns();
	raw_spin_lock_irqsave(&sm_log_lock, flags);
	sm_log[sm_log_count % SM_REWRITE_LOG_LEN] = *rec;
	sm_log_count++;
	raw_spin_unlock_irqrestore(&sm_log_lock, flags);

	if (late)
		trace_advice_late(rec->tgid, rec->start, rec->len, rec->asked,
				  rec->applied, rec->seq_permille, dry_run);
	else
		trace_advice_rewrite(rec->tgid, rec->start, rec->len,
				     rec->asked, rec->applied,
				     rec->seq_permille, dry_run);
	switch (rec->mode) {
	case SM_MODE_APPLIED:
		this_cpu_inc(sm_rewrite_pcpu.rewrites);
		break;
	case SM_MODE_DRY_RUN:
		this_cpu_inc(sm_rewrite_pcpu.rewrites_dry_run);
		break;
	case SM_MODE_LATE:
		this_cpu_inc(sm_rewrite_pcpu.late_corrections);
		break;
	case SM_MODE_LATE_DRY_RUN:
		this_cpu_inc(sm_rewrite_pcpu.late_corrections_dry_run);
		break;
	}
}

/* The log, oldest first, into @recs (SM_REWRITE_LOG_LEN entries). */
unsigned int sm_rewrite_log_copy(struct sm_rewrite_rec *recs)
{
	unsigned long flags;
	unsigned int i, n;
	u64 first;

	raw_spin_lock_irqsave(&sm_log_lock, flags);
	n = min_t(u64, sm_log_count, SM_REWRITE_LOG_LEN);
	first = sm_log_count - n;
	for (i = 0; i < n; i++)
		recs[i] = sm_log[(first + i) % SM_REWRITE_LOG_LEN];
	raw_spin_unlock_irqrestore(&sm_log_lock, flags);
	return n;
}

void sm_rewrite_stats(struct sm_rewrite_stats *s)
{
	sm_stats_sum(s, &sm_rewrite_pcpu, sizeof(*s));
}

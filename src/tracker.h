/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SMART_MADVISE_TRACKER_H
#define SMART_MADVISE_TRACKER_H

#include <linux/sched.h>
#include <linux/types.h>
#include "decide.h"

struct mm_struct;

/*
 * Benchmark builds only (tests/bench): stop the fault path after one
 * stage, to measure what each costs. A shipped build stops nowhere, and
 * the compiler drops every test of it.
 */
enum sm_cost_stage {
	SM_COST_FULL,
	SM_COST_HOOK,		/* the probes are called, and return */
	SM_COST_LOOKUP,		/* + the process's entry found */
	SM_COST_LOCK,		/* + its lock taken and dropped */
	SM_COST_CLASSIFY,	/* + the fault classified */
	SM_COST_EVIDENCE,	/* + the process's evidence and counts */
};

#ifndef SM_COST_STOP
#define SM_COST_STOP SM_COST_FULL
#endif

/* Mappings whose advice a process may get corrected, per process. */
#define SM_RANGES 16

struct sm_tracker_stats {
	u64 faults;
	u64 faults_sequential;
	u64 faults_untracked;
	u64 faults_repeat;	/* a page again, or a retry: no evidence */
	u64 faults_dropped;	/* state busy on another CPU: not counted */
	u64 sweeps_dropped;
	u64 mappings_untracked;	/* advised while the range reserve was dry */
	u64 handler_samples;	/* fault handler calls timed */
	u64 handler_ns;		/* their total duration */
};

/* A snapshot of one tracked mapping. */
struct sm_range_view {
	unsigned long start;
	unsigned long len;
	int advice;
	u32 faults;
	u16 seq_permille;
	u16 corrections;
	enum sm_verdict verdict;
};

/* A snapshot of one tracked process, for the debugfs files. */
struct sm_proc_view {
	pid_t tgid;
	u32 rewrites;
	u32 late;
	u64 seq, rand;
	enum sm_verdict verdict;
	unsigned int nr_ranges;
	struct sm_range_view ranges[SM_RANGES];
	char comm[TASK_COMM_LEN];
};

/* What the call-time decision rested on. */
struct sm_advice_answer {
	int applied;
	u16 seq_permille;
	bool from_range;	/* the range's own history, not the process's */
};

int sm_tracker_init(void);
void sm_tracker_exit(void);
int sm_tracker_start(void);
void sm_tracker_stop(void);
const char *sm_tracker_hook_name(void);
bool sm_tracker_ftraced(void);
unsigned int sm_tracker_nr_procs(void);
unsigned int sm_tracker_nr_ranges(void);
long sm_tracker_nr_allocated(void);
unsigned long sm_tracker_missed(void);
void sm_tracker_stats(struct sm_tracker_stats *s);
int sm_tracker_counts(pid_t tgid, u64 *seq, u64 *rand);
void sm_tracker_advise(struct mm_struct *mm, unsigned long start,
		       unsigned long end, int advice, bool dry_run,
		       struct sm_advice_answer *ans);
/* Calls @fn on a snapshot of each process, under RCU: @fn must not sleep. */
void sm_tracker_for_each(void (*fn)(const struct sm_proc_view *v, void *arg),
			 void *arg);

#endif

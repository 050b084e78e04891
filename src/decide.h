/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Access-pattern decision logic. Kernel-free: the unit tests compile
 * decide.c unchanged in user space, so only <linux/types.h> and
 * <linux/mman.h> are used, which exist in both worlds.
 */
#ifndef SMART_MADVISE_DECIDE_H
#define SMART_MADVISE_DECIDE_H

#include <linux/types.h>
#include <linux/mman.h>

/* Enough for 16 threads each scanning its own region, and then some. */
#define SM_STREAMS		32
#define SM_WINDOW_MIN		8
#define SM_WINDOW_MAX		512
#define SM_THRESHOLD_MIN	51
#define SM_THRESHOLD_MAX	100
#define SM_GAP_MIN		1
#define SM_GAP_MAX		1024
#define SM_SETTLED_MAX		0xffff	/* struct sm_evidence's settled saturates */

enum sm_verdict {
	SM_VERDICT_UNKNOWN,
	SM_VERDICT_SEQUENTIAL,
	SM_VERDICT_RANDOM,
	SM_VERDICT_MIXED,
};

enum sm_fault_class {
	SM_FAULT_RANDOM,
	SM_FAULT_SEQUENTIAL,
	SM_FAULT_REPEAT,	/* a page faulted again: no evidence either way */
};

struct sm_params {
	__u32 window_size;	/* pages of evidence a verdict needs */
	__u32 threshold;	/* percent */
	__u32 max_gap_pages;
};

/*
 * Heads of recent sequential streams, as the low 16 bits of a page index,
 * to keep a process's state small: pages 2^16 apart (256 MiB with 4 KiB
 * pages) alias, so a random fault continues a stream by chance about
 * once in 2^16 / SM_STREAMS, and lands within max_gap of the stream hit
 * last (worth one page) max_gap times in 2^16: noise far below any
 * threshold.
 */
struct sm_streams {
	__u16 page[SM_STREAMS];
	__u8 step[SM_STREAMS];	/* log2 of the last exact step, or 0xff */
	__u32 confirmed;	/* bit i: stream i has advanced at least once */
	__u32 referenced;	/* bit i: hit since the clock hand passed */
	__u8 nr;
	__u8 last;		/* the stream hit last, tried first */
	__u8 next;		/* the clock hand: one slot per miss */
};

/*
 * Recent evidence in pages, aged by halving: each stays below twice the
 * largest window plus one fault's weight, well within 16 bits.
 */
struct sm_evidence {
	__u16 seq;
	__u16 rand;
	__u16 settled;		/* evidence pages since the verdict changed */
	__u8 verdict;		/* enum sm_verdict */
};

void sm_streams_init(struct sm_streams *s);
enum sm_fault_class sm_classify(struct sm_streams *s, unsigned long page,
				const struct sm_params *params, __u32 *weight);
void sm_streams_advised(struct sm_streams *s);
void sm_evidence_init(struct sm_evidence *e);
enum sm_verdict sm_evidence_add(struct sm_evidence *e,
				enum sm_fault_class class, __u32 weight,
				const struct sm_params *params);
void sm_range_params(const struct sm_params *proc, struct sm_params *range);
int sm_thread_first_seen(__u64 *threads, __u32 tid);
unsigned int sm_evidence_permille(const struct sm_evidence *e);
int sm_rewrite_advice(int advice, enum sm_verdict verdict);
int sm_settled_rewrite(int advice, const struct sm_evidence *e,
		       const struct sm_params *params);

/* The pure access-pattern hints: the only advice ever rewritten. */
static inline int sm_advice_is_hint(int advice)
{
	return advice == MADV_RANDOM || advice == MADV_SEQUENTIAL;
}

const char *sm_verdict_name(enum sm_verdict verdict);
const char *sm_advice_name(int advice);

#endif

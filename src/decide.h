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

#define SM_STREAMS		4
#define SM_WINDOW_MIN		8
#define SM_WINDOW_MAX		512
#define SM_THRESHOLD_MIN	51
#define SM_THRESHOLD_MAX	100
#define SM_GAP_MIN		1
#define SM_GAP_MAX		1024
/* Pages of a PMD-sized huge page: one THP fault maps this many at once. */
#define SM_HUGE_PAGES		512

enum sm_verdict {
	SM_VERDICT_UNKNOWN,
	SM_VERDICT_SEQUENTIAL,
	SM_VERDICT_RANDOM,
	SM_VERDICT_MIXED,
};

struct sm_params {
	__u32 window_size;
	__u32 threshold;
	__u32 max_gap_pages;
};

/*
 * Per-process pattern state. Streams are kept most-recently-used first,
 * so replacement of the least recently used one is a shift.
 */
struct sm_pattern {
	__u64 nr_seq;
	__u64 nr_rand;
	unsigned long stream_page[SM_STREAMS];
	__u64 window[SM_WINDOW_MAX / 64];
	__u16 win_size;		/* window_size the window was filled with */
	__u16 win_pos;
	__u16 win_fill;
	__u16 win_seq;
	__u8 nr_streams;
	__u8 verdict;		/* enum sm_verdict */
};

void sm_pattern_init(struct sm_pattern *p);
int sm_classify(struct sm_pattern *p, unsigned long page, __u32 max_gap);
enum sm_verdict sm_record(struct sm_pattern *p, int sequential,
			  const struct sm_params *params);
int sm_rewrite_advice(int advice, enum sm_verdict verdict);

/* The pure access-pattern hints: the only advice ever rewritten. */
static inline int sm_advice_is_hint(int advice)
{
	return advice == MADV_RANDOM || advice == MADV_SEQUENTIAL;
}

unsigned int sm_window_permille(const struct sm_pattern *p);
const char *sm_verdict_name(enum sm_verdict verdict);
const char *sm_advice_name(int advice);

#endif

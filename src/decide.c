// SPDX-License-Identifier: GPL-2.0
/*
 * Classify faults as sequential or random, keep a sliding window of the
 * most recent ones, derive a verdict and map it to an advice rewrite.
 * Runs in the fault path: no allocation, no locks, O(SM_STREAMS) work.
 */
#include "decide.h"

void sm_pattern_init(struct sm_pattern *p)
{
	*p = (struct sm_pattern){ .verdict = SM_VERDICT_UNKNOWN };
}

static void sm_stream_to_front(struct sm_pattern *p, unsigned int i,
			       unsigned long page)
{
	for (; i > 0; i--)
		p->stream_page[i] = p->stream_page[i - 1];
	p->stream_page[0] = page;
}

/*
 * Returns 1 when @page lands 1..@max_gap pages after one of the recent
 * streams, which then advances; 0 otherwise, and a new stream replaces
 * the least recently used one. A repeat of a stream's page is not
 * sequential (a per-VMA lock retry faults the same page twice) and
 * starts no new stream. A scan of THP memory faults once per huge page,
 * on its first page: a jump to the start of the next huge page is
 * sequential too, whatever @max_gap.
 */
int sm_classify(struct sm_pattern *p, unsigned long page, __u32 max_gap)
{
	unsigned int i;

	for (i = 0; i < p->nr_streams; i++) {
		unsigned long delta = page - p->stream_page[i];

		if (delta == 0) {
			sm_stream_to_front(p, i, page);
			return 0;
		}
		if (delta <= max_gap ||
		    (delta <= SM_HUGE_PAGES && !(page % SM_HUGE_PAGES))) {
			sm_stream_to_front(p, i, page);
			return 1;
		}
	}
	if (p->nr_streams < SM_STREAMS)
		p->nr_streams++;
	sm_stream_to_front(p, p->nr_streams - 1, page);
	return 0;
}

static enum sm_verdict sm_verdict_of(const struct sm_pattern *p,
				     const struct sm_params *params)
{
	__u32 seq_pct100 = (__u32)p->win_seq * 100;

	if (p->win_fill < p->win_size)
		return SM_VERDICT_UNKNOWN;
	if (seq_pct100 >= params->threshold * p->win_size)
		return SM_VERDICT_SEQUENTIAL;
	if (seq_pct100 <= (100 - params->threshold) * p->win_size)
		return SM_VERDICT_RANDOM;
	return SM_VERDICT_MIXED;
}

/* Pushes one classified fault into the window and returns the verdict. */
enum sm_verdict sm_record(struct sm_pattern *p, int sequential,
			  const struct sm_params *params)
{
	__u64 *word, bit;

	if (sequential)
		p->nr_seq++;
	else
		p->nr_rand++;

	/* A resized window restarts: old bits would mean another span. */
	if (p->win_size != params->window_size) {
		p->win_size = params->window_size;
		p->win_pos = 0;
		p->win_fill = 0;
		p->win_seq = 0;
	}

	word = &p->window[p->win_pos / 64];
	bit = 1ULL << (p->win_pos % 64);
	if (p->win_fill == p->win_size)
		p->win_seq -= !!(*word & bit);
	else
		p->win_fill++;
	if (sequential) {
		*word |= bit;
		p->win_seq++;
	} else {
		*word &= ~bit;
	}
	if (++p->win_pos == p->win_size)
		p->win_pos = 0;

	p->verdict = sm_verdict_of(p, params);
	return p->verdict;
}

int sm_rewrite_advice(int advice, enum sm_verdict verdict)
{
	if (advice == MADV_RANDOM && verdict == SM_VERDICT_SEQUENTIAL)
		return MADV_SEQUENTIAL;
	if (advice == MADV_SEQUENTIAL && verdict == SM_VERDICT_RANDOM)
		return MADV_RANDOM;
	return advice;
}

unsigned int sm_window_permille(const struct sm_pattern *p)
{
	if (!p->win_fill)
		return 0;
	return (unsigned int)p->win_seq * 1000 / p->win_fill;
}

const char *sm_verdict_name(enum sm_verdict verdict)
{
	switch (verdict) {
	case SM_VERDICT_SEQUENTIAL:
		return "sequential";
	case SM_VERDICT_RANDOM:
		return "random";
	case SM_VERDICT_MIXED:
		return "mixed";
	default:
		return "unknown";
	}
}

const char *sm_advice_name(int advice)
{
	switch (advice) {
	case MADV_NORMAL:
		return "normal";
	case MADV_RANDOM:
		return "random";
	case MADV_SEQUENTIAL:
		return "sequential";
	case MADV_WILLNEED:
		return "willneed";
	default:
		return "other";
	}
}

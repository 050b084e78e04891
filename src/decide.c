// SPDX-License-Identifier: GPL-2.0
/*
 * Classify faults as sequential or random, weigh them in pages, age the
 * evidence and derive a verdict, then map it to an advice rewrite. Runs
 * in the fault path: no allocation, no locks, at most O(SM_STREAMS) work,
 * and one comparison for the common case of a fault continuing the
 * stream hit last.
 */
#include "decide.h"

void sm_streams_init(struct sm_streams *s)
{
	*s = (struct sm_streams){ 0 };
}

/*
 * A mapping was just advised: the faults to come are its own, and the
 * streams so far lose the protection of having been hit lately, so that
 * a stream that never advanced can go when the clock hand reaches it.
 * With the table full of a program's startup faults, 16 threads starting
 * their scans otherwise replaced each other's first fault round after
 * round (the hand only aged the startup streams): every fault a miss,
 * and the mapping's correct MADV_SEQUENTIAL "corrected" to random.
 */
void sm_streams_advised(struct sm_streams *s)
{
	s->referenced = 0;
}

void sm_evidence_init(struct sm_evidence *e)
{
	*e = (struct sm_evidence){ .verdict = SM_VERDICT_UNKNOWN };
}

/*
 * A fault that maps a whole folio (a PMD THP, a multi-size THP, a large
 * page-cache folio) leaves the next fault of a scan one folio further,
 * at a folio-aligned page: a power-of-two jump between two pages that
 * are both aligned to it. Folio sizes are powers of two and naturally
 * aligned whatever the architecture's page size, so no size is assumed.
 */
static int sm_folio_step(__u16 head, __u16 page, __u16 delta)
{
	__u16 mask = delta - 1;

	return delta > 1 && !(delta & mask) && !(head & mask) && !(page & mask);
}

static __u32 sm_weight_cap(const struct sm_params *params)
{
	__u32 cap = params->window_size / 4;

	return cap ? cap : 1;
}

/*
 * Returns the class of a fault on @page and sets *@weight to the pages of
 * evidence it is worth. A sequential fault is worth the pages it jumped:
 * a scan under readahead or THP faults once per 16 or 512 pages, and must
 * weigh as much as one faulting every page. The first hit of a new stream
 * is worth one page only, so random faults that land near each other by
 * chance can't outweigh the random ones; and no fault is worth more than
 * a quarter of the window, so one fault never decides alone.
 */
enum sm_fault_class sm_classify(struct sm_streams *s, unsigned long page,
				const struct sm_params *params, __u32 *weight)
{
	__u16 pg = (__u16)page;
	unsigned int n, i;

	for (n = 0; n < s->nr; n++) {
		__u32 bit;
		__u16 delta;
		int exact;
		__u8 order;

		/* The stream hit last first, then the others in order. */
		i = n == 0 ? s->last : (n <= s->last ? n - 1 : n);
		bit = 1U << i;
		delta = (__u16)(pg - s->page[i]);
		if (delta == 0) {
			s->last = i;
			*weight = 0;
			return SM_FAULT_REPEAT;
		}
		exact = delta == 1 || sm_folio_step(s->page[i], pg, delta);
		if (delta > params->max_gap_pages && !exact)
			continue;
		/*
		 * Evidence only where chance seldom lands a random fault: the
		 * next page, or a folio step repeating the stream's last one
		 * (worth the pages jumped), the first folio step or any gap
		 * within max_gap of the stream hit last (one page). A gap in
		 * another stream advances it but weighs nothing: 32 streams
		 * max_gap pages wide cover half of an 8 MiB file read at
		 * random.
		 */
		order = exact ? (__u8)__builtin_ctz(delta) : 0xff;
		if (!exact)
			*weight = n == 0;
		else if (order != s->step[i])
			*weight = 1;
		else
			*weight = delta < sm_weight_cap(params) ?
				  delta : sm_weight_cap(params);
		s->step[i] = order;
		s->confirmed |= bit;
		s->referenced |= bit;
		s->page[i] = pg;
		s->last = i;
		return SM_FAULT_SEQUENTIAL;
	}

	/*
	 * A new stream takes a free slot, else the one under the clock hand
	 * (which moves one slot per miss) if it is stale: not hit for a turn
	 * of the hand, two if it ever advanced. Else the hand ages it, and
	 * the new stream replaces the one hit last if that never advanced,
	 * or none: with as many scanners as slots, replacing an active one
	 * makes it miss and replace the next to fault, and so on until
	 * every scanner misses.
	 */
	*weight = 1;
	if (s->nr < SM_STREAMS) {
		i = s->nr++;
	} else {
		__u32 hand = 1U << s->next;

		i = s->next;
		s->next = (s->next + 1) % SM_STREAMS;
		if ((s->referenced | s->confirmed) & hand) {
			if (s->referenced & hand)
				s->referenced &= ~hand;
			else
				s->confirmed &= ~hand;
			i = s->last;
			if (s->confirmed & (1U << i))
				return SM_FAULT_RANDOM;
		}
	}
	s->page[i] = pg;
	s->step[i] = 0xff;
	s->confirmed &= ~(1U << i);
	s->referenced |= 1U << i;
	s->last = i;
	return SM_FAULT_RANDOM;
}

static enum sm_verdict sm_verdict_of(const struct sm_evidence *e,
				     const struct sm_params *params)
{
	__u32 total = e->seq + e->rand;

	if (total < params->window_size)
		return SM_VERDICT_UNKNOWN;
	if (e->seq * 100ULL >= (__u64)params->threshold * total)
		return SM_VERDICT_SEQUENTIAL;
	if (e->seq * 100ULL <= (__u64)(100 - params->threshold) * total)
		return SM_VERDICT_RANDOM;
	return SM_VERDICT_MIXED;
}

/*
 * Adds one classified fault and returns the verdict. Evidence beyond
 * twice the window is halved, so the verdict follows the last one to two
 * windows of pages: old behaviour fades at the pace of new faults.
 */
enum sm_verdict sm_evidence_add(struct sm_evidence *e,
				enum sm_fault_class class, __u32 weight,
				const struct sm_params *params)
{
	enum sm_verdict verdict;

	if (class == SM_FAULT_REPEAT)
		return e->verdict;
	if (weight > sm_weight_cap(params))
		weight = sm_weight_cap(params);
	if (class == SM_FAULT_SEQUENTIAL)
		e->seq += weight;
	else
		e->rand += weight;
	if (e->seq + e->rand > 2 * params->window_size) {
		e->seq /= 2;
		e->rand /= 2;
	}
	verdict = sm_verdict_of(e, params);
	if (verdict != e->verdict)
		e->settled = 0;
	else if (e->settled < SM_SETTLED_MAX - weight)
		e->settled += weight;
	else
		e->settled = SM_SETTLED_MAX;
	e->verdict = verdict;
	return e->verdict;
}

/*
 * A mapping's own evidence needs half the process's window: until it is
 * corrected, a mis-advised mapping costs I/O on every fault (a random
 * reader under MADV_SEQUENTIAL reads ahead on each), and all its faults
 * come from the one pattern being judged.
 */
void sm_range_params(const struct sm_params *proc, struct sm_params *range)
{
	*range = *proc;
	range->window_size = proc->window_size / 2;
	if (range->window_size < SM_WINDOW_MIN)
		range->window_size = SM_WINDOW_MIN;
}

/*
 * Whether thread @tid faults in a mapping for the first time, as far as
 * a 64-bit set of hashed thread ids can tell. A thread's first fault in
 * a mapping starts a new stream, whatever the pattern: 16 threads that
 * start scanning their own regions must not read as random.
 */
int sm_thread_first_seen(__u64 *threads, __u32 tid)
{
	__u64 bit = 1ULL << ((tid * 0x9e3779b1U) >> 26);

	if (*threads & bit)
		return 0;
	*threads |= bit;
	return 1;
}

unsigned int sm_evidence_permille(const struct sm_evidence *e)
{
	__u32 total = e->seq + e->rand;

	return total ? (unsigned int)(e->seq * 1000ULL / total) : 0;
}

int sm_rewrite_advice(int advice, enum sm_verdict verdict)
{
	if (advice == MADV_RANDOM && verdict == SM_VERDICT_SEQUENTIAL)
		return MADV_SEQUENTIAL;
	if (advice == MADV_SEQUENTIAL && verdict == SM_VERDICT_RANDOM)
		return MADV_RANDOM;
	return advice;
}

/*
 * The advice a madvise() call should get from @e: rewritten only on a
 * verdict that has held for a window of pages. At the call nothing is
 * urgent (a mapping's own faults correct it later), and a verdict that
 * has just formed or keeps flipping, as over a program's startup faults,
 * is no ground for changing what the program asked for.
 */
int sm_settled_rewrite(int advice, const struct sm_evidence *e,
		       const struct sm_params *params)
{
	if (e->settled < params->window_size)
		return advice;
	return sm_rewrite_advice(advice, e->verdict);
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

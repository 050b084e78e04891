// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for src/decide.c, kselftest-style TAP output, ending with
 * the plain "N passed, N failed" line. Each test is named for what it
 * proves; a failure prints the expression and the numbers behind it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decide.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int passed, failed;

#define CHECK(cond, ...) check((cond), #cond, __VA_ARGS__)

static void check(int ok, const char *expr, const char *name)
{
	if (ok) {
		passed++;
		printf("ok %d %s\n", passed + failed, name);
	} else {
		failed++;
		printf("not ok %d %s # %s\n", passed + failed, name, expr);
	}
}

static const struct sm_params defaults = {
	.window_size = 64, .threshold = 75, .max_gap_pages = 32,
};

/* One process as the tracker sees it: its streams and its evidence. */
struct proc {
	struct sm_streams s;
	struct sm_evidence e;
	struct sm_params params;
	__u32 weight;			/* of the last fault */
	unsigned long faults[3];	/* per class */
	unsigned long pages[3];		/* evidence per class */
};

static void proc_init(struct proc *p, const struct sm_params *params)
{
	memset(p, 0, sizeof(*p));
	sm_streams_init(&p->s);
	sm_evidence_init(&p->e);
	p->params = *params;
}

static enum sm_fault_class fault(struct proc *p, unsigned long page)
{
	enum sm_fault_class c = sm_classify(&p->s, page, &p->params, &p->weight);

	sm_evidence_add(&p->e, c, p->weight, &p->params);
	p->faults[c]++;
	p->pages[c] += p->weight;
	return c;
}

/* Feeds @n faults at page = start + i * step; returns the sequential ones. */
static int feed(struct proc *p, unsigned long start, long step, int n)
{
	int i, seq = 0;

	for (i = 0; i < n; i++)
		seq += fault(p, start + i * step) == SM_FAULT_SEQUENTIAL;
	return seq;
}

static unsigned long rnd_state = 88172645463325252UL;

static unsigned long rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void diag_proc(const char *what, const struct proc *p)
{
	printf("# %s: verdict %s, evidence seq %u rand %u (%u permille), ",
	       what, sm_verdict_name(p->e.verdict), p->e.seq, p->e.rand,
	       sm_evidence_permille(&p->e));
	printf("faults seq %lu rand %lu repeat %lu\n", p->faults[SM_FAULT_SEQUENTIAL],
	       p->faults[SM_FAULT_RANDOM], p->faults[SM_FAULT_REPEAT]);
}

static void test_classify(void)
{
	struct sm_params params = defaults;
	struct sm_streams s;
	__u32 w;

	sm_streams_init(&s);
	CHECK(sm_classify(&s, 100, &params, &w) == SM_FAULT_RANDOM && w == 1,
	      "first fault is random, worth one page");
	CHECK(sm_classify(&s, 101, &params, &w) == SM_FAULT_SEQUENTIAL,
	      "next page is sequential");
	CHECK(sm_classify(&s, 101, &params, &w) == SM_FAULT_REPEAT && w == 0,
	      "repeat of the same page is a repeat, worth nothing");
	CHECK(sm_classify(&s, 117, &params, &w) == SM_FAULT_SEQUENTIAL,
	      "gap of 16 (fault-around) is sequential");
	CHECK(sm_classify(&s, 149, &params, &w) == SM_FAULT_SEQUENTIAL,
	      "gap equal to max_gap is sequential");
	CHECK(sm_classify(&s, 182, &params, &w) == SM_FAULT_RANDOM,
	      "gap above max_gap is random");
	CHECK(sm_classify(&s, 50, &params, &w) == SM_FAULT_RANDOM,
	      "backwards is random");
	CHECK(s.nr == 3, "repeat started no stream, misses did");

	/* THP first touch: one fault per 512 pages, each on a huge-page start. */
	sm_streams_init(&s);
	sm_classify(&s, 512 * 7, &params, &w);
	CHECK(sm_classify(&s, 512 * 8, &params, &w) == SM_FAULT_SEQUENTIAL,
	      "next huge page start is sequential");
	CHECK(sm_classify(&s, 512 * 9 + 1, &params, &w) == SM_FAULT_RANDOM,
	      "a 513-page jump off a huge-page start is random");
	sm_streams_init(&s);
	sm_classify(&s, 100, &params, &w);
	CHECK(sm_classify(&s, 300, &params, &w) == SM_FAULT_RANDOM,
	      "a 200-page jump to an unaligned page is random");
	sm_streams_init(&s);
	sm_classify(&s, 300, &params, &w);
	CHECK(sm_classify(&s, 300 + 256, &params, &w) == SM_FAULT_RANDOM,
	      "a 256-page jump between pages not aligned to 256 is random");
	sm_streams_init(&s);
	sm_classify(&s, 1024 + 128, &params, &w);
	CHECK(sm_classify(&s, 2048 + 128, &params, &w) == SM_FAULT_RANDOM,
	      "a 1024-page jump between pages aligned to 128 only is random");

	params.max_gap_pages = SM_GAP_MIN;
	sm_streams_init(&s);
	sm_classify(&s, 4096, &params, &w);
	CHECK(sm_classify(&s, 4096 + 1024, &params, &w) == SM_FAULT_SEQUENTIAL,
	      "a folio step is sequential even with max_gap 1");
	CHECK(sm_classify(&s, 4096 + 1024 + 3, &params, &w) == SM_FAULT_RANDOM,
	      "max_gap 1: a 3-page jump is random");
	params = defaults;

	/* Page indexes are compared as u32: the 2^32 boundary is no seam. */
	sm_streams_init(&s);
	sm_classify(&s, 0xffffffffUL, &params, &w);
	CHECK(sm_classify(&s, 0x100000000UL, &params, &w) == SM_FAULT_SEQUENTIAL,
	      "a scan across page index 2^32 stays sequential");

	/* The stream hit last is tried first, but every stream is tried. */
	sm_streams_init(&s);
	sm_classify(&s, 100, &params, &w);
	sm_classify(&s, 5000, &params, &w);
	sm_classify(&s, 5001, &params, &w);
	CHECK(sm_classify(&s, 100, &params, &w) == SM_FAULT_REPEAT && w == 0,
	      "repeat of a stream not hit last is a repeat");
	CHECK(sm_classify(&s, 101, &params, &w) == SM_FAULT_SEQUENTIAL &&
	      sm_classify(&s, 5002, &params, &w) == SM_FAULT_SEQUENTIAL && s.nr == 2,
	      "two streams advance alternately without new ones");
}

static void test_streams(void)
{
	struct sm_params params = defaults;
	struct sm_streams s;
	int i, ok, miss, idle, seq = 0;
	__u32 w;

	/* Four interleaved scanners, as threads on their own regions. */
	sm_streams_init(&s);
	for (i = 0; i < 400; i++)
		seq += sm_classify(&s, (i % 4) * 1000000UL + i / 4, &params, &w) ==
		       SM_FAULT_SEQUENTIAL;
	CHECK(seq == 400 - 4,
	      "4 interleaved streams are all sequential after their first fault");

	sm_streams_init(&s);
	for (i = 0; i < SM_STREAMS + 5; i++)
		sm_classify(&s, i * 1000000UL, &params, &w);
	CHECK(s.nr == SM_STREAMS, "stream count is capped at SM_STREAMS");

	/*
	 * Clock replacement: streams hit since the last pass survive new
	 * streams; one not hit is replaced within a few turns of misses.
	 */
	sm_streams_init(&s);
	for (i = 0; i < SM_STREAMS; i++)
		sm_classify(&s, i * 1000000UL, &params, &w);
	for (i = 1; i < SM_STREAMS; i++)
		sm_classify(&s, i * 1000000UL + 1, &params, &w);
	CHECK(sm_classify(&s, 99000000UL, &params, &w) == SM_FAULT_RANDOM,
	      "33rd stream is random");
	for (ok = 1, miss = 1; miss <= 3 * SM_STREAMS; miss++) {
		for (i = 1; i < SM_STREAMS; i++)
			ok &= sm_classify(&s, i * 1000000UL + 1 + miss, &params, &w) ==
			      SM_FAULT_SEQUENTIAL;
		for (idle = 0, i = 0; i < s.nr; i++)
			idle |= s.page[i] == 0;
		if (!idle)
			break;
		sm_classify(&s, 99000000UL + miss * 1000000UL, &params, &w);
	}
	printf("# idle stream replaced after %d misses\n", miss);
	CHECK(ok, "streams hit since the last pass survive new streams");
	CHECK(miss <= 3 * SM_STREAMS,
	      "the stream not hit is replaced within 3 turns of misses");
}

static void test_window(void)
{
	struct sm_params params = defaults;
	struct sm_evidence e, before;
	struct proc p;
	int i, ok;

	proc_init(&p, &params);
	feed(&p, 0, 1, 63);
	CHECK(p.e.verdict == SM_VERDICT_UNKNOWN, "unknown before window_size pages of evidence");
	feed(&p, 63, 1, 1);
	CHECK(p.e.verdict == SM_VERDICT_SEQUENTIAL, "sequential once 64 pages are in");
	CHECK(p.e.seq == 63 && p.e.rand == 1, "evidence counts 63 of 64 pages sequential");

	/* Half and half: neither >= 75% nor <= 25%. */
	sm_evidence_init(&e);
	for (i = 0; i < 64; i++)
		sm_evidence_add(&e, i & 1 ? SM_FAULT_SEQUENTIAL : SM_FAULT_RANDOM, 1, &params);
	CHECK(e.verdict == SM_VERDICT_MIXED, "50% sequential is mixed");
	CHECK(sm_evidence_permille(&e) == 500, "permille of half-sequential evidence");
	sm_evidence_init(&e);
	CHECK(sm_evidence_permille(&e) == 0 && e.verdict == SM_VERDICT_UNKNOWN,
	      "empty evidence: 0 permille, unknown");

	/* Aging: evidence above twice the window is halved. */
	sm_evidence_init(&e);
	for (ok = 1, i = 0; i < 1000; i++) {
		sm_evidence_add(&e, SM_FAULT_SEQUENTIAL, 1 + i % 16, &params);
		ok &= e.seq + e.rand <= 2 * params.window_size;
	}
	CHECK(ok, "evidence never exceeds twice the window");
	sm_evidence_init(&e);
	for (i = 0; i < 128; i++)
		sm_evidence_add(&e, SM_FAULT_RANDOM, 1, &params);
	sm_evidence_add(&e, SM_FAULT_SEQUENTIAL, 3, &params);
	CHECK(e.rand == 64 && e.seq == 1, "131 pages halve to 64 + 1");

	before = e;
	CHECK(sm_evidence_add(&e, SM_FAULT_REPEAT, 5, &params) == before.verdict &&
	      !memcmp(&e, &before, sizeof(e)),
	      "a repeat adds no evidence whatever its weight, keeps the verdict");
}

static void test_thresholds(void)
{
	struct sm_params params = defaults;
	struct sm_evidence e;
	int i;

#define ADD(cond) sm_evidence_add(&e, (cond) ? SM_FAULT_SEQUENTIAL : SM_FAULT_RANDOM, 1, &params)
	/* Exactly 75% (48 of 64) is sequential; 47 is mixed. */
	sm_evidence_init(&e);
	for (i = 0; i < 64; i++)
		ADD(i < 48);
	CHECK(e.verdict == SM_VERDICT_SEQUENTIAL, "threshold is inclusive (48/64 = 75%)");
	sm_evidence_init(&e);
	for (i = 0; i < 64; i++)
		ADD(i < 47);
	CHECK(e.verdict == SM_VERDICT_MIXED, "just below threshold is mixed");
	sm_evidence_init(&e);
	for (i = 0; i < 64; i++)
		ADD(i < 16);
	CHECK(e.verdict == SM_VERDICT_RANDOM, "100 - threshold is inclusive (16/64 = 25%)");
	sm_evidence_init(&e);
	for (i = 0; i < 64; i++)
		ADD(i < 17);
	CHECK(e.verdict == SM_VERDICT_MIXED, "just above 100 - threshold is mixed");

	params.threshold = 100;
	sm_evidence_init(&e);
	for (i = 0; i < 64; i++)
		ADD(i != 10);
	CHECK(e.verdict == SM_VERDICT_MIXED, "threshold 100 needs every page sequential");
	sm_evidence_init(&e);
	for (i = 0; i < 64; i++)
		ADD(0);
	CHECK(e.verdict == SM_VERDICT_RANDOM, "threshold 100: all random is random");
	params.threshold = SM_THRESHOLD_MIN;
	sm_evidence_init(&e);
	for (i = 0; i < 64; i++)
		ADD(i < 32);
	CHECK(e.verdict == SM_VERDICT_MIXED, "threshold 51: 50% is mixed");
#undef ADD
}

static void test_resize(void)
{
	struct sm_params params = defaults;
	struct proc p;
	int n;

	proc_init(&p, &params);
	feed(&p, 0, 1, 100);
	CHECK(p.e.verdict == SM_VERDICT_SEQUENTIAL, "sequential with window 64");
	p.params.window_size = SM_WINDOW_MAX;
	feed(&p, 100, 1, 1);
	CHECK(p.e.verdict == SM_VERDICT_UNKNOWN,
	      "a larger window_size: unknown until it has that many pages");
	feed(&p, 101, 1, SM_WINDOW_MAX - 1);
	CHECK(p.e.verdict == SM_VERDICT_SEQUENTIAL, "largest window fills and decides");

	/* Shrinking: the old evidence halves once per fault. */
	p.params.window_size = SM_WINDOW_MIN;
	for (n = 0; n < 100 && p.e.verdict != SM_VERDICT_RANDOM; n++)
		fault(&p, 5000000 + n * 1000UL);
	printf("# window 512 -> 8: random after %d random faults\n", n);
	CHECK(n <= 4 * SM_WINDOW_MIN, "after shrinking to 8, random within 4 windows");

	proc_init(&p, &params);
	p.params.window_size = SM_WINDOW_MIN;
	feed(&p, 5000, 1000, SM_WINDOW_MIN - 1);
	CHECK(p.e.verdict == SM_VERDICT_UNKNOWN, "smallest window: unknown after 7 faults");
	feed(&p, 12000, 1000, 1);
	CHECK(p.e.verdict == SM_VERDICT_RANDOM, "smallest window decides after 8 faults");
}

static void test_weights(void)
{
	static const __u32 windows[] = { SM_WINDOW_MIN, 9, 15, 16, 63, 64, 100, SM_WINDOW_MAX };
	static const __u32 steps[] = { 1, 2, 4, 8, 16, 32, 64, 256, 512, 8192, 1 << 15 };
	struct sm_params params = defaults;
	struct sm_streams s;
	struct proc p;
	size_t i, j;
	int ok, single;
	__u32 w;

	sm_streams_init(&s);
	sm_classify(&s, 1024, &params, &w);
	CHECK(sm_classify(&s, 1040, &params, &w) == SM_FAULT_SEQUENTIAL && w == 1,
	      "a stream's first hit is worth 1 page, whatever it jumped");
	CHECK(sm_classify(&s, 1056, &params, &w) == SM_FAULT_SEQUENTIAL && w == 16,
	      "then a 16-page step is worth 16 pages");
	sm_classify(&s, 1064, &params, &w);
	CHECK(sm_classify(&s, 1072, &params, &w) == SM_FAULT_SEQUENTIAL && w == 8,
	      "a repeated 8-page step is worth 8 pages");
	CHECK(sm_classify(&s, 1073, &params, &w) == SM_FAULT_SEQUENTIAL && w == 1,
	      "a 1-page step is worth 1 page");
	sm_streams_init(&s);
	sm_classify(&s, 4096, &params, &w);
	sm_classify(&s, 4096 + 512, &params, &w);
	CHECK(sm_classify(&s, 4096 + 1024, &params, &w) == SM_FAULT_SEQUENTIAL &&
	      w == params.window_size / 4,
	      "a 512-page THP step is capped at window_size/4");

	/* Every window, every step: the cap holds and one fault can't decide. */
	ok = 1;
	single = 1;
	for (i = 0; i < ARRAY_SIZE(windows); i++) {
		for (j = 0; j < ARRAY_SIZE(steps); j++) {
			params.window_size = windows[i];
			proc_init(&p, &params);
			feed(&p, 1UL << 20, steps[j], 3);
			ok &= p.weight <= windows[i] / 4 && p.weight >= 1;
			sm_evidence_init(&p.e);
			fault(&p, (1UL << 20) + 3 * steps[j]);
			single &= p.e.verdict == SM_VERDICT_UNKNOWN;
			if (p.weight > windows[i] / 4 || p.e.verdict != SM_VERDICT_UNKNOWN)
				printf("# window %u step %u: weight %u verdict %s\n",
				       windows[i], steps[j], p.weight,
				       sm_verdict_name(p.e.verdict));
		}
	}
	CHECK(ok, "weight is 1..window_size/4 for every window and step");
	/* Stream heads keep 16 bits: a 2^16-page step is no evidence at all. */
	sm_streams_init(&s);
	params = defaults;
	sm_classify(&s, 1UL << 20, &params, &w);
	CHECK(sm_classify(&s, (1UL << 20) + (1UL << 16), &params, &w) ==
	      SM_FAULT_REPEAT && w == 0,
	      "a step of 2^16 pages aliases to the same head: no evidence");
	CHECK(single, "a single fault never decides alone");

	/* Nor does one fault flip a decided verdict. */
	params = defaults;
	proc_init(&p, &params);
	feed(&p, 1UL << 30, 1000, 200);
	CHECK(p.e.verdict == SM_VERDICT_RANDOM, "random reader is random");
	feed(&p, 1UL << 20, 512, 2);
	sm_evidence_init(&p.e);
	for (i = 0; i < params.window_size; i++)
		sm_evidence_add(&p.e, SM_FAULT_RANDOM, 1, &params);
	fault(&p, (1UL << 20) + 2 * 512);
	CHECK(p.weight == 16 && p.e.verdict == SM_VERDICT_RANDOM,
	      "one capped-weight sequential fault leaves a random verdict random");
}

static void test_repeats(void)
{
	struct sm_params params = defaults;
	struct sm_evidence before;
	struct proc p;
	int i, t, ok;

	proc_init(&p, &params);
	feed(&p, 0, 1, 80);
	before = p.e;
	CHECK(fault(&p, 79) == SM_FAULT_REPEAT && p.weight == 0 &&
	      !memcmp(&p.e, &before, sizeof(before)),
	      "same page twice: repeat, no evidence either way");

	/* Read fault then write fault on every page of a scan. */
	proc_init(&p, &params);
	for (ok = 1, i = 0; i < 1000; i++) {
		fault(&p, 10000 + i);
		ok &= fault(&p, 10000 + i) == SM_FAULT_REPEAT;
	}
	diag_proc("read-then-write scan", &p);
	CHECK(ok && p.e.verdict == SM_VERDICT_SEQUENTIAL,
	      "every page faulted twice in a scan: sequential");
	CHECK(p.faults[SM_FAULT_RANDOM] == 1, "double faults start no stream");

	/* Read fault-around maps 16 pages read-only, then a write per page. */
	proc_init(&p, &params);
	for (i = 0; i < 1000; i++) {
		if (i % 16 == 0)
			fault(&p, 10000 + i);
		fault(&p, 10000 + i);
	}
	CHECK(p.e.verdict == SM_VERDICT_SEQUENTIAL && p.faults[SM_FAULT_RANDOM] == 1,
	      "fault-around read then a write per page: sequential");

	/* A retried fault on each huge page of a THP scan. */
	proc_init(&p, &params);
	for (i = 0; i < 64; i++) {
		fault(&p, (1UL << 20) + i * 512UL);
		fault(&p, (1UL << 20) + i * 512UL);
	}
	CHECK(p.e.verdict == SM_VERDICT_SEQUENTIAL,
	      "THP scan with every fault retried: sequential");

	/* 16 threads, each page faulted twice, round-robin. */
	proc_init(&p, &params);
	for (i = 0; i < 16 * 100; i++) {
		t = i % 16;
		fault(&p, t * 1000000UL + 7 + i / 16);
		fault(&p, t * 1000000UL + 7 + i / 16);
	}
	CHECK(p.e.verdict == SM_VERDICT_SEQUENTIAL, "16 threads, double faults: sequential");

	/* A random reader retrying each fault stays random. */
	proc_init(&p, &params);
	for (i = 0; i < 2000; i++) {
		unsigned long pg = rnd() % (1UL << 24);

		fault(&p, pg);
		fault(&p, pg);
	}
	diag_proc("random reader, double faults", &p);
	CHECK(p.e.verdict == SM_VERDICT_RANDOM, "random reader with double faults: random");
}

/* A scan of @n faults @step pages apart from an aligned start. */
static int scan_is_sequential(unsigned long start, unsigned long step, int n,
			      const struct sm_params *params, struct proc *p)
{
	proc_init(p, params);
	return feed(p, start, step, n) == n - 1 && p->e.verdict == SM_VERDICT_SEQUENTIAL;
}

static void test_thp(void)
{
	static const unsigned long mthp[] = { 16, 32, 64, 128, 256 };
	struct sm_params params = defaults;
	char name[96];
	struct proc p;
	size_t i;
	int ok;

	CHECK(scan_is_sequential(512 * 1000, 512, 200, &params, &p),
	      "PMD THP scan (512-page steps): every fault after the first sequential");
	params.max_gap_pages = SM_GAP_MIN;
	CHECK(scan_is_sequential(512 * 1000, 512, 200, &params, &p),
	      "PMD THP scan is sequential with max_gap 1");
	params = defaults;
	for (i = 0; i < ARRAY_SIZE(mthp); i++) {
		snprintf(name, sizeof(name), "mTHP scan, %lu-page steps: sequential", mthp[i]);
		CHECK(scan_is_sequential(mthp[i] * 3000, mthp[i], 200, &params, &p), name);
	}
	CHECK(scan_is_sequential(8192UL * 100, 8192, 200, &params, &p),
	      "arm64 64K-page THP scan (8192-page steps): sequential");
	CHECK(scan_is_sequential(2048UL * 100, 2048, 200, &params, &p),
	      "arm64 16K-page THP scan (2048-page steps): sequential");

	/* Fault-around: 16-page windows aligned to 16, first fault anywhere. */
	proc_init(&p, &params);
	fault(&p, 100);
	CHECK(feed(&p, 112, 16, 200) == 200 && p.e.verdict == SM_VERDICT_SEQUENTIAL,
	      "fault-around scan (16-page steps) from an unaligned start: sequential");

	/* 64 MiB of THP: 32 faults. */
	proc_init(&p, &params);
	feed(&p, 512 * 77, 512, 32);
	diag_proc("64 MiB THP scan", &p);
	CHECK(p.e.verdict == SM_VERDICT_SEQUENTIAL,
	      "64 MiB THP scan (32 faults) reaches sequential with the defaults");

	/* 6.1: 4K faults up to the first 2 MiB boundary, then THP. */
	proc_init(&p, &params);
	ok = feed(&p, 512 * 50 + 300, 1, 212) == 211;
	ok &= feed(&p, 512 * 51, 512, 64) == 64;
	diag_proc("unaligned start then THP", &p);
	CHECK(ok && p.e.verdict == SM_VERDICT_SEQUENTIAL,
	      "unaligned start: 4K faults to the 2 MiB boundary, then THP: sequential");
	proc_init(&p, &params);
	ok = feed(&p, 512 * 50 + 500, 1, 12) == 11;
	ok &= feed(&p, 512 * 51, 512, 31) == 31;
	diag_proc("12 4K faults then 31 THP", &p);
	CHECK(ok && p.e.verdict == SM_VERDICT_SEQUENTIAL,
	      "12 4K faults then 31 THP faults: sequential");
}

/* @threads scanning regions of their own, @rr: round-robin, else random. */
static void threads(int nthreads, int rr, int random_every, struct proc *p)
{
	unsigned long next[SM_STREAMS + 1];
	int i, t;

	proc_init(p, &defaults);
	for (t = 0; t < nthreads; t++)
		next[t] = t * 10000000UL + 13 * t;
	for (i = 0; i < nthreads * 300; i++) {
		if (random_every && i % random_every == random_every - 1)
			fault(p, (1UL << 31) + rnd() % (1UL << 28));
		t = rr ? i % nthreads : (int)(rnd() % nthreads);
		fault(p, next[t]++);
	}
}

static void test_threads(void)
{
	static const int counts[] = { 16, 24, 32 };
	char name[96];
	struct proc p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		threads(counts[i], 1, 0, &p);
		snprintf(name, sizeof(name),
			 "%d threads round-robin: sequential, one miss per thread", counts[i]);
		CHECK(p.e.verdict == SM_VERDICT_SEQUENTIAL &&
		      p.faults[SM_FAULT_RANDOM] == (unsigned long)counts[i], name);
		threads(counts[i], 0, 0, &p);
		snprintf(name, sizeof(name),
			 "%d threads in a pseudo-random interleaving: sequential", counts[i]);
		CHECK(p.e.verdict == SM_VERDICT_SEQUENTIAL &&
		      p.faults[SM_FAULT_RANDOM] == (unsigned long)counts[i], name);
	}
	threads(SM_STREAMS + 1, 1, 0, &p);
	diag_proc("33 threads round-robin", &p);
	CHECK(p.e.verdict == SM_VERDICT_SEQUENTIAL,
	      "33 threads round-robin, one more than streams: sequential");
	threads(32, 1, 16, &p);
	diag_proc("32 streams + 1 random fault in 16", &p);
	CHECK(p.e.verdict == SM_VERDICT_SEQUENTIAL,
	      "32 interleaved streams plus a random fault in 16: sequential");
	threads(24, 0, 8, &p);
	diag_proc("24 streams (random order) + 1 random in 8", &p);
	CHECK(p.e.verdict == SM_VERDICT_SEQUENTIAL,
	      "24 streams in random order plus a random fault in 8: sequential");
}

/*
 * Uniform random faults over @pages pages, the first on @first: verdict
 * random at the end, and never anything else once two windows of faults
 * are in.
 */
static void random_reader(unsigned long pages, long first, const char *name)
{
	struct proc p;
	unsigned long off = 1UL << 25, not_random = 0;
	unsigned int max_permille = 0;
	int i;

	proc_init(&p, &defaults);
	if (first >= 0)
		fault(&p, off + first);
	for (i = 0; i < 20000; i++) {
		fault(&p, off + rnd() % pages);
		if (i < 2 * (int)defaults.window_size)
			continue;
		not_random += p.e.verdict != SM_VERDICT_RANDOM;
		if (sm_evidence_permille(&p.e) > max_permille)
			max_permille = sm_evidence_permille(&p.e);
	}
	printf("# %s: %lu of 20000 faults sequential (%lu pages vs %lu random); "
	       "%lu faults not random, share up to %u permille\n", name,
	       p.faults[SM_FAULT_SEQUENTIAL], p.pages[SM_FAULT_SEQUENTIAL],
	       p.pages[SM_FAULT_RANDOM], not_random, max_permille);
	CHECK(p.e.verdict == SM_VERDICT_RANDOM && not_random == 0, name);
}

static void test_random(void)
{
	random_reader(32768, -1, "uniform random over 32768 pages: random throughout");
	random_reader(2048, -1, "uniform random over 2048 pages: random throughout");
	random_reader(1UL << 24, -1, "uniform random over 2^24 pages: random throughout");
	random_reader(32768, 0, "random reader whose first fault is page 0 stays random");
}

/* Faults until the verdict is @want, at most @max; returns how many. */
static int until(struct proc *p, enum sm_verdict want, int max, int seq,
		 unsigned long *page)
{
	int n;

	for (n = 0; n < max && p->e.verdict != want; n++) {
		if (seq)
			fault(p, (*page)++);
		else
			fault(p, (1UL << 31) + rnd() % (1UL << 28));
	}
	return n;
}

static void test_aging(void)
{
	struct sm_params params = defaults;
	unsigned long page = 1UL << 20;
	int n, bound = 2 * params.window_size + params.window_size / 4;
	struct proc p;

	proc_init(&p, &params);
	feed(&p, 1UL << 30, 1001, 10000);
	CHECK(p.e.verdict == SM_VERDICT_RANDOM, "long random phase: random");
	feed(&p, page, 1, params.window_size / 4);
	page += params.window_size / 4;
	CHECK(p.e.verdict != SM_VERDICT_SEQUENTIAL,
	      "a quarter window of sequential pages doesn't flip it");
	n = until(&p, SM_VERDICT_SEQUENTIAL, 1000, 1, &page) + params.window_size / 4;
	printf("# random -> sequential after %d pages\n", n);
	CHECK(n <= bound, "then sequential within 2.25 windows of pages");
	feed(&p, page, 1, 10000);
	page += 10000;
	n = until(&p, SM_VERDICT_RANDOM, 1000, 0, &page);
	printf("# sequential -> random after %d faults\n", n);
	CHECK(n <= bound, "and back to random within 2.25 windows of faults");

	/* The same, the sequential phase under THP: pages, not faults. */
	proc_init(&p, &params);
	feed(&p, 1UL << 30, 1001, 10000);
	page = 512 * 4000;
	for (n = 0; n < 1000 && p.e.verdict != SM_VERDICT_SEQUENTIAL; n++) {
		fault(&p, page);
		page += 512;
	}
	printf("# random -> sequential after %d THP faults\n", n);
	CHECK(n <= 2 + bound / 16, "random -> sequential under THP within 2.25 windows of pages");
}

static void test_per_range(void)
{
	struct sm_params params = defaults;
	struct sm_evidence range, a, b;
	struct proc p;
	enum sm_verdict v;
	int i, same = 1;

	/* One range covering all: fed the same, it decides the same. */
	proc_init(&p, &params);
	sm_evidence_init(&range);
	for (i = 0; i < 20000; i++) {
		unsigned long pg;
		enum sm_fault_class c;

		switch ((i / 500) % 4) {
		case 0:
			pg = 100000 + i;
			break;
		case 1:
			pg = rnd() % (1UL << 24);
			break;
		case 2:
			pg = 512UL * i;
			break;
		default:
			pg = i & 1 ? rnd() % (1UL << 24) : 300000UL + i / 2;
		}
		c = fault(&p, pg);
		v = sm_evidence_add(&range, c, p.weight, &params);
		same &= v == p.e.verdict && range.seq == p.e.seq && range.rand == p.e.rand;
	}
	CHECK(same, "range evidence fed the same faults decides as the process");

	/* Two ranges: a scan in one, random faults in the other. */
	proc_init(&p, &params);
	sm_evidence_init(&a);
	sm_evidence_init(&b);
	for (i = 0; i < 4000; i++) {
		enum sm_fault_class c;

		if (i & 1) {
			c = fault(&p, (1UL << 24) + rnd() % (1UL << 22));
			sm_evidence_add(&b, c, p.weight, &params);
		} else {
			c = fault(&p, 1000 + i / 2);
			sm_evidence_add(&a, c, p.weight, &params);
		}
	}
	diag_proc("scan + random, process", &p);
	CHECK(a.verdict == SM_VERDICT_SEQUENTIAL, "the scanned range is sequential");
	CHECK(b.verdict == SM_VERDICT_RANDOM, "the randomly read range is random");
	CHECK(p.e.verdict == SM_VERDICT_MIXED, "the process doing both is mixed");
}

/* A fault in a followed mapping, as the tracker feeds it. */
static enum sm_verdict range_fault(struct sm_evidence *e, __u64 *threads,
				   unsigned int tid, enum sm_fault_class c,
				   unsigned int w, const struct sm_params *range)
{
	if (sm_thread_first_seen(threads, tid) && c == SM_FAULT_RANDOM)
		return e->verdict;
	return sm_evidence_add(e, c, w, range);
}

/*
 * A mapping's evidence: half the process's window, so a mis-advised
 * mapping is corrected soon; a thread's first fault in it is no
 * evidence, so the start of a scan by many threads is never random.
 */
static void test_range_window(void)
{
	static char cached[16384], mapped[16384];
	struct sm_params params = defaults, range;
	unsigned long n = 16384, pg, k, i, t;
	enum sm_verdict v = SM_VERDICT_UNKNOWN;
	struct sm_streams s;
	struct sm_evidence e;
	__u64 threads = 0;
	unsigned int w, tid, first = 0;
	int c, faults;

	sm_range_params(&params, &range);
	CHECK(range.window_size == 32 && range.threshold == 75 &&
	      range.max_gap_pages == 32, "a range needs half the window");
	params.window_size = 8;
	sm_range_params(&params, &range);
	CHECK(range.window_size == SM_WINDOW_MIN, "and never less than the minimum");
	for (tid = 1000; tid < 1016; tid++)
		first += sm_thread_first_seen(&threads, tid);
	CHECK(first >= 12 && !sm_thread_first_seen(&threads, 1003),
	      "a thread is new to a mapping once");

	/* Random reads under MADV_SEQUENTIAL: each reads 32 pages ahead. */
	sm_range_params(&defaults, &range);
	sm_streams_init(&s);
	sm_evidence_init(&e);
	threads = 0;
	for (faults = 0; faults < 4096 && v != SM_VERDICT_RANDOM;) {
		pg = rnd() % n;
		if (mapped[pg])
			continue;
		for (k = pg; k < pg + 32 && k < n; k++)
			cached[k] = 1;
		for (k = pg & ~15UL; k < (pg & ~15UL) + 16; k++)
			mapped[k] |= cached[k];
		c = sm_classify(&s, 1000000 + pg, &defaults, &w);
		v = range_fault(&e, &threads, 7, c, w, &range);
		faults++;
	}
	printf("# random reads under readahead: random after %d faults\n", faults);
	CHECK(v == SM_VERDICT_RANDOM && faults <= 40,
	      "random reads read ahead are random within 40 faults");

	/* Then a scan of the same file, fault-around mapping what is cached. */
	for (i = 0, faults = 0; i < n && v != SM_VERDICT_SEQUENTIAL; i++) {
		if (mapped[i])
			continue;
		cached[i] = 1;
		for (k = i & ~15UL; k < (i & ~15UL) + 16; k++)
			mapped[k] |= cached[k];
		c = sm_classify(&s, 1000000 + i, &defaults, &w);
		v = range_fault(&e, &threads, 7, c, w, &range);
		faults++;
	}
	printf("# then a scan: sequential after %d faults\n", faults);
	CHECK(v == SM_VERDICT_SEQUENTIAL && faults <= 80,
	      "a scan after random reads is sequential within 80 faults");

	/* A correctly advised scan under fault-around never looks random. */
	sm_streams_init(&s);
	sm_evidence_init(&e);
	threads = 0;
	for (i = 0, c = 0; i < n; i += 16)
		if (range_fault(&e, &threads, 7,
				sm_classify(&s, 2000000 + i, &defaults, &w), w,
				&range) == SM_VERDICT_RANDOM)
			c++;
	CHECK(c == 0 && e.verdict == SM_VERDICT_SEQUENTIAL,
	      "a scan's range is never random");

	/*
	 * 24 threads start scanning their own 2 MiB of one mapping in turns,
	 * one fault each, while 16 faults elsewhere churn the streams: the
	 * threads' first faults are no evidence, so never random.
	 */
	sm_streams_init(&s);
	sm_evidence_init(&e);
	threads = 0;
	for (i = 0, c = 0; i < 64; i++) {
		for (t = 0; t < 24; t++) {
			if (i == 0 && t < 16)
				sm_classify(&s, 5000000 + 7919 * t, &defaults, &w);
			if (range_fault(&e, &threads, 2000 + t,
					sm_classify(&s, 3000000 + 512 * t + 16 * i,
						    &defaults, &w),
					w, &range) == SM_VERDICT_RANDOM)
				c++;
		}
	}
	CHECK(c == 0 && e.verdict == SM_VERDICT_SEQUENTIAL,
	      "24 threads starting their scans are never random");
}

static void test_rewrite_table(void)
{
	static const int others[] = {
		MADV_NORMAL, MADV_WILLNEED, MADV_DONTNEED, MADV_FREE,
		MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE,
		MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE,
		MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK,
		MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT, MADV_HWPOISON,
		-1, 1000,
	};
	int v, ok = 1;
	size_t i;

	CHECK(sm_rewrite_advice(MADV_RANDOM, SM_VERDICT_SEQUENTIAL) == MADV_SEQUENTIAL,
	      "RANDOM from a sequential process becomes SEQUENTIAL");
	CHECK(sm_rewrite_advice(MADV_SEQUENTIAL, SM_VERDICT_RANDOM) == MADV_RANDOM,
	      "SEQUENTIAL from a random process becomes RANDOM");
	for (v = SM_VERDICT_UNKNOWN; v <= SM_VERDICT_MIXED; v++) {
		if (v != SM_VERDICT_SEQUENTIAL)
			ok &= sm_rewrite_advice(MADV_RANDOM, v) == MADV_RANDOM;
		if (v != SM_VERDICT_RANDOM)
			ok &= sm_rewrite_advice(MADV_SEQUENTIAL, v) == MADV_SEQUENTIAL;
		for (i = 0; i < ARRAY_SIZE(others); i++)
			ok &= sm_rewrite_advice(others[i], v) == others[i];
	}
	CHECK(ok, "every other advice and inconclusive verdict passes through");
	CHECK(sm_advice_is_hint(MADV_RANDOM) && sm_advice_is_hint(MADV_SEQUENTIAL) &&
	      !sm_advice_is_hint(MADV_NORMAL) && !sm_advice_is_hint(MADV_WILLNEED),
	      "only the two access-pattern hints are rewritable");
	CHECK(!strcmp(sm_verdict_name(SM_VERDICT_MIXED), "mixed") &&
	      !strcmp(sm_verdict_name(SM_VERDICT_UNKNOWN), "unknown") &&
	      !strcmp(sm_advice_name(MADV_SEQUENTIAL), "sequential"),
	      "names");
}

/*
 * The advice at a madvise() call changes only on a verdict that has held
 * for a window of pages: not on one just formed, not on one that flips.
 */
static void test_settled(void)
{
	struct sm_params range;
	struct sm_evidence e;
	struct proc p;
	int n, i;

	proc_init(&p, &defaults);
	for (n = 0; n < 1000 && p.e.verdict != SM_VERDICT_RANDOM; n++)
		fault(&p, (1UL << 30) + rnd() % (1UL << 24));
	CHECK(p.e.verdict == SM_VERDICT_RANDOM &&
	      sm_settled_rewrite(MADV_SEQUENTIAL, &p.e, &p.params) == MADV_SEQUENTIAL,
	      "a random verdict just formed keeps MADV_SEQUENTIAL");
	for (i = 0; i < (int)defaults.window_size - 1; i++)
		fault(&p, (1UL << 30) + rnd() % (1UL << 24));
	CHECK(sm_settled_rewrite(MADV_SEQUENTIAL, &p.e, &p.params) == MADV_SEQUENTIAL,
	      "and still after a window of pages less one");
	fault(&p, (1UL << 30) + rnd() % (1UL << 24));
	CHECK(sm_settled_rewrite(MADV_SEQUENTIAL, &p.e, &p.params) == MADV_RANDOM,
	      "held for a window of pages, it rewrites MADV_SEQUENTIAL");

	/* A scan turns it sequential: the count starts again. */
	for (n = 0; n < 1000 && p.e.verdict != SM_VERDICT_SEQUENTIAL; n++)
		fault(&p, (1UL << 20) + n);
	CHECK(p.e.verdict == SM_VERDICT_SEQUENTIAL &&
	      sm_settled_rewrite(MADV_RANDOM, &p.e, &p.params) == MADV_RANDOM,
	      "a verdict that has just flipped rewrites nothing");
	for (i = 0; i < 1000 && p.e.settled < defaults.window_size; i++)
		fault(&p, (1UL << 20) + n + i);
	CHECK(sm_settled_rewrite(MADV_RANDOM, &p.e, &p.params) == MADV_SEQUENTIAL &&
	      sm_settled_rewrite(MADV_SEQUENTIAL, &p.e, &p.params) == MADV_SEQUENTIAL,
	      "once settled, MADV_RANDOM is rewritten and MADV_SEQUENTIAL kept");

	/* A mapping's own history settles on half the window. */
	sm_range_params(&defaults, &range);
	sm_evidence_init(&e);
	for (i = 0; i < 1000 && e.verdict != SM_VERDICT_RANDOM; i++)
		sm_evidence_add(&e, SM_FAULT_RANDOM, 1, &range);
	for (n = 0; n < (int)range.window_size; n++)
		sm_evidence_add(&e, SM_FAULT_RANDOM, 1, &range);
	CHECK(sm_settled_rewrite(MADV_SEQUENTIAL, &e, &range) == MADV_RANDOM &&
	      sm_settled_rewrite(MADV_SEQUENTIAL, &e, &defaults) == MADV_SEQUENTIAL,
	      "a mapping's verdict settles on half the process's window");
}

/*
 * A program's startup faults fill the stream table; then it advises a
 * mapping and 16 (or 24) threads start scanning their parts of it, one
 * fault-around window a turn: the mapping's verdict is never random.
 */
static int scanners_after_startup(int startup, int nthreads, int advised)
{
	struct sm_params range;
	unsigned long next[24];
	struct sm_streams s;
	struct sm_evidence e;
	__u64 threads = 0;
	int i, t, random = 0;
	unsigned int w;

	sm_range_params(&defaults, &range);
	sm_streams_init(&s);
	sm_evidence_init(&e);
	for (i = 0; i < startup; i++)
		sm_classify(&s, 5000000 + rnd() % 100000, &defaults, &w);
	if (advised)
		sm_streams_advised(&s);
	for (t = 0; t < nthreads; t++)
		next[t] = 3000000 + 512 * t + 11;	/* not 16-page aligned */
	for (i = 0; i < nthreads * 40; i++) {
		t = i % nthreads;
		random += range_fault(&e, &threads, 2000 + t,
				      sm_classify(&s, next[t], &defaults, &w), w,
				      &range) == SM_VERDICT_RANDOM;
		next[t] = (next[t] | 15) + 1;
	}
	return random;
}

static void test_startup(void)
{
	static const int startups[] = { 10, 20, 31, 32, 40, 64, 100, 500 };
	int i, n, bad = 0, bad_unadvised = 0;

	for (n = 16; n <= 24; n += 8) {
		for (i = 0; i < (int)ARRAY_SIZE(startups); i++) {
			bad += scanners_after_startup(startups[i], n, 1) > 0;
			bad_unadvised += scanners_after_startup(startups[i], n, 0) > 0;
		}
	}
	printf("# scans after startup faults: random in %d of 16 runs, %d unadvised\n",
	       bad, bad_unadvised);
	CHECK(bad == 0, "scanners starting after startup faults filled the table: never random");
	CHECK(bad_unadvised > 0, "and without the advice's demotion some would be");
}

int main(void)
{
	printf("TAP version 13\n");
	test_classify();
	test_streams();
	test_window();
	test_thresholds();
	test_resize();
	test_weights();
	test_repeats();
	test_thp();
	test_threads();
	test_random();
	test_aging();
	test_per_range();
	test_range_window();
	test_rewrite_table();
	test_settled();
	test_startup();
	printf("1..%d\n", passed + failed);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

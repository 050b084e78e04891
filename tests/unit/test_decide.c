// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for src/decide.c, kselftest-style TAP output, ending with
 * the plain "N passed, N failed" line.
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

/* Feeds @n faults at page = start + i * step; returns sequential count. */
static int feed(struct sm_pattern *p, unsigned long start, long step, int n,
		const struct sm_params *params)
{
	int i, seq = 0;

	for (i = 0; i < n; i++) {
		int s = sm_classify(p, start + i * step, params->max_gap_pages);

		sm_record(p, s, params);
		seq += s;
	}
	return seq;
}

static unsigned long lcg(unsigned long *state)
{
	*state = *state * 6364136223846793005UL + 1442695040888963407UL;
	return *state >> 20;
}

static void test_classify(void)
{
	struct sm_pattern p;

	sm_pattern_init(&p);
	CHECK(sm_classify(&p, 100, 32) == 0, "first fault is random");
	CHECK(sm_classify(&p, 101, 32) == 1, "next page is sequential");
	CHECK(sm_classify(&p, 101, 32) == 0, "repeat of the same page is not sequential");
	CHECK(sm_classify(&p, 117, 32) == 1, "gap of 16 (fault-around) is sequential");
	CHECK(sm_classify(&p, 149, 32) == 1, "gap equal to max_gap is sequential");
	CHECK(sm_classify(&p, 182, 32) == 0, "gap above max_gap is random");
	CHECK(sm_classify(&p, 50, 32) == 0, "backwards is random");
	CHECK(p.nr_streams == 3, "repeat started no stream, misses did");

	/* THP first touch: one fault per 512 pages, each on a huge-page start. */
	sm_pattern_init(&p);
	sm_classify(&p, 512 * 7, 32);
	CHECK(sm_classify(&p, 512 * 8, 32) == 1, "next huge page start is sequential");
	CHECK(sm_classify(&p, 512 * 9 + 1, 32) == 0,
	      "a 513-page jump off a huge-page start is random");
	sm_pattern_init(&p);
	sm_classify(&p, 100, 32);
	CHECK(sm_classify(&p, 300, 32) == 0, "a 200-page jump to an unaligned page is random");
}

static void test_streams(void)
{
	struct sm_pattern p;
	int i, seq = 0;

	/* Four interleaved scanners, as threads on their own regions. */
	sm_pattern_init(&p);
	for (i = 0; i < 400; i++)
		seq += sm_classify(&p, (i % 4) * 1000000UL + i / 4, 32);
	CHECK(seq == 400 - 4,
	      "4 interleaved streams are all sequential after their first fault");

	/* A fifth stream evicts the least recently used one. */
	sm_pattern_init(&p);
	for (i = 0; i < 5; i++)
		sm_classify(&p, i * 1000000UL, 32);
	CHECK(p.nr_streams == SM_STREAMS, "stream count is capped");
	CHECK(sm_classify(&p, 1, 32) == 0, "LRU stream (the first) was evicted");
	CHECK(sm_classify(&p, 4000001, 32) == 1, "MRU stream survives");
}

static void test_window(void)
{
	struct sm_params params = defaults;
	struct sm_pattern p;
	unsigned long rnd = 42;
	int i;

	sm_pattern_init(&p);
	feed(&p, 0, 1, 63, &params);
	CHECK(p.verdict == SM_VERDICT_UNKNOWN, "unknown before the window is full");
	feed(&p, 63, 1, 1, &params);
	CHECK(p.verdict == SM_VERDICT_SEQUENTIAL, "sequential once 64 faults are in");
	CHECK(p.win_fill == 64 && p.win_seq == 63, "window counts 63 of 64 sequential");
	CHECK(p.nr_seq == 63 && p.nr_rand == 1, "totals counted");

	for (i = 0; i < 64; i++) {
		int s = sm_classify(&p, lcg(&rnd), params.max_gap_pages);

		sm_record(&p, s, &params);
	}
	CHECK(p.verdict == SM_VERDICT_RANDOM, "window slides: 64 random faults make it random");
	CHECK(p.nr_seq + p.nr_rand == 128, "totals keep all faults");

	/* Half and half: neither >= 75% nor <= 25%. */
	sm_pattern_init(&p);
	for (i = 0; i < 64; i++)
		sm_record(&p, i & 1, &params);
	CHECK(p.verdict == SM_VERDICT_MIXED, "50% sequential is mixed");
	CHECK(sm_window_permille(&p) == 500, "permille of a half-sequential window");
}

static void test_thresholds(void)
{
	struct sm_params params = defaults;
	struct sm_pattern p;
	int i;

	/* Exactly 75% (48 of 64) is sequential; 47 is mixed. */
	sm_pattern_init(&p);
	for (i = 0; i < 64; i++)
		sm_record(&p, i < 48, &params);
	CHECK(p.verdict == SM_VERDICT_SEQUENTIAL, "threshold is inclusive (48/64 = 75%)");
	sm_pattern_init(&p);
	for (i = 0; i < 64; i++)
		sm_record(&p, i < 47, &params);
	CHECK(p.verdict == SM_VERDICT_MIXED, "just below threshold is mixed");
	sm_pattern_init(&p);
	for (i = 0; i < 64; i++)
		sm_record(&p, i < 16, &params);
	CHECK(p.verdict == SM_VERDICT_RANDOM, "100 - threshold is inclusive (16/64 = 25%)");

	params.threshold = 100;
	sm_pattern_init(&p);
	for (i = 0; i < 64; i++)
		sm_record(&p, i != 10, &params);
	CHECK(p.verdict == SM_VERDICT_MIXED, "threshold 100 needs every fault sequential");
}

static void test_resize(void)
{
	struct sm_params params = defaults;
	struct sm_pattern p;

	sm_pattern_init(&p);
	feed(&p, 0, 1, 100, &params);
	CHECK(p.verdict == SM_VERDICT_SEQUENTIAL, "sequential with window 64");
	params.window_size = SM_WINDOW_MAX;
	feed(&p, 100, 1, 1, &params);
	CHECK(p.verdict == SM_VERDICT_UNKNOWN && p.win_fill == 1,
	      "a new window_size restarts the window");
	feed(&p, 101, 1, SM_WINDOW_MAX - 1, &params);
	CHECK(p.verdict == SM_VERDICT_SEQUENTIAL && p.win_fill == SM_WINDOW_MAX,
	      "largest window fills and decides");
	params.window_size = SM_WINDOW_MIN;
	feed(&p, 5000, 1000, SM_WINDOW_MIN, &params);
	CHECK(p.verdict == SM_VERDICT_RANDOM, "smallest window decides after 8 faults");
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
	      !strcmp(sm_advice_name(MADV_SEQUENTIAL), "sequential"),
	      "names");
}

int main(void)
{
	printf("TAP version 13\n");
	test_classify();
	test_streams();
	test_window();
	test_thresholds();
	test_resize();
	test_rewrite_table();
	printf("1..%d\n", passed + failed);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

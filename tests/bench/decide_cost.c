// SPDX-License-Identifier: GPL-2.0
/*
 * decide_cost: host-side cost of the per-fault decision logic, src/decide.c
 * compiled unchanged (as the unit tests do). Prints nanoseconds per fault
 * for a sequential and a random fault stream; run it under
 * `valgrind --tool=callgrind` for exact instruction counts per call
 * (tests/bench/README.md shows how).
 *
 *   decide_cost [FAULTS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "decide.h"

static const struct sm_params params = {
	.window_size = 64, .threshold = 75, .max_gap_pages = 32,
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static double run(unsigned long n, int random)
{
	struct sm_streams s;
	struct sm_evidence e;
	uint64_t seed = 88172645463325252ULL, t0;
	unsigned long i, page = 1000;
	volatile int sink = 0;
	__u32 weight;

	sm_streams_init(&s);
	sm_evidence_init(&e);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (random) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			page = seed % (1UL << 20);
		} else {
			page++;
		}
		sink += sm_evidence_add(&e, sm_classify(&s, page, &params, &weight),
					weight, &params);
	}
	return (double)(now_ns() - t0) / n;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 10000000;

	printf("sequential: %.1f ns/fault\n", run(n, 0));
	printf("random: %.1f ns/fault\n", run(n, 1));
	return 0;
}

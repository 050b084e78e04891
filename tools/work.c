// SPDX-License-Identifier: GPL-2.0
/*
 * work: a load generator for the page-fault profiler, after the one of the
 * CS423 "MP3 page fault profiler":
 *
 *   work SIZE_MB PATTERN ITERATIONS
 *
 * maps SIZE_MB of anonymous memory (not touched up front and without
 * transparent huge pages, so every first touch of a page is a minor fault) and makes ROUNDS rounds of ITERATIONS
 * one-byte writes (stores only: a read first would fault twice) each:
 *
 *   R  random: a uniformly random byte of the whole area;
 *   L  locality: the next byte at most 300 bytes after the previous one,
 *      wrapping at the end (the course project's local_access());
 *   S  sequential: one write per page, page after page, wrapping.
 *
 * At the end it prints its pid, its minor/major faults and its completion
 * time in seconds, e.g. "work: pid 42 R 1024 MB 50000x20: 3.141 s".
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS		20
#define PAGE		4096UL

static uint64_t rng_state;

/* xorshift64*: cheap and good enough to spread accesses. */
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: work SIZE_MB PATTERN ITERATIONS\n"
		"  SIZE_MB     memory to map, 1..1048576\n"
		"  PATTERN     R (random), L (locality) or S (sequential)\n"
		"  ITERATIONS  accesses per round (%d rounds), 1..1000000000\n",
		ROUNDS);
	return 2;
}

static int parse_ulong(const char *s, unsigned long min, unsigned long max,
		       unsigned long *out)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	*out = strtoul(s, &end, 10);
	if (errno || *end || *out < min || *out > max)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long size_mb, iters, r, i;
	size_t size, pos = 0;
	struct rusage ru;
	volatile char *mem;
	double t0, t1;
	char pattern;

	if (argc != 4 || parse_ulong(argv[1], 1, 1UL << 20, &size_mb) ||
	    parse_ulong(argv[3], 1, 1000000000UL, &iters) ||
	    strlen(argv[2]) != 1 || !strchr("RLS", argv[2][0]))
		return usage();
	pattern = argv[2][0];
	size = size_mb << 20;

	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		fprintf(stderr, "work: mmap %lu MB: %s\n", size_mb,
			strerror(errno));
		return 1;
	}
	/* Count 4 KiB faults as the course project did, not huge pages. */
	madvise((void *)mem, size, MADV_NOHUGEPAGE);
	rng_state = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)getpid() << 17);

	t0 = now();
	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < iters; i++) {
			switch (pattern) {
			case 'R':
				pos = rng() % size;
				break;
			case 'L':
				pos = (pos + rng() % 300) % size;
				break;
			default:
				pos = (pos + PAGE) % size;
				break;
			}
			mem[pos] = (char)i;
		}
	}
	t1 = now();

	getrusage(RUSAGE_SELF, &ru);
	printf("work: pid %d %c %lu MB %lux%d: minflt %ld majflt %ld: %.3f s\n",
	       (int)getpid(), pattern, size_mb, iters, ROUNDS, ru.ru_minflt,
	       ru.ru_majflt, t1 - t0);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Fork/exit storm: stress_fork TOTAL PARALLEL PAGES [HOLD_MS]
 * Forks TOTAL short children, at most PARALLEL alive at once. Each maps
 * PAGES pages (no THP, one fault per page), touches them, optionally
 * sleeps HOLD_MS and exits. Prints "forked=N failed=N elapsed_ms=N".
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static void child(long pages, long hold_ms)
{
	long psz = sysconf(_SC_PAGESIZE), i;
	char *p;

	if (pages > 0) {
		p = mmap(NULL, pages * psz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(1);
		madvise(p, pages * psz, MADV_NOHUGEPAGE);
		for (i = 0; i < pages; i++)
			p[i * psz] = 1;
	}
	if (hold_ms > 0)
		usleep(hold_ms * 1000);
	_exit(0);
}

int main(int argc, char **argv)
{
	long total, parallel, pages, hold = 0, started = 0, alive = 0, failed = 0, t0;
	int st;

	if (argc < 4) {
		fprintf(stderr, "usage: %s TOTAL PARALLEL PAGES [HOLD_MS]\n", argv[0]);
		return 2;
	}
	total = atol(argv[1]);
	parallel = atol(argv[2]);
	pages = atol(argv[3]);
	if (argc > 4)
		hold = atol(argv[4]);
	t0 = now_ms();
	while (started < total || alive > 0) {
		while (started < total && alive < parallel) {
			pid_t pid = fork();

			if (pid == 0)
				child(pages, hold);
			if (pid < 0) {
				failed++;
				break;
			}
			started++;
			alive++;
		}
		if (wait(&st) > 0) {
			alive--;
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				failed++;
		} else if (alive == 0 && started < total) {
			usleep(1000);
		} else {
			break;
		}
	}
	printf("forked=%ld failed=%ld elapsed_ms=%ld\n", started, failed, now_ms() - t0);
	return failed ? 1 : 0;
}

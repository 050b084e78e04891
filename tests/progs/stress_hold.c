// SPDX-License-Identifier: GPL-2.0
/*
 * A tracked process with a known fault count: stress_hold PAGES
 * Prints READY and waits for SIGUSR1; then maps PAGES pages (no THP),
 * touches each once and unmaps, round after round, until SIGUSR2.
 * Prints "FAULTS=N" (its own minor+major faults during that phase, from
 * getrusage), "ROUNDS=N", "DONE" and sleeps until killed.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static volatile sig_atomic_t go, stop;

static void on_go(int s) { (void)s; go = 1; }
static void on_stop(int s) { (void)s; stop = 1; }

static long faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

int main(int argc, char **argv)
{
	long pages = argc > 1 ? atol(argv[1]) : 64, psz = sysconf(_SC_PAGESIZE);
	long i, rounds = 0, f0, f1;
	char *p;

	signal(SIGUSR1, on_go);
	signal(SIGUSR2, on_stop);
	printf("READY\n");
	fflush(stdout);
	while (!go)
		pause();
	f0 = faults();
	while (!stop) {
		p = mmap(NULL, pages * psz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 1;
		madvise(p, pages * psz, MADV_NOHUGEPAGE);
		for (i = 0; i < pages; i++)
			p[i * psz] = 1;
		munmap(p, pages * psz);
		rounds++;
		usleep(20000);
	}
	f1 = faults();
	printf("FAULTS=%ld\nROUNDS=%ld\nDONE\n", f1 - f0, rounds);
	fflush(stdout);
	for (;;)
		pause();
}

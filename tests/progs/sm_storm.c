// SPDX-License-Identifier: GPL-2.0
/*
 * sm_storm: a bounded fault and madvise storm, to run while the module is
 * loaded, enabled, disabled and removed underneath it.
 *
 *   sm_storm [-t SECONDS] [-T THREADS] [-F] [-s STOPFILE]
 *
 * Each thread loops: map 64 pages, fault them in order and at random,
 * madvise RANDOM / SEQUENTIAL / DONTNEED, unmap. With -F it also forks a
 * short child every 16 rounds (exit while probes come and go). Stops
 * after SECONDS (default 10), or earlier once STOPFILE exists. Prints
 * "rounds=N" and exits 0; any unexpected madvise error exits 1.
 */
#include "smtest.h"
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>

#define PAGES 64

static time_t deadline;
static const char *stopfile;
static int do_fork;
static volatile int bad;
static unsigned long rounds[64];

static void *storm(void *arg)
{
	unsigned long id = (unsigned long)arg, i;
	uint64_t seed = 0x1234567 + id;
	char *p;

	while (time(NULL) < deadline &&
	       (!stopfile || access(stopfile, F_OK) != 0)) {
		p = map_anon(PAGES);
		for (i = 0; i < PAGES; i++)
			p[i * PAGE] = 1;
		if (madvise(p, PAGES * PAGE, MADV_RANDOM) ||
		    madvise(p, PAGES * PAGE, MADV_SEQUENTIAL) ||
		    madvise(p, PAGES * PAGE, MADV_DONTNEED))
			bad = 1;
		for (i = 0; i < PAGES / 2; i++)
			p[(xorshift64(&seed) % PAGES) * PAGE] = 2;
		if (munmap(p, PAGES * PAGE))
			bad = 1;
		if (do_fork && id == 0 && rounds[id] % 16 == 0) {
			pid_t c = fork();

			if (c == 0) {
				char *q = map_anon(8);

				for (i = 0; i < 8; i++)
					q[i * PAGE] = 1;
				_exit(0);
			}
			if (c > 0)
				waitpid(c, NULL, 0);
		}
		rounds[id]++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int opt, seconds = 10, threads = 2, i;
	unsigned long total = 0;
	pthread_t tids[64];

	while ((opt = getopt(argc, argv, "t:T:Fs:")) != -1) {
		switch (opt) {
		case 't':
			seconds = atoi(optarg);
			break;
		case 'T':
			threads = atoi(optarg);
			break;
		case 'F':
			do_fork = 1;
			break;
		case 's':
			stopfile = optarg;
			break;
		default:
			return 2;
		}
	}
	if (threads < 1 || threads > 64 || seconds < 1)
		die("bad arguments");
	deadline = time(NULL) + seconds;
	for (i = 0; i < threads; i++)
		if (pthread_create(&tids[i], NULL, storm, (void *)(unsigned long)i))
			die("pthread_create");
	for (i = 0; i < threads; i++) {
		pthread_join(tids[i], NULL);
		total += rounds[i];
	}
	printf("rounds=%lu\n", total);
	if (bad)
		printf("unexpected madvise/munmap error\n");
	return bad ? 1 : 0;
}

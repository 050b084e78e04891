// SPDX-License-Identifier: GPL-2.0
/*
 * sm_advise_chain N MAPS: a chain of N processes, each advising MAPS
 * separate one-page ranges of its own MADV_RANDOM and then sleeping, all
 * SCHED_FIFO on CPU 0. Each forks the next before it sleeps, so no
 * SCHED_OTHER task (the module's refill worker included) runs on CPU 0
 * until the last one has advised: N * MAPS new mappings in a row, more
 * than the module's reserve holds. The last prints READY and the pids;
 * killing the first ends the chain (each dies with its parent).
 */
#include "smtest.h"
#include <sched.h>
#include <sys/prctl.h>

int main(int argc, char **argv)
{
	struct sched_param sp = { .sched_priority = 10 };
	unsigned long n, maps, i, k;
	cpu_set_t cpu0;
	pid_t child;
	char *p;

	if (argc != 3)
		die("usage: sm_advise_chain N MAPS");
	n = strtoul(argv[1], NULL, 0);
	maps = strtoul(argv[2], NULL, 0);
	if (!n || !maps)
		die("N and MAPS must be positive");
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0))
		die("sched_setaffinity(CPU 0)");
	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		die("sched_setscheduler(SCHED_FIFO)");
	for (k = 0; k < n; k++) {
		/* every other page: ranges that neither touch nor merge */
		p = map_anon(2 * maps);
		for (i = 0; i < maps; i++)
			if (madvise(p + 2 * i * PAGE, PAGE, MADV_RANDOM))
				die("madvise(MADV_RANDOM) %lu of process %lu", i, k);
		printf("pid=%d\n", getpid());
		if (k == n - 1)
			break;
		fflush(stdout);
		child = fork();
		if (child < 0)
			die("fork");
		while (child > 0)
			pause();
		if (prctl(PR_SET_PDEATHSIG, SIGKILL))
			die("prctl(PR_SET_PDEATHSIG)");
	}
	printf("advised=%lu\n", n * maps);
	ready_and_pause();
	return 0;
}

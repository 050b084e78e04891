// SPDX-License-Identifier: GPL-2.0
/*
 * sm_advise_chain N MAPS STATS: a chain of N processes, each advising MAPS
 * separate one-page ranges of its own MADV_RANDOM, all SCHED_FIFO on CPU 0.
 * Each forks the next and waits for it, so no SCHED_OTHER task (the
 * module's refill worker included) runs on CPU 0 until the last one has
 * advised: N * MAPS new mappings in a row, more than the module's reserve
 * holds. The last one, with all N alive, copies the "mappings_" lines of
 * the file STATS to stdout and exits; each then exits after its child.
 * Nothing prints or waits on anything else meanwhile: under PREEMPT_RT a
 * lock another CPU holds would put CPU 0 to sleep and let the worker in.
 */
#include "smtest.h"
#include <sched.h>
#include <sys/wait.h>

static void copy_mappings_lines(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");

	if (!f)
		die("open %s", path);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "mappings_", 9))
			fputs(line, stdout);
	fclose(f);
}

int main(int argc, char **argv)
{
	struct sched_param sp = { .sched_priority = 10 };
	unsigned long n, maps, i, k;
	int status = 0;
	cpu_set_t cpu0;
	pid_t child;
	char *p;

	if (argc != 4)
		die("usage: sm_advise_chain N MAPS STATS");
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
	fflush(stdout);
	for (k = 0; k < n; k++) {
		/* every other page: ranges that neither touch nor merge */
		p = map_anon(2 * maps);
		for (i = 0; i < maps; i++)
			if (madvise(p + 2 * i * PAGE, PAGE, MADV_RANDOM))
				die("madvise(MADV_RANDOM) %lu of process %lu", i, k);
		if (k == n - 1)
			break;
		child = fork();
		if (child < 0)
			die("fork");
		if (child > 0) {
			if (waitpid(child, &status, 0) != child)
				die("waitpid");
			return WIFEXITED(status) ? WEXITSTATUS(status) : 3;
		}
	}
	copy_mappings_lines(argv[3]);
	printf("advised=%lu\n", n * maps);
	return 0;
}

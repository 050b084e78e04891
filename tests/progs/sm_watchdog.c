// SPDX-License-Identifier: GPL-2.0
/*
 * The guest runner's watchdog:
 *   sm_watchdog FILE STALL_S CMD [ARG...]
 * Every 2 s, when FILE (the running case's output) has not changed for
 * STALL_S seconds, or for the number of seconds in /tmp/stall when that
 * file exists, runs CMD once for that stall. It locks its memory up front
 * and starts CMD with posix_spawn() (no copy-on-write in the parent), so
 * it never takes a page fault later: the module would track it, and the
 * cases check the number of tracked processes.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long stall_seconds(long dflt)
{
	char buf[32] = "";
	FILE *f = fopen("/tmp/stall", "r");
	long v = dflt;

	if (f) {
		if (fgets(buf, sizeof(buf), f))
			v = strtol(buf, NULL, 10);
		fclose(f);
	}
	return v > 0 ? v : dflt;
}

int main(int argc, char **argv)
{
	struct timespec now, tick = { 2, 0 };
	time_t last_change = 0, last_mtime = 0;
	volatile char stack[16384];
	long dflt;
	pid_t pid;

	if (argc < 4) {
		fprintf(stderr, "usage: sm_watchdog FILE STALL_S CMD [ARG...]\n");
		return 2;
	}
	dflt = strtol(argv[2], NULL, 10);
	memset((char *)stack, 0, sizeof(stack));	/* the stack it will use */
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		perror("sm_watchdog: mlockall");
	/* the vDSO's data page and the libc paths of the loop, faulted now */
	clock_gettime(CLOCK_MONOTONIC, &now);
	stall_seconds(dflt);
	for (;;) {
		struct stat st;

		nanosleep(&tick, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (stat(argv[1], &st)) {
			last_change = now.tv_sec;
			continue;
		}
		if (st.st_mtime != last_mtime || !last_change) {
			last_mtime = st.st_mtime;
			last_change = now.tv_sec;
			continue;
		}
		if (now.tv_sec - last_change < stall_seconds(dflt))
			continue;
		if (!posix_spawn(&pid, argv[3], NULL, NULL, argv + 3, environ))
			waitpid(pid, NULL, 0);
		last_change = now.tv_sec;
	}
}

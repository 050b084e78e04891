// SPDX-License-Identifier: GPL-2.0
/*
 * sm_forker: many short processes, in batches, to check that the module
 * forgets processes whose address space is gone.
 *
 *   sm_forker [-n TOTAL] [-b BATCH] [-s STATS_FILE]
 *
 * Forks TOTAL children (default 1000), BATCH (default 50) alive at a time.
 * Each child faults 16 fresh pages, reports ready through a pipe, waits for
 * its batch to be released, and exits. While a batch is alive the parent
 * reads "processes_tracked" from STATS_FILE (the module's debugfs stats)
 * and prints the largest value seen, proving the children were tracked.
 * Output: forked=N max_tracked=M (M is -1 without -s).
 */
#include "smtest.h"
#include <sys/wait.h>

static long read_tracked(const char *path)
{
	char name[64];
	long v, found = -1;
	FILE *f;

	if (!path)
		return -1;
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", name, &v) == 2)
		if (!strcmp(name, "processes_tracked"))
			found = v;
	fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	long total = 1000, batch = 50, forked = 0, max_tracked = -1, t, i;
	const char *stats = NULL;
	int opt, ready[2], release[2];
	char c;

	while ((opt = getopt(argc, argv, "n:b:s:")) != -1) {
		switch (opt) {
		case 'n':
			total = atol(optarg);
			break;
		case 'b':
			batch = atol(optarg);
			break;
		case 's':
			stats = optarg;
			break;
		default:
			return 2;
		}
	}
	if (total < 1 || batch < 1)
		die("bad arguments");
	while (forked < total) {
		long n = total - forked < batch ? total - forked : batch;

		if (pipe(ready) || pipe(release))
			die("pipe");
		for (i = 0; i < n; i++) {
			pid_t pid = fork();

			if (pid < 0)
				die("fork");
			if (pid == 0) {
				char *p = map_anon(16);
				unsigned long j;

				close(ready[0]);
				close(release[1]);
				for (j = 0; j < 16; j++)
					p[j * PAGE] = 1;
				if (write(ready[1], "r", 1) != 1)
					_exit(3);
				/* EOF once the parent closes its end */
				while (read(release[0], &c, 1) > 0)
					;
				_exit(0);
			}
		}
		close(ready[1]);
		close(release[0]);
		for (i = 0; i < n; i++)
			if (read(ready[0], &c, 1) != 1)
				die("child did not report");
		t = read_tracked(stats);
		if (t > max_tracked)
			max_tracked = t;
		close(release[1]);
		close(ready[0]);
		for (i = 0; i < n; i++) {
			int st;

			if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
				die("child failed");
		}
		forked += n;
	}
	printf("forked=%ld max_tracked=%ld\n", forked, max_tracked);
	return 0;
}

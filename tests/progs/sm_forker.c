// SPDX-License-Identifier: GPL-2.0
/*
 * sm_forker: many short processes, to check that the module forgets
 * processes whose address space is gone.
 *
 *   sm_forker [-n TOTAL] [-b BATCH | -p PARALLEL] [-P PAGES] [-H HOLD_MS]
 *             [-s STATS_FILE]
 *
 * Forks TOTAL children (default 1000). Each maps PAGES fresh pages
 * (default 16; no THP, one fault per page), touches them, then:
 *   -b BATCH     (the default, 50) reports ready through a pipe and waits
 *                for its batch to be released: BATCH children are alive
 *                at once, and while they are the parent reads
 *                "processes_tracked" from STATS_FILE (the module's debugfs
 *                stats) and keeps the largest value seen, proving the
 *                children were tracked;
 *   -p PARALLEL  sleeps HOLD_MS (default 0) and exits; at most PARALLEL
 *                are alive, a new one forked as soon as one is reaped.
 * Output: forked=N failed=N elapsed_ms=N max_tracked=M (M is -1 without
 * -s or with -p); exits 1 if a child failed.
 */
#include "smtest.h"
#include <sys/wait.h>
#include <time.h>

static long pages = 16, hold_ms;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

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

static void touch_pages(void)
{
	char *p;
	long i;

	if (pages <= 0)
		return;
	p = map_anon(pages);
	for (i = 0; i < pages; i++)
		p[i * PAGE] = 1;
}

/* Batches of BATCH children alive together; returns the children that failed. */
static long batches(long total, long batch, const char *stats, long *max_tracked)
{
	long forked = 0, failed = 0, t, i;
	int ready[2], release[2];
	char c;

	while (forked < total) {
		long n = total - forked < batch ? total - forked : batch;

		if (pipe(ready) || pipe(release))
			die("pipe");
		for (i = 0; i < n; i++) {
			pid_t pid = fork();

			if (pid < 0)
				die("fork");
			if (pid == 0) {
				close(ready[0]);
				close(release[1]);
				touch_pages();
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
		if (t > *max_tracked)
			*max_tracked = t;
		close(release[1]);
		close(ready[0]);
		for (i = 0; i < n; i++) {
			int st;

			if (wait(&st) < 0)
				die("wait");
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				failed++;
		}
		forked += n;
	}
	return failed;
}

/* A rolling window of PARALLEL children; returns the forks and children that failed. */
static long rolling(long total, long parallel, long *started)
{
	long alive = 0, failed = 0;
	int st;

	while (*started < total || alive > 0) {
		while (*started < total && alive < parallel) {
			pid_t pid = fork();

			if (pid == 0) {
				touch_pages();
				if (hold_ms > 0)
					usleep(hold_ms * 1000);
				_exit(0);
			}
			if (pid < 0) {
				failed++;
				break;
			}
			(*started)++;
			alive++;
		}
		if (wait(&st) > 0) {
			alive--;
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				failed++;
		} else if (alive == 0 && *started < total) {
			usleep(1000);
		} else {
			break;
		}
	}
	return failed;
}

int main(int argc, char **argv)
{
	long total = 1000, batch = 50, parallel = 0, forked = 0, failed;
	long max_tracked = -1, t0;
	const char *stats = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "n:b:p:P:H:s:")) != -1) {
		switch (opt) {
		case 'n':
			total = atol(optarg);
			break;
		case 'b':
			batch = atol(optarg);
			break;
		case 'p':
			parallel = atol(optarg);
			break;
		case 'P':
			pages = atol(optarg);
			break;
		case 'H':
			hold_ms = atol(optarg);
			break;
		case 's':
			stats = optarg;
			break;
		default:
			return 2;
		}
	}
	if (total < 1 || batch < 1 || parallel < 0 || pages < 0 || hold_ms < 0)
		die("bad arguments");
	t0 = now_ms();
	if (parallel) {
		failed = rolling(total, parallel, &forked);
	} else {
		failed = batches(total, batch, stats, &max_tracked);
		forked = total;
	}
	printf("forked=%ld failed=%ld elapsed_ms=%ld max_tracked=%ld\n",
	       forked, failed, now_ms() - t0, max_tracked);
	return failed ? 1 : 0;
}

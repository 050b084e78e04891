// SPDX-License-Identifier: GPL-2.0
/*
 * smadv_view.c - "smadvctl top", "smadvctl events" and "smadvctl mappings".
 *
 * top redraws with plain ANSI sequences on a terminal (no curses, so the
 * binary links statically) and prints plain snapshots otherwise.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "smadvctl.h"
#include "smadv_fmt.h"

/* The rewrite log holds this many entries (sysfs-doc: debugfs rewrites). */
#define SMK_REWRITE_LOG_LEN	128

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: wake poll() */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Sleep ms milliseconds.  On an interactive terminal a 'q' ends the loop.
 * Returns 1 when the caller should stop.
 */
static int wait_or_quit(long ms, int keys)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char ch;

	if (stop)
		return 1;
	if (poll(&pfd, keys ? 1 : 0, ms) > 0 && keys) {
		if (read(STDIN_FILENO, &ch, 1) == 1 && (ch == 'q' || ch == 'Q'))
			return 1;
	}
	return stop;
}

/* ---- top --------------------------------------------------------------- */

static int cmp_faults(const void *a, const void *b)
{
	const struct smk_proc *x = a, *y = b;

	if (x->faults != y->faults)
		return x->faults < y->faults ? 1 : -1;
	return x->pid - y->pid;
}

static const struct smk_proc *find_pid(const struct smk_procs *p, int pid)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->v[i].pid == pid)
			return &p->v[i];
	return NULL;
}

/* Faults per second since the previous snapshot, -1 if unknown. */
static double rate(const struct smk_proc *e, const struct smk_procs *prev,
		   double dt)
{
	const struct smk_proc *o;

	if (!prev || dt <= 0)
		return -1;
	o = find_pid(prev, e->pid);
	if (!o || o->faults > e->faults)
		return -1;
	return (e->faults - o->faults) / dt;
}

static void top_json(const struct smk_procs *p, const struct smk_procs *prev,
		     double dt, const char *version, const struct smk_stats *st)
{
	size_t i;
	double r;

	printf("{\"version\":");
	fmt_json_str(stdout, version);
	printf(",\"time\":%ld,\"stats\":{", (long)time(NULL));
	for (i = 0; i < st->n; i++) {
		fputs(i ? "," : "", stdout);
		fmt_json_str(stdout, st->v[i].name);
		printf(":%lld", (long long)st->v[i].value);
	}
	printf("},\"processes\":[");
	for (i = 0; i < p->n; i++) {
		const struct smk_proc *e = &p->v[i];

		printf("%s{\"pid\":%d,\"comm\":", i ? "," : "", e->pid);
		fmt_json_str(stdout, e->comm);
		printf(",\"faults\":%llu,\"sequential\":%llu,\"random\":%llu,"
		       "\"verdict\":\"%s\",\"rewrites\":%llu,\"late\":%llu,"
		       "\"faults_per_sec\":",
		       (unsigned long long)e->faults,
		       (unsigned long long)e->sequential,
		       (unsigned long long)e->random,
		       smk_verdict_names[e->verdict],
		       (unsigned long long)e->rewrites,
		       (unsigned long long)e->late);
		r = rate(e, prev, dt);
		if (r < 0)
			printf("null}");
		else
			printf("%.1f}", r);
	}
	printf("]}\n");
}

static void top_text(const struct smk_procs *p, const struct smk_procs *prev,
		     double dt, const char *version, const struct smk_stats *st,
		     int tty)
{
	int64_t tracked = 0, untracked = 0, faults = 0, rewrites = 0, dry = 0;
	int64_t late = 0, late_dry = 0, mappings = 0;
	unsigned long enable = 0, dry_run = 0;
	size_t i, rows = (size_t)-1;
	struct winsize ws;
	char rbuf[32], comm[SMK_COMM_LEN];
	double r;

	smk_stats_get(st, "processes_tracked", &tracked);
	smk_stats_get(st, "faults_untracked", &untracked);
	smk_stats_get(st, "faults", &faults);
	smk_stats_get(st, "rewrites", &rewrites);
	smk_stats_get(st, "rewrites_dry_run", &dry);
	smk_stats_get(st, "late_corrections", &late);
	smk_stats_get(st, "late_corrections_dry_run", &late_dry);
	smk_stats_get(st, "mappings_tracked", &mappings);
	smk_tunable_read_ulong("enable", &enable);
	smk_tunable_read_ulong("dry_run", &dry_run);

	if (tty) {
		/* home, clear screen; keep the table within the window */
		fputs("\033[H\033[2J", stdout);
		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 4)
			rows = ws.ws_row - 4;
	}
	printf("smart_madvise %s  %s%s  processes: %lld  mappings: %lld"
	       "  faults: %lld (untracked %lld)  rewrites: %lld (dry-run %lld)"
	       "  late: %lld (dry-run %lld)\n",
	       version, enable ? "enabled" : "DISABLED",
	       dry_run ? " (dry run)" : "", (long long)tracked,
	       (long long)mappings, (long long)faults, (long long)untracked,
	       (long long)rewrites, (long long)dry,
	       (long long)late, (long long)late_dry);
	printf("%7s %-16s %12s %10s %5s %12s %12s %-10s %8s %5s\n", "PID", "COMM",
	       "FAULTS", "FAULTS/S", "SEQ%", "SEQUENTIAL", "RANDOM", "VERDICT",
	       "REWRITES", "LATE");
	for (i = 0; i < p->n && i < rows; i++) {
		const struct smk_proc *e = &p->v[i];

		r = rate(e, prev, dt);
		if (r < 0)
			snprintf(rbuf, sizeof(rbuf), "-");
		else
			snprintf(rbuf, sizeof(rbuf), "%.0f", r);
		printf("%7d %-16.16s %12llu %10s %5.1f %12llu %12llu %-10s %8llu %5llu\n",
		       e->pid, fmt_term(e->comm, comm, sizeof(comm)),
		       (unsigned long long)e->faults, rbuf,
		       e->faults ? 100.0 * e->sequential / e->faults : 0.0,
		       (unsigned long long)e->sequential,
		       (unsigned long long)e->random,
		       smk_verdict_names[e->verdict],
		       (unsigned long long)e->rewrites,
		       (unsigned long long)e->late);
	}
	if (tty && i < p->n)
		printf("... %zu more\n", p->n - i);
	if (!tty)
		putchar('\n');
}

int cmd_top(int argc, char **argv, int json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "delay", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct smk_procs cur = { 0 }, prev = { 0 };
	char version[SMK_VERSION_LEN];
	struct termios saved, raw;
	int c, ret = 0, tty, keys = 0, have_prev = 0;
	long iterations = -1, delay_ms = 2000, k;
	double t_prev = 0, t;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+n:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'n':
			errno = 0;
			iterations = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || iterations < 0)
				return usage_error("top: -n wants a count >= 0 (0: forever), not '%s'",
						   optarg);
			break;
		case 'd':
			if (parse_delay(optarg, &delay_ms) < 0)
				return usage_error("top: -d wants seconds > 0, not '%s'",
						   optarg);
			break;
		case 'h':
			printf("usage: smadvctl top [-n N] [-d SECONDS] [--json]\n");
			return 0;
		default:
			return usage_error("top: bad option");
		}
	}
	if (optind != argc)
		return usage_error("top takes no arguments");

	ret = need_module(version, sizeof(version));
	if (ret)
		return ret;
	if (smk_check_debugfs() < 0)
		return report();

	tty = !json && isatty(STDOUT_FILENO);
	if (iterations < 0)
		iterations = tty ? 0 : 1;	/* a pipe gets one snapshot */
	if (tty && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		raw.c_lflag &= ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		keys = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	catch_signals();
	if (tty)
		fputs("\033[?25l", stdout);	/* hide cursor */

	for (k = 0; iterations == 0 || k < iterations; k++) {
		struct smk_stats st;

		if (k && wait_or_quit(delay_ms, keys))
			break;
		if (smk_procs_read(&cur) < 0 || smk_stats_read(&st) < 0) {
			smk_procs_free(&cur);
			ret = -1;
			break;
		}
		t = now_sec();
		qsort(cur.v, cur.n, sizeof(*cur.v), cmp_faults);
		if (json)
			top_json(&cur, have_prev ? &prev : NULL, t - t_prev,
				 version, &st);
		else
			top_text(&cur, have_prev ? &prev : NULL, t - t_prev,
				 version, &st, tty);
		fflush(stdout);
		smk_stats_free(&st);
		smk_procs_free(&prev);
		prev = cur;
		cur.v = NULL;
		cur.n = 0;
		t_prev = t;
		have_prev = 1;
	}
	smk_procs_free(&prev);
	if (tty)
		fputs("\033[?25h", stdout);
	if (keys)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	fflush(stdout);
	return ret < 0 ? report() : 0;
}

/* ---- events ------------------------------------------------------------ */

static void event_text(const struct smk_rewrite *e)
{
	char comm[SMK_COMM_LEN];

	printf("[%5llu.%06llu] %7d %-16.16s 0x%llx-0x%llx %-10s -> %-10s %5.1f%% seq  %s\n",
	       (unsigned long long)(e->time_ns / 1000000000ULL),
	       (unsigned long long)(e->time_ns % 1000000000ULL / 1000),
	       e->pid, fmt_term(e->comm, comm, sizeof(comm)),
	       (unsigned long long)e->start,
	       (unsigned long long)(e->start + e->length), e->asked, e->applied,
	       e->seq_permille / 10.0, smk_rewrite_mode(e));
}

static void event_json(const struct smk_rewrite *e)
{
	printf("{\"time_ns\":%llu,\"pid\":%d,\"comm\":",
	       (unsigned long long)e->time_ns, e->pid);
	fmt_json_str(stdout, e->comm);
	printf(",\"start\":%llu,\"length\":%llu,\"asked\":",
	       (unsigned long long)e->start, (unsigned long long)e->length);
	fmt_json_str(stdout, e->asked);
	printf(",\"applied\":");
	fmt_json_str(stdout, e->applied);
	printf(",\"seq_permille\":%u,\"dry_run\":%s,\"late\":%s,\"mode\":\"%s\"}",
	       e->seq_permille, e->dry_run ? "true" : "false",
	       e->late ? "true" : "false", smk_rewrite_mode(e));
}

int cmd_events(int argc, char **argv, int json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "follow", no_argument, NULL, 'f' },
		{ "delay", required_argument, NULL, 'd' },
		{ "lines", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char version[SMK_VERSION_LEN];
	struct smk_rewrites r;
	long delay_ms = 500, last_n = -1;
	uint64_t last_time = 0;
	size_t i, first, same = 0, printed = 0;
	int c, ret, follow = 0, started = 0;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+fd:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'f':
			follow = 1;
			break;
		case 'd':
			if (parse_delay(optarg, &delay_ms) < 0)
				return usage_error("events: -d wants seconds > 0, not '%s'",
						   optarg);
			break;
		case 'n':
			errno = 0;
			last_n = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || last_n < 0)
				return usage_error("events: -n wants a count >= 0, not '%s'",
						   optarg);
			break;
		case 'h':
			printf("usage: smadvctl events [-f] [-d SECONDS] [-n N] [--json]\n");
			return 0;
		default:
			return usage_error("events: bad option");
		}
	}
	if (optind != argc)
		return usage_error("events takes no arguments");

	ret = need_module(version, sizeof(version));
	if (ret)
		return ret;
	if (smk_check_debugfs() < 0)
		return report();
	catch_signals();

	if (!json)
		printf("%-14s %7s %-16s %-29s %-10s    %-10s %9s  %s\n", "[TIME]",
		       "PID", "COMM", "RANGE", "ASKED", "APPLIED", "EVIDENCE", "MODE");
	else if (!follow)
		putchar('[');

	for (;;) {
		if (started && wait_or_quit(delay_ms, 0))
			break;
		if (smk_rewrites_read(&r) < 0)
			return report();
		/* skip what was printed: newest-last, time ordered */
		first = 0;
		if (started) {
			size_t seen_same = 0;

			while (first < r.n && r.v[first].time_ns < last_time)
				first++;
			while (first < r.n && r.v[first].time_ns == last_time &&
			       seen_same < same) {
				first++;
				seen_same++;
			}
			if (r.n >= SMK_REWRITE_LOG_LEN && r.n &&
			    r.v[0].time_ns > last_time)
				fprintf(stderr, "smadvctl: the rewrite log wrapped between two "
					"reads; some entries were missed (poll faster with -d).\n");
		} else if (last_n >= 0 && (size_t)last_n < r.n) {
			first = r.n - last_n;
		}
		for (i = first; i < r.n; i++) {
			if (json) {
				if (!follow && printed)
					putchar(',');
				event_json(&r.v[i]);
				if (follow)
					putchar('\n');
			} else {
				event_text(&r.v[i]);
			}
			printed++;
		}
		if (r.n) {
			if (r.v[r.n - 1].time_ns != last_time)
				same = 0;
			last_time = r.v[r.n - 1].time_ns;
			/* how many entries carry the newest timestamp */
			for (same = 0, i = r.n; i > 0 && r.v[i - 1].time_ns == last_time; i--)
				same++;
		}
		smk_rewrites_free(&r);
		fflush(stdout);
		started = 1;
		if (!follow)
			break;
	}
	if (json && !follow)
		printf("]\n");
	fflush(stdout);
	return 0;
}

/* ---- mappings ---------------------------------------------------------- */

static int cmp_mapping(const void *a, const void *b)
{
	const struct smk_mapping *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

/* A byte count as a short size: 4096 -> 4K, 33554432 -> 32M, 12288 -> 12K. */
static const char *size_str(uint64_t v, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	int u = 0;

	while (v >= 1024 && !(v % 1024) && u < 6) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%llu%c", (unsigned long long)v, units[u]);
	return buf;
}

static const char *comm_of(const struct smk_procs *p, int pid)
{
	const struct smk_proc *e = find_pid(p, pid);

	return e ? e->comm : NULL;
}

int cmd_mappings(int argc, char **argv, int json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char version[SMK_VERSION_LEN], comm[SMK_COMM_LEN], range[48], size[32];
	struct smk_mappings m;
	struct smk_procs p;
	const char *c;
	int opt, ret;
	size_t i;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = 1;
			break;
		case 'h':
			printf("usage: smadvctl mappings [--json]\n");
			return 0;
		default:
			return usage_error("mappings: bad option");
		}
	}
	if (optind != argc)
		return usage_error("mappings takes no arguments");

	ret = need_module(version, sizeof(version));
	if (ret)
		return ret;
	if (smk_check_debugfs() < 0)
		return report();
	/* processes only names the command of each pid */
	if (smk_mappings_read(&m) < 0)
		return report();
	if (smk_procs_read(&p) < 0) {
		smk_mappings_free(&m);
		return report();
	}
	qsort(m.v, m.n, sizeof(*m.v), cmp_mapping);

	if (json)
		putchar('[');
	else
		printf("%7s %-16s %-29s %10s %-10s %10s %6s %-10s %11s\n", "PID",
		       "COMM", "RANGE", "LENGTH", "ADVICE", "FAULTS", "SEQ%",
		       "VERDICT", "CORRECTIONS");
	for (i = 0; i < m.n; i++) {
		const struct smk_mapping *e = &m.v[i];

		c = comm_of(&p, e->pid);
		if (json) {
			printf("%s{\"pid\":%d,\"comm\":", i ? "," : "", e->pid);
			if (c)
				fmt_json_str(stdout, c);
			else
				fputs("null", stdout);
			printf(",\"start\":%llu,\"length\":%llu,\"advice\":",
			       (unsigned long long)e->start,
			       (unsigned long long)e->length);
			fmt_json_str(stdout, e->advice);
			printf(",\"faults\":%llu,\"seq_permille\":%u,\"verdict\":\"%s\","
			       "\"corrections\":%llu}",
			       (unsigned long long)e->faults, e->seq_permille,
			       smk_verdict_names[e->verdict],
			       (unsigned long long)e->corrections);
			continue;
		}
		snprintf(range, sizeof(range), "0x%llx-0x%llx",
			 (unsigned long long)e->start,
			 (unsigned long long)(e->start + e->length));
		printf("%7d %-16.16s %-29s %10s %-10s %10llu %6.1f %-10s %11llu\n",
		       e->pid, c ? fmt_term(c, comm, sizeof(comm)) : "-", range,
		       size_str(e->length, size, sizeof(size)), e->advice,
		       (unsigned long long)e->faults, e->seq_permille / 10.0,
		       smk_verdict_names[e->verdict],
		       (unsigned long long)e->corrections);
	}
	if (json)
		printf("]\n");
	smk_mappings_free(&m);
	smk_procs_free(&p);
	fflush(stdout);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * smadvctl monitor: register processes with the smart_madvise profiler and
 * print the samples it writes into the ring that /dev/smart_madvise maps.
 * The ring layout and the lock-free reader protocol are in
 * src/uapi/smart_madvise.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "smart_madvise.h"

int smadvctl_monitor(int argc, char **argv);

#define SM_DEV		"/dev/smart_madvise"
#define SM_SYSMOD	"/sys/module/smart_madvise"
#define MAX_PIDS	SM_PROF_MAX_PIDS

struct mon {
	const struct sm_ring_header *hdr;
	const struct sm_ring_record *recs;
	size_t map_len;
	int fd;
	int csv;
	int follow;
	int unregister;
	long max_records;
	long printed;
	uint64_t lost;
	int npids;
	int pids[MAX_PIDS];
	int seen_own;		/* a record of one of pids[] came */
	int own_in_tick;	/* ... in the tick being read */
	int ticks_without;	/* ticks since one of pids[] was sampled */
	struct sm_ring_record *buf;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char usage_text[] =
"usage: smadvctl monitor [-c|--csv] [-f|--follow] [-n|--count N] [--new]\n"
"                        [-u|--unregister] [PID...]\n"
"  Register each PID with the profiler (an already registered one is fine)\n"
"  and print the samples of those PIDs and the per-tick totals; with no PID\n"
"  print every sample in the ring. The registrations end when it exits.\n"
"  -c, --csv         comma-separated values with a header line\n"
"  -f, --follow      keep printing new samples (until ^C or, when PIDs were\n"
"                    given, until the module has dropped all of them)\n"
"  -n, --count N     stop after N samples\n"
"      --new         skip the samples already in the ring\n"
"  -u, --unregister  unregister the PIDs explicitly on exit (they end\n"
"                    with the monitor anyway)\n"
"Columns: index time_ns type pid cpu_ns min_flt maj_flt seq_faults rand_faults\n"
"(time_ns is CLOCK_MONOTONIC; pid 0 with type total sums one tick)\n";

static int fail_open(int err)
{
	struct stat st;

	if (err == ENOENT && stat(SM_SYSMOD, &st) != 0)
		fprintf(stderr, "smadvctl monitor: the smart_madvise module is not loaded.\n"
			"Fix: sudo modprobe smart_madvise\n");
	else if (err == ENOENT)
		fprintf(stderr, "smadvctl monitor: the module is loaded but " SM_DEV
			" is missing.\nFix: mount devtmpfs on /dev, or check udev.\n");
	else if (err == EACCES || err == EPERM)
		fprintf(stderr, "smadvctl monitor: permission denied opening " SM_DEV
			" (root only: CAP_SYS_PTRACE or CAP_SYS_ADMIN).\n"
			"Fix: run as root, e.g. with sudo.\n");
	else if (err == EOPNOTSUPP)
		fprintf(stderr, "smadvctl monitor: " SM_DEV " works only in the "
			"initial PID namespace (its pids are the host's), not in "
			"a container.\nFix: run it on the host.\n");
	else
		fprintf(stderr, "smadvctl monitor: open " SM_DEV ": %s\n",
			strerror(err));
	return 1;
}

/* One "R <pid>\n" or "U <pid>\n" line: 0 or the kernel's errno. */
static int send_line(int fd, char cmd, int pid)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "%c %d\n", cmd, pid);

	if (write(fd, line, n) == n)
		return 0;
	return errno;
}

static int register_pid(struct mon *m, int pid)
{
	int err = send_line(m->fd, 'R', pid);

	switch (err) {
	case 0:
	case EEXIST:
		return 0;
	case ESRCH:
		fprintf(stderr, "smadvctl monitor: no process %d\n", pid);
		break;
	case EACCES:
		fprintf(stderr, "smadvctl monitor: cannot register %d: the device "
			"was opened with other credentials\n", pid);
		break;
	case EOPNOTSUPP:
		fprintf(stderr, "smadvctl monitor: cannot register %d: not in the "
			"initial PID namespace\n", pid);
		break;
	case ENOSPC:
		fprintf(stderr, "smadvctl monitor: cannot register %d: the profiler "
			"already watches %d processes\n", pid, SM_PROF_MAX_PIDS);
		break;
	default:
		fprintf(stderr, "smadvctl monitor: register %d: %s\n", pid,
			strerror(err));
	}
	return 1;
}

static int map_ring(struct mon *m)
{
	const struct sm_ring_header *h;

	h = mmap(NULL, 4096, PROT_READ, MAP_SHARED, m->fd, 0);
	if (h == MAP_FAILED) {
		fprintf(stderr, "smadvctl monitor: mmap " SM_DEV ": %s\n",
			strerror(errno));
		return 1;
	}
	if (h->magic != SM_RING_MAGIC || h->version != SM_RING_VERSION ||
	    h->record_size != sizeof(struct sm_ring_record) || !h->capacity) {
		fprintf(stderr, "smadvctl monitor: interface version mismatch: ring "
			"version %u, record size %u; this tool knows version %d, "
			"size %zu.\nFix: use the smadvctl of the same "
			"smart-madvise release as the module.\n",
			h->version, h->record_size, SM_RING_VERSION,
			sizeof(struct sm_ring_record));
		munmap((void *)h, 4096);
		return 1;
	}
	m->map_len = h->header_size + (size_t)h->capacity * h->record_size;
	munmap((void *)h, 4096);

	h = mmap(NULL, m->map_len, PROT_READ, MAP_SHARED, m->fd, 0);
	if (h == MAP_FAILED) {
		fprintf(stderr, "smadvctl monitor: mmap " SM_DEV ": %s\n",
			strerror(errno));
		return 1;
	}
	m->hdr = h;
	m->recs = (const void *)((const char *)h + h->header_size);
	m->buf = calloc(h->capacity, sizeof(*m->buf));
	if (!m->buf) {
		perror("smadvctl monitor");
		return 1;
	}
	return 0;
}

static uint64_t load_acquire(const __u64 *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/*
 * Copy the records from *next on into m->buf (seqcount reader, see the
 * uapi header). Returns how many, and moves *next past them.
 */
static size_t snapshot(struct mon *m, uint64_t *next)
{
	const struct sm_ring_header *h = m->hdr;
	uint64_t s1, s2, w, from, i;
	unsigned int tries = 0;
	size_t n;

	for (;;) {
		s1 = load_acquire(&h->seq);
		if (s1 & 1)
			goto busy;
		w = load_acquire(&h->write_index);
		from = *next;
		if (w > h->capacity && from < w - h->capacity)
			from = w - h->capacity;
		n = 0;
		for (i = from; i < w; i++)
			m->buf[n++] = m->recs[i % h->capacity];
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&h->seq, __ATOMIC_RELAXED);
		if (s1 == s2)
			break;
busy:
		if (++tries > 1000) {
			fprintf(stderr, "smadvctl monitor: ring stays busy\n");
			return 0;
		}
		sched_yield();
	}
	if (from > *next) {
		m->lost += from - *next;
		fprintf(stderr, "smadvctl monitor: ring wrapped: lost %llu records "
			"(%llu..%llu)\n", (unsigned long long)(from - *next),
			(unsigned long long)*next, (unsigned long long)(from - 1));
	}
	for (i = 0; i < n; i++) {
		if (m->buf[i].index != from + i) {
			fprintf(stderr, "smadvctl monitor: record %llu has index %llu\n",
				(unsigned long long)(from + i),
				(unsigned long long)m->buf[i].index);
			n = i;
			break;
		}
	}
	*next = from + n;
	return n;
}

/*
 * With PIDs: their records, and the totals from their first record on (so
 * the output holds no ticks of earlier runs); also counts the ticks that
 * no longer include them, which ends --follow.
 */
static int wanted(struct mon *m, const struct sm_ring_record *r)
{
	int i;

	if (!m->npids)
		return 1;
	if (r->type == SM_REC_TOTAL) {
		m->ticks_without = m->own_in_tick ? 0 : m->ticks_without + 1;
		m->own_in_tick = 0;
		return m->seen_own;
	}
	for (i = 0; i < m->npids; i++) {
		if ((uint32_t)m->pids[i] == r->pid) {
			m->seen_own = 1;
			m->own_in_tick = 1;
			return 1;
		}
	}
	return 0;
}

static void print_header(const struct mon *m)
{
	if (m->csv)
		puts("index,time_ns,type,pid,cpu_ns,min_flt,maj_flt,seq_faults,rand_faults");
	else
		printf("%10s %16s %-7s %7s %14s %10s %8s %10s %10s\n", "index",
		       "time_ns", "type", "pid", "cpu_ns", "min_flt", "maj_flt",
		       "seq_faults", "rand_faults");
}

static void print_record(const struct mon *m, const struct sm_ring_record *r)
{
	const char *type = r->type == SM_REC_TOTAL ? "total" : "process";
	const char *fmt = m->csv ?
		"%llu,%llu,%s,%u,%llu,%llu,%llu,%llu,%llu\n" :
		"%10llu %16llu %-7s %7u %14llu %10llu %8llu %10llu %10llu\n";

	printf(fmt, (unsigned long long)r->index,
	       (unsigned long long)r->time_ns, type, r->pid,
	       (unsigned long long)r->cpu_ns, (unsigned long long)r->min_flt,
	       (unsigned long long)r->maj_flt,
	       (unsigned long long)r->seq_faults,
	       (unsigned long long)r->rand_faults);
}

/* Print new records; 1 when --count is reached. */
static int drain(struct mon *m, uint64_t *next)
{
	size_t n = snapshot(m, next), i;

	for (i = 0; i < n; i++) {
		if (!wanted(m, &m->buf[i]))
			continue;
		print_record(m, &m->buf[i]);
		if (m->max_records > 0 && ++m->printed >= m->max_records)
			return 1;
	}
	fflush(stdout);
	return 0;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int parse_pid(const char *s, int *pid)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v <= 0 || v > 0x3fffffff)
		return -1;
	*pid = (int)v;
	return 0;
}

int smadvctl_monitor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "csv", no_argument, NULL, 'c' },
		{ "follow", no_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'n' },
		{ "new", no_argument, NULL, 'N' },
		{ "unregister", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct mon m = { .fd = -1 };
	struct sigaction sa;
	uint64_t next = 0;
	int c, i, ret = 1, skip_old = 0, idle = 0;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "cfn:uh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			m.csv = 1;
			break;
		case 'f':
			m.follow = 1;
			break;
		case 'n':
			m.max_records = strtol(optarg, &end, 10);
			if (*end || m.max_records <= 0) {
				fprintf(stderr, "smadvctl monitor: bad --count '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'N':
			skip_old = 1;
			break;
		case 'u':
			m.unregister = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	for (i = optind; i < argc; i++) {
		if (m.npids == MAX_PIDS || parse_pid(argv[i], &m.pids[m.npids])) {
			fprintf(stderr, "smadvctl monitor: bad or too many PIDs at '%s'\n",
				argv[i]);
			return 2;
		}
		m.npids++;
	}

	m.fd = open(SM_DEV, m.npids ? O_RDWR : O_RDONLY);
	if (m.fd < 0)
		return fail_open(errno);
	for (i = 0; i < m.npids; i++)
		if (register_pid(&m, m.pids[i]))
			goto out;
	if (map_ring(&m))
		goto out;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Start at the oldest record still in the ring: nothing lost yet. */
	next = load_acquire(&m.hdr->write_index);
	if (!skip_old)
		next = next > m.hdr->capacity ? next - m.hdr->capacity : 0;
	print_header(&m);
	ret = 0;
	if (drain(&m, &next) || !m.follow)
		goto out;
	while (!stop) {
		unsigned int ms = __atomic_load_n(&m.hdr->interval_ms,
						  __ATOMIC_RELAXED);

		sleep_ms(ms / 2 > 5 ? ms / 2 : 5);
		if (drain(&m, &next))
			break;
		/* With PIDs: stop once the kernel dropped all of them. */
		if (m.npids && m.seen_own && m.ticks_without >= 2)
			break;
		if (m.npids && !__atomic_load_n(&m.hdr->nr_registered,
						 __ATOMIC_ACQUIRE)) {
			if (++idle > 2)
				break;
		} else {
			idle = 0;
		}
	}
	drain(&m, &next);
out:
	if (m.unregister)
		for (i = 0; i < m.npids; i++)
			send_line(m.fd, 'U', m.pids[i]);
	if (m.hdr)
		munmap((void *)m.hdr, m.map_len);
	free(m.buf);
	close(m.fd);
	fflush(stdout);
	return ret;
}

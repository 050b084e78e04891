// SPDX-License-Identifier: GPL-2.0
/*
 * sm_storm: load for the module, to run while it is loaded, tuned,
 * enabled, disabled and removed underneath it.
 *
 *   sm_storm [-t SECONDS] [-s STOPFILE] [-T CHECKED] [-F] [-f FAULT]
 *            [-m MADV] [-x MIXED] [-u TUNE] [-e]
 *
 * Threads of each kind, 512 in all at most:
 *   -T CHECKED  map 64 pages, fault them in order and at random, madvise
 *               RANDOM / SEQUENTIAL / DONTNEED, unmap; an error of any of
 *               these calls fails the run. With -F the first one also
 *               forks a short child every 16 rounds (exits while probes
 *               come and go).
 *   -f FAULT    map, touch (in order or at random) and unmap memory;
 *   -m MADV     madvise with every advice value 0..27 (and a few invalid
 *               ones) on their own memory, results ignored;
 *   -x MIXED    both, alternating;
 *   -u TUNE     write random valid values to the tunables in
 *               /sys/kernel/smart_madvise (errors ignored: the module may
 *               be gone); with -e they also flip enable.
 * MADV_HWPOISON, MADV_SOFT_OFFLINE (really take pages offline for root)
 * and MADV_GUARD_* (102.., 6.13+) are never used.
 *
 * Runs SECONDS (default 10; 0: until SIGTERM or SIGINT), or until
 * STOPFILE exists. Prints "READY threads=N" once they run and at the end
 * "threads=N rounds=N faults=N madvise=N tunable_writes=N enable_writes=N";
 * exits 1 if a thread did not start or a checked call failed.
 */
#include "smtest.h"
#include <fcntl.h>
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>

#define CHECKED_PAGES 64
#define REGION_PAGES 64
#define MAX_THREADS 512

static volatile int stop;
static volatile int bad;
static long psz;
static int do_fork, toggle;
static unsigned long n_rounds, n_faults, n_madvise, n_tune, n_toggle;

static unsigned int rnd(unsigned long long *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned int)(*s >> 33);
}

static void *checked_thread(void *arg)
{
	unsigned long id = (unsigned long)arg, i, rounds = 0;
	uint64_t seed = 0x1234567 + id;
	char *p;

	while (!stop) {
		p = map_anon(CHECKED_PAGES);
		for (i = 0; i < CHECKED_PAGES; i++)
			p[i * PAGE] = 1;
		if (madvise(p, CHECKED_PAGES * PAGE, MADV_RANDOM) ||
		    madvise(p, CHECKED_PAGES * PAGE, MADV_SEQUENTIAL) ||
		    madvise(p, CHECKED_PAGES * PAGE, MADV_DONTNEED))
			bad = 1;
		for (i = 0; i < CHECKED_PAGES / 2; i++)
			p[(xorshift64(&seed) % CHECKED_PAGES) * PAGE] = 2;
		if (munmap(p, CHECKED_PAGES * PAGE))
			bad = 1;
		if (do_fork && id == 0 && rounds % 16 == 0) {
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
		rounds++;
	}
	__atomic_add_fetch(&n_rounds, rounds, __ATOMIC_RELAXED);
	return NULL;
}

static void fault_round(unsigned long long *s)
{
	char *p = mmap(NULL, REGION_PAGES * psz, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i, seq = rnd(s) & 1;

	if (p == MAP_FAILED)
		return;
	madvise(p, REGION_PAGES * psz, MADV_NOHUGEPAGE);
	for (i = 0; i < REGION_PAGES; i++)
		p[(seq ? i : (int)(rnd(s) % REGION_PAGES)) * psz] = 1;
	__atomic_add_fetch(&n_faults, REGION_PAGES, __ATOMIC_RELAXED);
	munmap(p, REGION_PAGES * psz);
}

static const int extra_advice[] = { -1, 31, 99, 250, 1000, 0x7fffffff };

static void madvise_round(char *p, unsigned long long *s)
{
	int adv;

	for (adv = 0; adv <= 27 + (int)ARRAY_SIZE(extra_advice); adv++) {
		int a = adv <= 27 ? adv : extra_advice[adv - 28];

		p[(rnd(s) % REGION_PAGES) * psz] = 1;
		madvise(p, REGION_PAGES * psz, a);
		madvise(p + psz, psz, a);
		__atomic_add_fetch(&n_madvise, 2, __ATOMIC_RELAXED);
	}
}

static void *fault_thread(void *arg)
{
	unsigned long long s = (unsigned long)arg;

	while (!stop)
		fault_round(&s);
	return NULL;
}

static char *own_region(void)
{
	char *p = mmap(NULL, REGION_PAGES * psz, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void *madvise_thread(void *arg)
{
	unsigned long long s = (unsigned long)arg;
	char *p = own_region();

	while (p && !stop) {
		madvise_round(p, &s);
		/* the region may have been DONTFORK/WIPEONFORK/...: renew it */
		munmap(p, REGION_PAGES * psz);
		p = own_region();
	}
	return NULL;
}

static void *mixed_thread(void *arg)
{
	unsigned long long s = (unsigned long)arg;
	char *p = own_region();
	int a;

	while (p && !stop) {
		fault_round(&s);
		a = (int)(rnd(&s) % 28);
		madvise(p, REGION_PAGES * psz, rnd(&s) & 1 ? MADV_RANDOM : MADV_SEQUENTIAL);
		madvise(p, REGION_PAGES * psz, a);
		p[(rnd(&s) % REGION_PAGES) * psz] = 1;
		__atomic_add_fetch(&n_madvise, 2, __ATOMIC_RELAXED);
	}
	if (p)
		munmap(p, REGION_PAGES * psz);
	return NULL;
}

static void put(const char *name, unsigned int v)
{
	char path[128], buf[32];
	int fd, n;

	snprintf(path, sizeof(path), "/sys/kernel/smart_madvise/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%u\n", v);
	if (write(fd, buf, n) == n)
		__atomic_add_fetch(&n_tune, 1, __ATOMIC_RELAXED);
	close(fd);
}

static void *tune_thread(void *arg)
{
	unsigned long long s = (unsigned long)arg;

	while (!stop) {
		switch (rnd(&s) % (toggle ? 8 : 6)) {
		case 0:
			put("window_size", 8 + rnd(&s) % 505);
			break;
		case 1:
			put("threshold", 51 + rnd(&s) % 50);
			break;
		case 2:
			put("max_gap_pages", 1 + rnd(&s) % 1024);
			break;
		case 3:
			put("max_processes", 1 + rnd(&s) % 8192);
			break;
		case 4:
			put("dry_run", rnd(&s) & 1);
			break;
		case 5:
			put("sample_interval_ms", 10 + rnd(&s) % 200);
			break;
		default:
			put("enable", rnd(&s) & 1);
			__atomic_add_fetch(&n_toggle, 1, __ATOMIC_RELAXED);
		}
		if (!toggle)
			usleep(1000);
	}
	return NULL;
}

static pthread_t th[MAX_THREADS];
static int nth;

/* start COUNT threads of FN; the first gets argument FIRST */
static int start(int count, void *(*fn)(void *), unsigned long first)
{
	int i, started = 0;

	for (i = 0; i < count && nth < MAX_THREADS; i++)
		if (!pthread_create(&th[nth], NULL, fn, (void *)(first + i))) {
			nth++;
			started++;
		}
	return started == count;
}

int main(int argc, char **argv)
{
	int opt, secs = 10, nc = 0, nf = 0, nm = 0, nx = 0, nt = 0, ok = 1, i;
	const char *stopfile = NULL;
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	sigset_t set;
	time_t deadline;

	while ((opt = getopt(argc, argv, "t:s:T:Ff:m:x:u:e")) != -1) {
		switch (opt) {
		case 't':
			secs = atoi(optarg);
			break;
		case 's':
			stopfile = optarg;
			break;
		case 'T':
			nc = atoi(optarg);
			break;
		case 'F':
			do_fork = 1;
			break;
		case 'f':
			nf = atoi(optarg);
			break;
		case 'm':
			nm = atoi(optarg);
			break;
		case 'x':
			nx = atoi(optarg);
			break;
		case 'u':
			nt = atoi(optarg);
			break;
		case 'e':
			toggle = 1;
			break;
		default:
			return 2;
		}
	}
	if (secs < 0 || nc < 0 || nf < 0 || nm < 0 || nx < 0 || nt < 0 ||
	    nc + nf + nm + nx + nt < 1)
		die("bad arguments");
	psz = sysconf(_SC_PAGESIZE);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);	/* inherited by the threads */
	deadline = time(NULL) + secs;
	ok &= start(nc, checked_thread, 0);
	ok &= start(nf, fault_thread, nth + 1);
	ok &= start(nm, madvise_thread, nth + 1);
	ok &= start(nx, mixed_thread, nth + 1);
	ok &= start(nt, tune_thread, nth + 1);
	printf("READY threads=%d\n", nth);
	fflush(stdout);
	while (sigtimedwait(&set, NULL, &tick) < 0 &&
	       (!secs || time(NULL) < deadline) &&
	       (!stopfile || access(stopfile, F_OK) != 0))
		;
	stop = 1;
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	printf("threads=%d rounds=%lu faults=%lu madvise=%lu tunable_writes=%lu enable_writes=%lu\n",
	       nth, n_rounds, n_faults, n_madvise, n_tune, n_toggle);
	if (bad)
		printf("unexpected madvise/munmap error\n");
	return ok && !bad ? 0 : 1;
}

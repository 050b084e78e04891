// SPDX-License-Identifier: GPL-2.0
/*
 * Load for the module: stress_storm SECONDS FAULT MADV MIXED TUNE TOGGLE
 *   FAULT  threads map, touch (sequentially or randomly) and unmap memory;
 *   MADV   threads call madvise with every advice value 0..27 (and a few
 *          invalid ones) on their own memory;
 *   MIXED  threads do both, alternating;
 * SECONDS 0 runs until SIGTERM or SIGINT, then prints its summary.
 *   TUNE   threads write random valid values to the tunables in
 *          /sys/kernel/smart_madvise (errors ignored: the module may be
 *          gone), TOGGLE=1 also flips enable.
 * MADV_HWPOISON, MADV_SOFT_OFFLINE (really take pages offline for root)
 * and MADV_GUARD_* (102.., 6.13+) are never used. Prints the work done; exits 0 unless a
 * thread could not start.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define REGION_PAGES 64

static volatile int stop;
static long psz;
static int toggle;
static unsigned long n_faults, n_madvise, n_tune, n_toggle;

static unsigned int rnd(unsigned long long *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned int)(*s >> 33);
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

	for (adv = 0; adv <= 27 + (int)(sizeof(extra_advice) / sizeof(int)); adv++) {
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
		case 0: put("window_size", 8 + rnd(&s) % 505); break;
		case 1: put("threshold", 51 + rnd(&s) % 50); break;
		case 2: put("max_gap_pages", 1 + rnd(&s) % 1024); break;
		case 3: put("max_processes", 1 + rnd(&s) % 8192); break;
		case 4: put("dry_run", rnd(&s) & 1); break;
		case 5: put("sample_interval_ms", 10 + rnd(&s) % 200); break;
		default:
			put("enable", rnd(&s) & 1);
			__atomic_add_fetch(&n_toggle, 1, __ATOMIC_RELAXED);
		}
		if (!toggle)
			usleep(1000);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int secs, nf, nm, nx, nt, i, n = 0;
	pthread_t th[512];
	sigset_t set;
	int sig;

	if (argc != 7) {
		fprintf(stderr, "usage: %s SECONDS FAULT MADV MIXED TUNE TOGGLE\n", argv[0]);
		return 2;
	}
	psz = sysconf(_SC_PAGESIZE);
	secs = atoi(argv[1]);
	nf = atoi(argv[2]);
	nm = atoi(argv[3]);
	nx = atoi(argv[4]);
	nt = atoi(argv[5]);
	toggle = atoi(argv[6]);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);	/* inherited by the threads */
	for (i = 0; i < nf && n < 512; i++)
		if (!pthread_create(&th[n], NULL, fault_thread, (void *)(long)(n + 1)))
			n++;
	for (i = 0; i < nm && n < 512; i++)
		if (!pthread_create(&th[n], NULL, madvise_thread, (void *)(long)(n + 1)))
			n++;
	for (i = 0; i < nx && n < 512; i++)
		if (!pthread_create(&th[n], NULL, mixed_thread, (void *)(long)(n + 1)))
			n++;
	for (i = 0; i < nt && n < 512; i++)
		if (!pthread_create(&th[n], NULL, tune_thread, (void *)(long)(n + 1)))
			n++;
	printf("READY threads=%d\n", n);
	fflush(stdout);
	if (secs > 0)
		sleep(secs);
	else
		sigwait(&set, &sig);
	stop = 1;
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	printf("threads=%d faults=%lu madvise=%lu tunable_writes=%lu enable_writes=%lu\n",
	       n, n_faults, n_madvise, n_tune, n_toggle);
	return n == nf + nm + nx + nt ? 0 : 1;
}

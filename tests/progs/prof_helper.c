// SPDX-License-Identifier: GPL-2.0
/*
 * Guest helper for the profiler tests (tests/vm/cases/4*-profiler-*.sh).
 *
 *   prof_helper write [-u UID] STR...  one write() per STR ("\n" and "\0"
 *                                      escapes); prints OK, SHORT N or the
 *                                      errno name per write; exit 0
 *   prof_helper runas UID CMD ARGS...  exec CMD as UID (gid UID too)
 *   prof_helper fault PAGES            touch PAGES fresh pages, print READY,
 *                                      pause until killed
 *   prof_helper spin                   burn CPU until killed
 *   prof_helper hdr                    print the ring header as KEY=VALUE
 *   prof_helper mapwrite               try a writable mapping and mprotect
 *                                      to PROT_WRITE: prints both errnos
 *   prof_helper pollwait MS            read() the device to its end, then
 *                                      poll() for new records: prints
 *                                      "POLLIN" or "TIMEOUT"
 *   prof_helper mapkeep                mmap the ring, close the fd, print
 *                                      READY, then every 100 ms check the
 *                                      header; on SIGTERM print
 *                                      "LAST write_index=N magic_ok=1"
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../src/uapi/smart_madvise.h"

#define DEV "/dev/smart_madvise"

static const char *errname(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case ESRCH: return "ESRCH";
	case EEXIST: return "EEXIST";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOSPC: return "ENOSPC";
	case ENOENT: return "ENOENT";
	case EFAULT: return "EFAULT";
	default: return strerror(e);
	}
}

static size_t unescape(const char *s, char *out)
{
	size_t n = 0;

	while (*s) {
		if (s[0] == '\\' && (s[1] == 'n' || s[1] == '0')) {
			out[n++] = s[1] == 'n' ? '\n' : '\0';
			s += 2;
		} else {
			out[n++] = *s++;
		}
	}
	return n;
}

static void become(const char *uid_s)
{
	int uid = atoi(uid_s);

	if (setgroups(0, NULL) || setgid(uid) || setuid(uid)) {
		perror("prof_helper: setuid");
		exit(1);
	}
}

static int do_write(int argc, char **argv)
{
	int i = 0, fd;

	if (argc > 1 && !strcmp(argv[0], "-u")) {
		become(argv[1]);
		i = 2;
	}
	fd = open(DEV, O_WRONLY);
	if (fd < 0) {
		printf("OPEN %s\n", errname(errno));
		return 0;
	}
	for (; i < argc; i++) {
		char buf[4096];
		size_t n = unescape(argv[i], buf);
		ssize_t r = write(fd, buf, n);

		if (r < 0)
			printf("%s\n", errname(errno));
		else if ((size_t)r != n)
			printf("SHORT %zd\n", r);
		else
			printf("OK\n");
	}
	close(fd);
	return 0;
}

static const struct sm_ring_header *map_header(int fd)
{
	const struct sm_ring_header *h;

	h = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED) {
		printf("MMAP %s\n", errname(errno));
		exit(1);
	}
	return h;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	const struct sm_ring_header *h;
	int fd;

	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "write"))
		return do_write(argc - 2, argv + 2);
	if (!strcmp(argv[1], "runas") && argc > 3) {
		become(argv[2]);
		execvp(argv[3], argv + 3);
		perror("prof_helper: exec");
		return 127;
	}
	if (!strcmp(argv[1], "fault") && argc == 3) {
		long pages = atol(argv[2]), i;
		char *p = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return 1;
		/* One fault per page, not per huge page. */
		madvise(p, pages * 4096, MADV_NOHUGEPAGE);
		for (i = 0; i < pages; i++)
			p[i * 4096] = 1;
		printf("READY\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	if (!strcmp(argv[1], "spin")) {
		volatile unsigned long x = 0;

		for (;;)
			x++;
	}
	fd = open(DEV, O_RDONLY);
	if (fd < 0) {
		printf("OPEN %s\n", errname(errno));
		return 1;
	}
	if (!strcmp(argv[1], "pollwait") && argc == 3) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		char buf[65536];

		while (read(fd, buf, sizeof(buf)) > 0)
			;
		printf("%s\n", poll(&pfd, 1, atoi(argv[2])) == 1 &&
		       (pfd.revents & POLLIN) ? "POLLIN" : "TIMEOUT");
		return 0;
	}
	h = map_header(fd);
	if (!strcmp(argv[1], "hdr")) {
		printf("magic_ok=%d\nversion=%u\nheader_size=%u\nrecord_size=%u\n"
		       "capacity=%u\nseq=%llu\nwrite_index=%llu\nticks=%llu\n"
		       "nr_registered=%u\ninterval_ms=%u\n",
		       h->magic == SM_RING_MAGIC, h->version, h->header_size,
		       h->record_size, h->capacity, (unsigned long long)h->seq,
		       (unsigned long long)h->write_index,
		       (unsigned long long)h->ticks, h->nr_registered,
		       h->interval_ms);
		return 0;
	}
	if (!strcmp(argv[1], "mapwrite")) {
		int rw = open(DEV, O_RDWR);
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			       rw, 0);

		printf("mmap_rw=%s\n", p == MAP_FAILED ? errname(errno) : "OK");
		p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, rw, 0);
		if (p == MAP_FAILED)
			return 1;
		printf("mprotect_rw=%s\n",
		       mprotect(p, 4096, PROT_READ | PROT_WRITE) ?
		       errname(errno) : "OK");
		p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, rw, 0);
		printf("private_mprotect_rw=%s\n", p == MAP_FAILED ? "MAPFAIL" :
		       mprotect(p, 4096, PROT_READ | PROT_WRITE) ?
		       errname(errno) : "OK");
		return 0;
	}
	if (!strcmp(argv[1], "mapkeep")) {
		signal(SIGTERM, on_term);
		close(fd);
		printf("READY\n");
		fflush(stdout);
		while (!stop) {
			if (h->magic != SM_RING_MAGIC) {
				printf("BAD magic\n");
				return 1;
			}
			usleep(100000);
		}
		printf("LAST write_index=%llu magic_ok=%d\n",
		       (unsigned long long)h->write_index,
		       h->magic == SM_RING_MAGIC);
		return 0;
	}
	return 2;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Guest helper for the profiler tests (tests/vm/cases/4*-profiler-*.sh).
 *
 *   prof_helper write [-u UID] [-d FD] STR...
 *                                      one write() per STR ("\n" and "\0"
 *                                      escapes; "\F" ends the buffer there
 *                                      at an unmapped page, the write()
 *                                      counting 16 bytes past it) to a new
 *                                      open file, or to the inherited FD
 *                                      (after -u drops privileges); prints
 *                                      OK, SHORT N or the errno name per
 *                                      write; exit 0
 *   prof_helper runas UID CMD ARGS...  exec CMD as UID (gid UID too)
 *   prof_helper fault PAGES            touch PAGES fresh pages, print READY,
 *                                      pause until killed
 *   prof_helper leaderexit PAGES       the main thread exits; a second
 *                                      thread then touches PAGES fresh pages
 *                                      in order, prints READY, pauses
 *   prof_helper spin                   burn CPU until killed
 *   prof_helper hdr [-d FD]            print the ring header (of the device
 *                                      or FD) as KEY=VALUE
 *   prof_helper mapwrite               try to write or execute the ring:
 *                                      writable and executable mappings,
 *                                      mprotect() to PROT_WRITE and
 *                                      PROT_EXEC, /proc/self/mem writes and
 *                                      a parent's PTRACE_POKEDATA into
 *                                      private and shared mappings; prints
 *                                      KEY=errno lines, then ring_ok=1 if the
 *                                      ring still reads correctly
 *   prof_helper pollwait MS            read() the device (O_NONBLOCK) to its
 *                                      end, then poll() for new records:
 *                                      prints "POLLIN" (and a read() then
 *                                      gets data) or "TIMEOUT"
 *   prof_helper text [-d FD]           read() the device (or FD) with
 *                                      O_NONBLOCK until it has nothing more:
 *                                      the text on stdout, then "END EAGAIN"
 *                                      (or "END EOF", "END <errno>") on
 *                                      stderr
 *   prof_helper blockread              drain the device (O_NONBLOCK), print
 *                                      READY, then one blocking read():
 *                                      prints "GOT N" and the first line
 *                                      of what it got
 *   prof_helper execon FILE CMD ARGS   print READY, wait until FILE exists,
 *                                      exec CMD
 *   prof_helper mapkeep [PID]          mmap the ring (first registering PID
 *                                      on that file), close the fd, print
 *                                      READY, then every 100 ms check the
 *                                      header; on SIGTERM print
 *                                      "LAST write_index=N magic_ok=1"
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
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
	case EAGAIN: return "EAGAIN";
	case EIO: return "EIO";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return strerror(e);
	}
}

/* Sets *fault to the offset of a "\F", or leaves it alone. */
static size_t unescape(const char *s, char *out, size_t *fault)
{
	size_t n = 0;

	while (*s) {
		if (s[0] == '\\' && s[1] == 'F') {
			*fault = n;
			s += 2;
		} else if (s[0] == '\\' && (s[1] == 'n' || s[1] == '0')) {
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

/*
 * A buffer whose page after @len bytes is unmapped: the bytes end exactly
 * where the hole begins.
 */
static char *at_hole(const char *buf, size_t len)
{
	char *p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || len > 4096 || munmap(p + 4096, 4096)) {
		perror("prof_helper: mmap");
		exit(1);
	}
	memcpy(p + 4096 - len, buf, len);
	return p + 4096 - len;
}

/* "-d FD": that inherited descriptor; else the device, opened anew. */
static int device_fd(int *argc, char ***argv, int flags)
{
	int fd;

	if (*argc < 2 || strcmp((*argv)[0], "-d"))
		return open(DEV, flags);
	fd = atoi((*argv)[1]);
	*argc -= 2;
	*argv += 2;
	return fd;
}

static int do_write(int argc, char **argv)
{
	int i, fd;

	if (argc > 1 && !strcmp(argv[0], "-u")) {
		become(argv[1]);
		argc -= 2;
		argv += 2;
	}
	fd = device_fd(&argc, &argv, O_WRONLY);
	if (fd < 0) {
		printf("OPEN %s\n", errname(errno));
		return 0;
	}
	for (i = 0; i < argc; i++) {
		char buf[4096];
		size_t fault = (size_t)-1;
		size_t n = unescape(argv[i], buf, &fault);
		ssize_t r;

		if (fault != (size_t)-1) {
			n = fault + 16;
			r = write(fd, at_hole(buf, fault), n);
		} else {
			r = write(fd, buf, n);
		}

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

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* read() with O_NONBLOCK until nothing more; the errno (0: end of file). */
static int drain(int fd, int out)
{
	char buf[65536];
	ssize_t r;
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		if (out >= 0 && write(out, buf, r) != r)
			break;
	fcntl(fd, F_SETFL, fl);
	return r < 0 ? errno : 0;
}

static const char *errname0(int e)
{
	return e ? errname(e) : "EOF";
}

static int do_pollwait(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[4096];
	int e = drain(fd, -1);

	if (e != EAGAIN) {
		printf("DRAIN %s\n", errname0(e));
		return 0;
	}
	if (poll(&pfd, 1, ms) != 1 || !(pfd.revents & POLLIN)) {
		printf("TIMEOUT\n");
		return 0;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	/* POLLIN must mean that a read() gets data now. */
	printf("%s\n", read(fd, buf, sizeof(buf)) > 0 ? "POLLIN" :
	       "POLLIN-BUT-NO-DATA");
	return 0;
}

static int do_blockread(int fd)
{
	char buf[4096];
	ssize_t r;
	int e = drain(fd, -1);

	printf("DRAIN %s\nREADY\n", errname0(e));
	fflush(stdout);
	r = read(fd, buf, sizeof(buf) - 1);
	if (r < 0) {
		printf("GOT %s\n", errname(errno));
		return 0;
	}
	buf[r] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	printf("GOT %zd\nLINE %s\n", r, buf);
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

static const char *res(int failed)
{
	return failed ? errname(errno) : "OK";
}

/* pwrite() to /proc/self/mem: a FOLL_FORCE write. */
static const char *procmem_write(void *addr)
{
	int fd = open("/proc/self/mem", O_RDWR);
	char c = 'X';
	int bad;

	if (fd < 0)
		return "NOPROC";
	bad = pwrite(fd, &c, 1, (off_t)(unsigned long)addr) != 1;
	close(fd);
	return res(bad);
}

/* A child maps the ring and stops; the parent pokes into its mapping. */
static const char *poke(int fd, int flags)
{
	static char out[32];
	int pipefd[2], status;
	void *addr = NULL;
	long r;
	pid_t child;

	if (pipe(pipefd))
		return "NOPIPE";
	child = fork();
	if (child == 0) {
		void *p = mmap(NULL, 4096, PROT_READ, flags, fd, 0);

		if (write(pipefd[1], &p, sizeof(p)) != sizeof(p))
			_exit(1);
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		_exit(0);
	}
	if (read(pipefd[0], &addr, sizeof(addr)) != sizeof(addr) ||
	    addr == MAP_FAILED) {
		waitpid(child, NULL, 0);
		return "MAPFAIL";
	}
	waitpid(child, &status, WUNTRACED);
	errno = 0;
	r = ptrace(PTRACE_POKEDATA, child, addr, (void *)0x5858585858585858UL);
	snprintf(out, sizeof(out), "%s", res(r == -1));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(pipefd[0]);
	close(pipefd[1]);
	return out;
}

/* The header and the newest record agree with each other. */
static int ring_ok(void)
{
	int fd = open(DEV, O_RDONLY);
	const struct sm_ring_header *h;
	const struct sm_ring_record *r;
	size_t len;
	int ok;

	if (fd < 0)
		return 0;
	h = map_header(fd);
	len = h->header_size + (size_t)h->capacity * h->record_size;
	ok = h->magic == SM_RING_MAGIC && h->capacity > 0 &&
	     h->record_size == sizeof(*r) && !(h->seq & 1);
	munmap((void *)h, 4096);
	h = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED)
		return 0;
	r = (const void *)((const char *)h + h->header_size);
	if (ok && h->write_index)
		ok = r[(h->write_index - 1) % h->capacity].index ==
		     h->write_index - 1;
	munmap((void *)h, len);
	close(fd);
	return ok;
}

static int do_mapwrite(void)
{
	int rw = open(DEV, O_RDWR);
	void *p;

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	printf("mmap_rw=%s\n", res(p == MAP_FAILED));
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, rw, 0);
	printf("mmap_exec=%s\n", res(p == MAP_FAILED));
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, rw, 0);
	printf("private_mmap_exec=%s\n", res(p == MAP_FAILED));
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, rw, 0);
	if (p == MAP_FAILED)
		return 1;
	printf("mprotect_rw=%s\n", res(mprotect(p, 4096, PROT_READ | PROT_WRITE)));
	printf("mprotect_exec=%s\n", res(mprotect(p, 4096, PROT_READ | PROT_EXEC)));
	printf("procmem=%s\n", procmem_write(p));
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, rw, 0);
	if (p == MAP_FAILED)
		return 1;
	printf("private_mprotect_rw=%s\n",
	       res(mprotect(p, 4096, PROT_READ | PROT_WRITE)));
	printf("private_mprotect_exec=%s\n",
	       res(mprotect(p, 4096, PROT_READ | PROT_EXEC)));
	printf("private_procmem=%s\n", procmem_write(p));
	printf("poke=%s\n", poke(rw, MAP_SHARED));
	printf("private_poke=%s\n", poke(rw, MAP_PRIVATE));
	printf("private_magic_ok=%d\n",
	       ((const struct sm_ring_header *)p)->magic == SM_RING_MAGIC);
	printf("ring_ok=%d\n", ring_ok());
	return 0;
}

/* Touches @pages fresh pages, prints READY, pauses; 1 if mmap fails. */
static int fault_and_pause(long pages)
{
	char *p = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long i;

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

/* Runs on after the leader exited: waits for the zombie, then faults. */
static void *leader_gone_toucher(void *arg)
{
	long pages = *(long *)arg;
	char state = 0, path[64], buf[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)getpid());
	while (state != 'Z') {
		usleep(10000);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && strrchr(buf, ')'))
			state = strrchr(buf, ')')[2];
		fclose(f);
	}
	exit(fault_and_pause(pages));
	return NULL;
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
	if (!strcmp(argv[1], "execon") && argc > 3) {
		printf("READY\n");
		fflush(stdout);
		while (access(argv[2], F_OK))
			usleep(50000);
		execv(argv[3], argv + 3);
		perror("prof_helper: exec");
		return 127;
	}
	if (!strcmp(argv[1], "fault") && argc == 3)
		return fault_and_pause(atol(argv[2]));
	if (!strcmp(argv[1], "leaderexit") && argc == 3) {
		static long pages;
		pthread_t t;

		pages = atol(argv[2]);
		if (pthread_create(&t, NULL, leader_gone_toucher, &pages))
			return 1;
		pthread_exit(NULL);
	}
	if (!strcmp(argv[1], "spin")) {
		volatile unsigned long x = 0;

		for (;;)
			x++;
	}
	if (!strcmp(argv[1], "mapwrite"))
		return do_mapwrite();
	if (!strcmp(argv[1], "text")) {
		int e;

		argc -= 2;
		argv += 2;
		fd = device_fd(&argc, &argv, O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "END OPEN %s\n", errname(errno));
			return 0;
		}
		e = drain(fd, 1);
		fprintf(stderr, "END %s\n", errname0(e));
		return 0;
	}
	if (!strcmp(argv[1], "hdr")) {
		int rest = argc - 2;
		char **opt = argv + 2;

		fd = device_fd(&rest, &opt, O_RDONLY);
	} else {
		fd = open(DEV, O_RDONLY);
	}
	if (fd < 0) {
		printf("OPEN %s\n", errname(errno));
		return 1;
	}
	if (!strcmp(argv[1], "pollwait") && argc == 3)
		return do_pollwait(fd, atoi(argv[2]));
	if (!strcmp(argv[1], "blockread"))
		return do_blockread(fd);
	if (!strcmp(argv[1], "mapkeep") && argc == 3) {
		/* The registration lives as long as the mapping's file. */
		int rw = open(DEV, O_RDWR);
		char line[32];
		int n = snprintf(line, sizeof(line), "R %s\n", argv[2]);

		if (rw < 0 || write(rw, line, n) != n) {
			printf("REGISTER %s\n", errname(errno));
			return 1;
		}
		close(fd);
		fd = rw;
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

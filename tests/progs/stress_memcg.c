// SPDX-License-Identifier: GPL-2.0
/*
 * Fault load for a memory cgroup at its limit:
 *   stress_memcg FILE ANON_MIB SECONDS
 * Maps FILE (NORMAL advice) and reads pages of it for SECONDS, 90 % of
 * them in its first eighth, while rewriting ANON_MIB of anonymous memory
 * page by page. With the cgroup's limit below the file's size, the file's
 * pages are reclaimed and faulted back all the time. Prints "reads=N
 * anon_rounds=N faults=N" and exits 0; exits 1 if it could not map.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "smtest.h"

int main(int argc, char **argv)
{
	unsigned long pages, hot, anon_pages, reads = 0, rounds = 0, i;
	long psz = sysconf(_SC_PAGESIZE);
	volatile unsigned char sink = 0;
	uint64_t seed = 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
	unsigned char *file, *anon;
	struct stat st;
	time_t end;
	int fd;

	if (argc != 4)
		die("usage: stress_memcg FILE ANON_MIB SECONDS");
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		die("open %s", argv[1]);
	pages = st.st_size / psz;
	hot = pages / 8 ? pages / 8 : 1;
	anon_pages = strtoul(argv[2], NULL, 0) * (1024 * 1024 / psz);
	file = mmap(NULL, pages * psz, PROT_READ, MAP_SHARED, fd, 0);
	anon = mmap(NULL, anon_pages * psz, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (file == MAP_FAILED || anon == MAP_FAILED)
		die("mmap");
	end = time(NULL) + atoi(argv[3]);
	printf("READY\n");
	fflush(stdout);
	while (time(NULL) < end) {
		for (i = 0; i < 256; i++) {
			uint64_t r = xorshift64(&seed);
			unsigned long pg = r % 10 ? (r >> 8) % hot : (r >> 8) % pages;

			sink += file[pg * psz];
			reads++;
		}
		for (i = 0; i < anon_pages; i++)
			anon[i * psz] = (unsigned char)rounds;
		rounds++;
	}
	printf("reads=%lu anon_rounds=%lu faults=%ld\n", reads, rounds, faults_now());
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/* stress_runas UID GID CMD [ARG...]: drop to UID/GID (no groups), exec CMD. */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t uid;
	gid_t gid;

	if (argc < 4) {
		fprintf(stderr, "usage: %s UID GID CMD [ARG...]\n", argv[0]);
		return 2;
	}
	uid = atoi(argv[1]);
	gid = atoi(argv[2]);
	if (setgroups(0, NULL) || setgid(gid) || setuid(uid)) {
		perror("stress_runas: dropping privileges");
		return 2;
	}
	if (getuid() != uid || geteuid() != uid || setuid(0) == 0) {
		fprintf(stderr, "stress_runas: still privileged\n");
		return 2;
	}
	execvp(argv[3], argv + 3);
	perror("stress_runas: exec");
	return 127;
}

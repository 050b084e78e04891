// SPDX-License-Identifier: GPL-2.0
/*
 * sm_runas UID GID COMMAND [ARGS...] - run COMMAND with all privileges
 * dropped (no supplementary groups, real/effective/saved ids changed).
 * The test guest has no /etc/passwd, so busybox su is no option.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t uid;
	gid_t gid;

	if (argc < 4) {
		fprintf(stderr, "usage: %s UID GID COMMAND [ARGS...]\n", argv[0]);
		return 2;
	}
	uid = strtoul(argv[1], NULL, 10);
	gid = strtoul(argv[2], NULL, 10);
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid)) {
		perror("sm_runas: dropping privileges");
		return 126;
	}
	/* Really dropped: not root, and no way back to it. */
	if (uid != 0 && (geteuid() == 0 || setuid(0) == 0)) {
		fprintf(stderr, "sm_runas: still privileged\n");
		return 126;
	}
	execvp(argv[3], argv + 3);
	perror(argv[3]);
	return 127;
}

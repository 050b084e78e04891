#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The device is privileged, checked at open() against the opener's
# credentials: a user without CAP_SYS_PTRACE or CAP_SYS_ADMIN cannot open
# it, even when its mode lets everyone (EPERM), and registers nothing, not
# even its own process. A descriptor opened by root and inherited by a
# process with other credentials cannot write (EACCES, nothing
# registered: the rule of RDMA's ib_safe_file_access()); the same
# credentials may write through an inherited descriptor.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh
DEV=/dev/smart_madvise
nr_registered() { prof_helper hdr | sed -n 's/^nr_registered=//p'; }

sm_load_or_die
sleep 1000 & S=$!
prof_helper runas 65534 sleep 1000 & NB=$!
sleep 0.2
chmod 0666 "$DEV"
expect_eq "uid 65534 opens (mode 0666) to register its own process" \
	"$(prof_helper write -u 65534 "R $NB\n")" "OPEN EPERM"
expect_eq "uid 65534 opens (mode 0666) to register root's" \
	"$(prof_helper write -u 65534 "R $S\n")" "OPEN EPERM"
expect_eq "uid 65534 opens (mode 0666) to read" \
	"$(prof_helper runas 65534 prof_helper text 2>&1 > /dev/null)" "END OPEN EPERM"
expect_eq "nr_registered after refused opens" "$(nr_registered)" 0

# Opened by root, written by uid 65534 through the inherited descriptor.
exec 3<> "$DEV"
expect_eq "other creds write its own process to root's fd" \
	"$(prof_helper write -u 65534 -d 3 "R $NB\n")" EACCES
expect_eq "other creds write root's process to root's fd" \
	"$(prof_helper write -u 65534 -d 3 "R $S\n")" EACCES
expect_eq "other creds unregister through root's fd" \
	"$(prof_helper write -u 65534 -d 3 "U $S\n")" EACCES
expect_eq "nr_registered after refused writes" "$(nr_registered)" 0
# A partial line from other creds is refused too: it leaves nothing behind.
expect_eq "other creds write half a line" "$(prof_helper write -u 65534 -d 3 "R $NB")" EACCES
expect_eq "the opener's creds through the inherited fd" \
	"$(prof_helper write -d 3 "\n" "R $S\n" | tr '\n' ' ')" "EINVAL OK "
expect_eq "nr_registered" "$(nr_registered)" 1
exec 3>&-
chmod 0600 "$DEV"

kill "$S" "$NB"
wait 2>/dev/null
sm_unload || fail "rmmod"
finish

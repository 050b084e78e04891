#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Outside the initial PID namespace the device refuses open(), write(),
# read() and mmap() with EOPNOTSUPP (its pids are those of the initial
# namespace, which a container cannot name), registers nothing, and the
# monitor says why. The initial namespace is unaffected.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh
DEV=/dev/smart_madvise
nr_registered() { prof_helper hdr | sed -n 's/^nr_registered=//p'; }
command -v unshare > /dev/null || skip "no unshare in the guest"
unshare -p -f true 2>/dev/null || skip "unshare -p -f does not work here"

sm_load_or_die
sleep 1000 & S=$!
expect_eq "open in a new PID namespace" "$(unshare -p -f prof_helper write "R 1\n")" "OPEN EOPNOTSUPP"
exec 3<> "$DEV"
expect_eq "write in a new PID namespace, fd from the initial one" \
	"$(unshare -p -f prof_helper write -d 3 "R 1\n")" EOPNOTSUPP
expect_eq "read in a new PID namespace, fd from the initial one" \
	"$(unshare -p -f prof_helper text -d 3 2>&1 > /dev/null)" "END EOPNOTSUPP"
expect_eq "mmap in a new PID namespace, fd from the initial one" \
	"$(unshare -p -f prof_helper hdr -d 3)" "MMAP EOPNOTSUPP"
expect_eq "nr_registered" "$(nr_registered)" 0
expect_match "monitor in a new PID namespace" \
	"$(unshare -p -f smadvctl monitor 1 2>&1)" 'initial PID namespace'
expect_eq "R from the initial namespace" "$(prof_helper write -d 3 "R $S\n")" OK
wait_until 10 sh -c "prof_helper text 2>/dev/null | awk -v p=$S '\$3 == \"process\" && \$4 == p' | grep -q ." ||
	fail "no sample of $S"
exec 3>&-
kill "$S"
wait 2>/dev/null
sm_unload || fail "rmmod"
finish

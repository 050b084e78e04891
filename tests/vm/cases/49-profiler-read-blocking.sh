#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# read() of the device when caught up blocks until the next sample
# (interruptibly), or fails with EAGAIN under O_NONBLOCK; poll() reports
# POLLIN only when a read() gets data.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh
DEV=/dev/smart_madvise
w3() { prof_helper write -d 3 "$@" | tr '\n' ' ' | sed 's/ $//'; }

sm_load_or_die
prof_helper text > /tmp/t1 2> /tmp/t1.end
expect_eq "O_NONBLOCK read when caught up" "$(cat /tmp/t1.end)" "END EAGAIN"
expect_eq "what it read: the header" "$(cat /tmp/t1)" \
	"index time_ns type pid cpu_ns min_flt maj_flt seq_faults rand_faults"
expect_eq "poll with nothing to read" "$(prof_helper pollwait 300)" TIMEOUT

bg_ready /tmp/br.out prof_helper blockread || { fail "blockread"; finish; }
BR=$BG_PID
sleep 1
expect_eq "blocking read returned with nothing new" "$(grep -c '^GOT' /tmp/br.out)" 0
sleep 1000 & S=$!
exec 3<> "$DEV"
expect_eq "register" "$(w3 "R $S\n")" OK
wait_until 10 grep -q '^GOT' /tmp/br.out || fail "the blocked reader never woke"
wait "$BR"
show /tmp/br.out
expect_match "the woken reader's line" "$(sed -n 's/^LINE //p' /tmp/br.out)" "^[0-9]+ [0-9]+ process $S "
expect_eq "poll with a process registered" "$(prof_helper pollwait 5000)" POLLIN

exec 3>&-
# shellcheck disable=SC2016
wait_until 5 sh -c '[ "$(prof_helper hdr | sed -n "s/^nr_registered=//p")" = 0 ]' || fail "still registered"
bg_ready /tmp/br2.out prof_helper blockread || { fail "blockread 2"; kill "$S"; finish; }
BR=$BG_PID
sleep 0.3
kill -TERM "$BR"
if wait_until 3 sh -c "! kill -0 $BR 2>/dev/null"; then
	pass "a blocked read() is interruptible"
else
	fail "blocked reader survived SIGTERM"; kill -KILL "$BR"
fi
wait "$BR" 2>/dev/null
kill "$S"
wait 2>/dev/null
sm_unload || fail "rmmod"
finish

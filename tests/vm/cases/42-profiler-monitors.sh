#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Two monitors follow the ring at once and see the same records, which are
# also what read() on the device gives; poll() wakes for new records; the
# mapping is read-only.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh
DEV=/dev/smart_madvise
command -v smadvctl > /dev/null || skip "no smadvctl in the guest"

sm_load_or_die
sleep 1000 & S=$!
exec 3<> "$DEV"
prof_helper write -d 3 "R $S\n" > /dev/null
smadvctl monitor -f -n 30 --csv "$S" > /tmp/m1.csv 2> /tmp/m1.err & M1=$!
smadvctl monitor -f -n 30 --csv "$S" > /tmp/m2.csv 2> /tmp/m2.err & M2=$!
wait_until 30 sh -c "! kill -0 $M1 2>/dev/null && ! kill -0 $M2 2>/dev/null" ||
	{ fail "monitors did not finish"; kill "$M1" "$M2"; }
wait "$M1" || fail "monitor 1 exit status"
wait "$M2" || fail "monitor 2 exit status"
cat /tmp/m1.err /tmp/m2.err | sed 's/^/#   /'
expect_eq "monitor 1 lines" "$(wc -l < /tmp/m1.csv)" 31
expect_eq "monitor 2 lines" "$(wc -l < /tmp/m2.csv)" 31
if cmp -s /tmp/m1.csv /tmp/m2.csv; then
	pass "both monitors saw the same records"
else
	fail "the monitors differ"; diff /tmp/m1.csv /tmp/m2.csv | head | sed 's/^/#   /'
fi

# read() gives the same records as text.
prof_helper text > /tmp/t.txt 2>/dev/null
tr ',' ' ' < /tmp/m1.csv | tail -n +2 > /tmp/m1.txt
missing=$(grep -cvxF -f /tmp/t.txt /tmp/m1.txt)
expect_eq "monitor records missing from read()" "$missing" 0

# poll(): readable when a tick adds records; nothing comes with an empty set.
expect_eq "poll with a process registered" "$(prof_helper pollwait 5000)" POLLIN

# Plain text monitor output works too.
smadvctl monitor -n 2 "$S" > /tmp/plain.txt || fail "text monitor"
expect_match "text monitor header" "$(head -n 1 /tmp/plain.txt)" '^ +index +time_ns +type +pid'

# Read-only mapping.
prof_helper mapwrite > /tmp/mw.out
expect_eq "mmap PROT_WRITE" "$(kv /tmp/mw.out mmap_rw)" EACCES
expect_eq "mprotect PROT_WRITE (shared)" "$(kv /tmp/mw.out mprotect_rw)" EACCES
expect_eq "mprotect PROT_WRITE (private)" "$(kv /tmp/mw.out private_mprotect_rw)" EACCES

kill "$S"
wait 2>/dev/null
exec 3>&-
# shellcheck disable=SC2016
wait_until 10 sh -c '[ "$(prof_helper hdr | sed -n "s/^nr_registered=//p")" = 0 ]' ||
	fail "$S still registered"
expect_eq "poll with nothing registered" "$(prof_helper pollwait 500)" TIMEOUT
sm_unload || fail "rmmod"
finish

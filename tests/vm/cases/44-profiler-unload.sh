#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Unload while the ring is mapped (fd already closed) is refused, the
# mapping keeps working and keeps its file's registration (sampling goes
# on), and rmmod succeeds once it is gone, right after the registration
# ended with it. The monitor's error messages name the cause.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh
command -v smadvctl > /dev/null || skip "no smadvctl in the guest"

sm_load_or_die
sleep 1000 & S=$!
bg_ready /tmp/mk.out prof_helper mapkeep "$S" || { fail "mapkeep"; kill "$S"; finish; }
MK=$BG_PID
refs=$(awk '$1 == "smart_madvise" { print $3 }' /proc/modules)
expect_ge "module refcount while mapped" "$refs" 1
if rmmod smart_madvise 2> /tmp/rm.err; then
	fail "rmmod succeeded while the ring is mapped"
	sm_load_or_die
else
	pass "rmmod refused while mapped: $(cat /tmp/rm.err)"
fi
sm_loaded || fail "module gone"
w1=$(prof_helper hdr | sed -n 's/^write_index=//p')
sleep 0.5
kill -TERM "$MK"
wait "$MK"
show /tmp/mk.out
expect_eq "mapping still valid" "$(sed -n 's/.*magic_ok=//p' /tmp/mk.out)" 1
expect_ge "mapping saw sampling go on" "$(sed -n 's/.*write_index=\([0-9]*\).*/\1/p' /tmp/mk.out)" "$w1"
if rmmod smart_madvise; then
	pass "rmmod after the mapping, and with it the registration, went away"
else
	fail "rmmod after munmap"
fi

# Error messages.
smadvctl monitor > /tmp/e1.out 2>&1
expect_eq "monitor exit status without the module" "$?" 1
expect_match "monitor without the module" "$(cat /tmp/e1.out)" 'not loaded'
sm_load_or_die
prof_helper runas 65534 smadvctl monitor > /tmp/e2.out 2>&1
expect_match "monitor as non-root" "$(cat /tmp/e2.out)" 'permission denied.*root'
expect_match "monitor, no such pid" "$(smadvctl monitor 4194305 2>&1)" 'no process 4194305'

kill "$S"
wait 2>/dev/null
sm_unload || fail "rmmod"
finish

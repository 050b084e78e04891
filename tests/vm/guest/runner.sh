#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest test runner: runs the cases listed in /tests/suite.list, writes
# kselftest TAP 13 to the result port, $SM_RESULT_DEV (/dev/ttyS1 on x86,
# a virtio console on arm64; the console gets a copy), then unloads the
# module, checks dmesg, and writes the final result token.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

RES=${SM_RESULT_DEV:-/dev/ttyS1}
stty -F "$RES" raw -echo 2>/dev/null || true
exec 3>"$RES"

tap() { echo "$*" >&3; echo "TAP: $*"; }

cases=""
n=0
while read -r c _; do
	case "$c" in ''|'#'*) continue ;; esac
	cases="$cases $c"
	n=$((n + 1))
done < /tests/suite.list

# Watchdog: when the running case has printed nothing for SM_STALL seconds
# (or what the case wrote to /tmp/stall), sm_watchdog runs watchdog-dump.sh:
# the blocked tasks (sysrq-w) and the kernel log go to the result port, so
# that a hang can be diagnosed instead of ending as a bare timeout. It never
# fails a case by itself; the case timeout does that.
sm_watchdog /tmp/case.out "${SM_STALL:-120}" /bin/sh /tests/watchdog-dump.sh &
WATCHDOG=$!

total=$((n + 1))
tap "TAP version 13"
tap "1..$total"
i=0
failed=0
case_timeout=${SM_CASE_TIMEOUT:-300}
for c in $cases; do
	i=$((i + 1))
	f=/tests/cases/$c.sh
	echo "=== case $i/$n: $c"
	t0=$(cut -d. -f1 /proc/uptime)
	echo "$c" > /tmp/case.name
	: > /tmp/case.out
	dmesg -n 1 2>/dev/null || true
	if [ ! -f "$f" ]; then
		echo "# no such case: $f" > /tmp/case.out
		rc=1
	else
		rm -f /tmp/case.rc
		( timeout -s KILL "$case_timeout" sh "$f" 2>&1; echo $? > /tmp/case.rc ) | tee /tmp/case.out
		rc=$(cat /tmp/case.rc 2>/dev/null || echo 1)
		[ "$rc" = 137 ] && echo "# case timed out after ${case_timeout}s" >> /tmp/case.out
	fi
	echo "# $c took $(($(cut -d. -f1 /proc/uptime) - t0)) s (guest clock)" >> /tmp/case.out
	sed 's/^#* *\(.*\)/# \1/' /tmp/case.out >&3
	case "$rc" in
	0) tap "ok $i $c" ;;
	4) # the reason the case gave (lib.sh skip: "# SKIP: why")
	   why=$(sed -n 's/^# SKIP: //p' /tmp/case.out | tail -n 1)
	   tap "ok $i $c # SKIP${why:+ $why}" ;;
	*) tap "not ok $i $c # exit=$rc"; failed=$((failed + 1)) ;;
	esac
	# A case must not leave the module loaded for the next one.
	sm_loaded && { echo "# $c left the module loaded, unloading"; sm_unload || true; }
done

kill "$WATCHDOG" 2>/dev/null

# Final check: module gone, kernel log clean.
i=$((i + 1))
bad=0
if sm_loaded && ! rmmod smart_madvise; then
	echo "# rmmod smart_madvise failed" >&3
	bad=1
fi
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	echo scan > /sys/kernel/debug/kmemleak
	if grep -q . /sys/kernel/debug/kmemleak; then
		sed 's/^/# /' /sys/kernel/debug/kmemleak | head -n 40 >&3
		bad=1
	fi
fi
if dmesg | grep -E 'WARNING:|BUG:|Oops|kmemleak: [0-9]+ new suspected|general protection|Call Trace' > /tmp/dmesg.bad; then
	echo "# kernel log shows:" >&3
	sed 's/^/# /' /tmp/dmesg.bad | head -n 40 >&3
	bad=1
fi
if [ "$bad" = 0 ]; then
	tap "ok $i dmesg-clean"
else
	tap "not ok $i dmesg-clean"
	failed=$((failed + 1))
fi

if [ "$failed" = 0 ]; then
	tap "SMART_MADVISE_RESULT PASS"
else
	tap "SMART_MADVISE_RESULT FAIL"
fi
sync

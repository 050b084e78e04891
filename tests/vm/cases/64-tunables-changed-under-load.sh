#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Tunables changed under load break nothing: 64 threads each faulting and
# calling madvise (random, sequential and every other advice) while 2
# threads change the tunables, enable among them, as fast as they can. 20 s
# (check) or 120 s (full). 0 oops, 0 WARN (the guest runs with
# panic_on_warn=1), module unloads.
. /tests/lib.sh

SECS=20
[ "$SM_SCALE" = full ] && SECS=120
dmesg -n 7 2>/dev/null	# a lockup or splat shows its trace on the console
PAT='Oops|WARNING:|BUG:|general protection'
oops0=$(dmesg | grep -Ec "$PAT")
sm_load_or_die
sm_set enable 1 || fail "enable"
sm_storm -t "$SECS" -x 64 -u 2 -e > /tmp/cc.out 2>&1 || fail "sm_storm failed"
sed 's/^/# /' /tmp/cc.out
sm_set enable 0 || fail "disable"
echo "# figure: concurrency_threads $(sed -n 's/^threads=\([0-9]*\).*/\1/p' /tmp/cc.out)"
echo "# figure: concurrency_madvise_calls $(sed -n 's/.*madvise=\([0-9]*\).*/\1/p' /tmp/cc.out)"
echo "# figure: concurrency_enable_writes $(sed -n 's/.*enable_writes=\([0-9]*\).*/\1/p' /tmp/cc.out)"
echo "# figure: concurrency_tunable_writes $(sed -n 's/.*tunable_writes=\([0-9]*\).*/\1/p' /tmp/cc.out)"
echo "# figure: concurrency_probe_misses $(sm_stat probe_misses)"
sm_unload || fail "rmmod failed"
oops=$(( $(dmesg | grep -Ec "$PAT") - oops0 ))
echo "# figure: concurrency_oops_warn $oops"
expect_eq "oops/WARN in dmesg" "$oops" 0
finish

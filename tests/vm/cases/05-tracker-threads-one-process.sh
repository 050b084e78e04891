#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The tracker keys a process, not its threads: a process whose 4 threads
# each scan their own region at the same time is one entry, classified
# sequential (one stream per thread), and its MADV_RANDOM is rewritten (sr).
# Control: the same run with enable=0 keeps rr.
. /tests/lib.sh

sm_load_or_die
sm_set enable 0
sm_scan -m threads -T 4 -n 512 > /tmp/thr.0 2>&1 || fail "sm_scan failed"
expect_eq "enable=0: VmFlags pattern flag" "$(kv /tmp/thr.0 flag)" rr

sm_set enable 1
dropped0=$(sm_stat faults_dropped)
bg_ready /tmp/thr.1 sm_scan -P -m threads -T 4 -n 512 || { fail "program did not start"; finish; }
line=$(sm_proc "$BG_PID")
nthreads=0
for t in /proc/"$BG_PID"/task/*; do nthreads=$((nthreads + 1)); done
entries=$(sm_proc "$BG_PID" | wc -l)
tid_entries=0
for t in /proc/"$BG_PID"/task/*; do
	t=${t##*/}
	[ "$t" = "$BG_PID" ] && continue
	[ -n "$(sm_proc "$t")" ] && tid_entries=$((tid_entries + 1))
done
bg_stop
# A fault that finds the process's lock taken is dropped, not counted
# (4 threads on 2 vCPUs, under load): judge the ones counted.
dropped=$(($(sm_stat faults_dropped) - dropped0))
log "processes: $line; faults dropped: $dropped"
log "VmFlags: $(kv /tmp/thr.1 vmflags)"
expect_eq "threads of the process (main + 4)" "$nthreads" 5
# shellcheck disable=SC2086 # split the processes line into fields
set -- $line
expect_eq "verdict" "${6:-missing}" sequential
expect_ge "sequential faults" "${4:-0}" $(((4 * 512 - dropped) * 90 / 100))
expect_eq "entries for the process" "$entries" 1
expect_eq "entries keyed by thread id" "$tid_entries" 0
expect_eq "enable=1: VmFlags pattern flag" "$(kv /tmp/thr.1 flag)" sr
expect_eq "rewrites counted for the process" "${7:-0}" 1

sm_set enable 0
sm_unload || fail "rmmod failed"
finish

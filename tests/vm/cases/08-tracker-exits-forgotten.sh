#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The tracker forgets exited processes: 1,000 short processes fork and
# exit; the tracked count returns to its baseline. The children are alive
# 50 at a time, and while they are the count must be >= 51 (50 children
# and sm_forker: they were tracked).
# Exit cleanup is immediate (exit_mmap probe) or, for a missed probe, done
# by a sweep every few seconds: wait at most 30 s. No entry may belong to
# a process that no longer exists.
. /tests/lib.sh

total=1000
[ "$SM_SCALE" = full ] && total=10000
sm_load_or_die enable=1
sleep 1
base=$(sm_stat processes_tracked)
alloc0=$(sm_stat allocations_live)
cp "$SM_DBG/processes" /tmp/processes.base
show /tmp/processes.base
log "baseline: processes_tracked $base, allocations_live $alloc0"
sm_forker -n $total -b 50 -s "$SM_DBG/stats" > /tmp/fork.out 2>&1 || { fail "sm_forker failed"; show /tmp/fork.out; }
log "$(cat /tmp/fork.out)"
expect_eq "children forked" "$(sed -n 's/.*forked=\([0-9]*\).*/\1/p' /tmp/fork.out)" $total
# at least the 50 live children of a batch and sm_forker itself
expect_ge "tracked while a batch lived" "$(sed -n 's/.*max_tracked=\([-0-9]*\).*/\1/p' /tmp/fork.out)" 51

back() { [ "$(sm_stat processes_tracked)" -le "$base" ]; }
if wait_until 30 back; then
	pass "processes_tracked back to baseline: $(sm_stat processes_tracked) <= $base"
else
	fail "processes_tracked $(sm_stat processes_tracked), baseline $base"
	show "$SM_DBG/processes"
	ps -o pid,ppid,comm > /tmp/ps.out; show /tmp/ps.out
fi
# Entries of dead processes (read by the shell itself: no new process).
stale=0
while read -r pid comm rest; do
	[ "$pid" = pid ] && continue
	[ -d "/proc/$pid" ] || { stale=$((stale + 1)); log "stale entry: $pid $comm $rest"; }
done < "$SM_DBG/processes"
expect_eq "entries of dead processes" "$stale" 0
# Judged on the reading that met the bound: every later read forks
# processes of its own, whose entries are allocated and freed again.
freed() { alloc=$(sm_stat allocations_live); [ "$alloc" -le $((alloc0 + 2)) ]; }
if wait_until 10 freed; then
	pass "allocations_live back to baseline: $alloc <= $((alloc0 + 2))"
else
	fail "allocations_live $alloc, baseline $alloc0 (+2)"
fi
log "stats: $(tr '\n' ' ' < "$SM_DBG/stats")"
sm_set enable 0
sm_unload || fail "rmmod failed"
finish

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The tracker forgets exited processes. First 1,000 short processes
# (10,000 at --scale full), alive 50 at a time: while a batch lives the
# tracked count must be >= 51 (50 children and sm_forker: they were
# tracked), and afterwards it returns to its baseline. Exit cleanup is
# immediate (exit_mmap probe) or, for a missed probe, done by a sweep
# every few seconds: wait at most 30 s. No entry may belong to a process
# that no longer exists, and allocations_live comes back. Then a fork/exit
# storm: 1,000 short processes (100,000 at --scale full), 8 alive at a
# time, each faulting 4 pages; processes_tracked and allocations_live come
# back to their baseline within 60 s (entries go by exit_mmap and
# call_rcu, or by the 2 s sweep when an exit was missed).
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

# shellcheck disable=SC2317 # called through wait_until
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
# shellcheck disable=SC2317 # called through wait_until
freed() { alloc=$(sm_stat allocations_live); [ "$alloc" -le $((alloc0 + 2)) ]; }
if wait_until 10 freed; then
	pass "allocations_live back to baseline: $alloc <= $((alloc0 + 2))"
else
	fail "allocations_live $alloc, baseline $alloc0 (+2)"
fi
log "stats: $(tr '\n' ' ' < "$SM_DBG/stats")"

# The fork/exit storm.
N=1000
[ "$SM_SCALE" = full ] && N=100000
# Both counters from one read, with shell builtins only: a helper
# process would itself be tracked, and its exit leaves an entry waiting
# for its RCU grace period.
snap() {
	T='' A=''
	while read -r _k _v; do
		case "$_k" in
		processes_tracked) T=$_v ;;
		allocations_live) A=$_v ;;
		esac
	done < "$SM_DBG/stats"
}
sleep 3		# let the sweep settle what the reads above left

snap
base_t=$T
base_a=$A
log "baseline: processes_tracked=$base_t allocations_live=$base_a"
faults0=$(sm_stat faults)
sm_forker -n "$N" -p 8 -P 4 > /tmp/fs.out 2>&1 || fail "sm_forker: $(cat /tmp/fs.out)"
sed 's/^/# /' /tmp/fs.out
peak_t=$(sm_stat processes_tracked)

storm_back() {
	snap
	t=$T
	a=$A
	[ "$t" -le "$base_t" ] && [ "$a" -le "$base_a" ]
}
rm -f /tmp/fs.fifo
mkfifo /tmp/fs.fifo
s=0
while ! storm_back; do
	s=$((s + 1))
	[ "$s" -gt 60 ] && break
	# a 1 s wait without a process (busybox sh's read has -t)
	# shellcheck disable=SC3045
	read -r -t 1 _x <> /tmp/fs.fifo
done
echo "# figure: forkstorm_processes $(sed -n 's/^forked=\([0-9]*\).*/\1/p' /tmp/fs.out)"
echo "# figure: forkstorm_elapsed_ms $(sed -n 's/.*elapsed_ms=\([0-9]*\).*/\1/p' /tmp/fs.out)"
echo "# figure: forkstorm_faults_seen $(( $(sm_stat faults) - faults0 ))"
echo "# figure: forkstorm_tracked_baseline_after $base_t $t"
echo "# figure: forkstorm_allocations_baseline_after $base_a $a"
echo "# figure: forkstorm_seconds_to_baseline $s"
echo "# figure: forkstorm_sweeps_dropped $(sm_stat sweeps_dropped)"
echo "# figure: forkstorm_probe_misses $(sm_stat probe_misses)"
log "tracked just after the storm: $peak_t"
expect_le "processes_tracked after the storm" "$t" "$base_t"
expect_le "allocations_live after the storm" "$a" "$base_a"
[ -n "$a" ] || fail "stats has no allocations_live"
sm_set enable 0 || fail "disable"
sm_unload || fail "rmmod failed"
finish

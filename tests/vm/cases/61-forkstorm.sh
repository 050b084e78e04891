#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The tracker forgets exited processes under a fork/exit storm: 100,000
# short processes (full scale; 3,000 in check), 8 alive at a time, each
# faulting 4 pages. processes_tracked and allocations_live come back to
# their baseline within a bounded time (entries go by exit_mmap and
# call_rcu, or by the 2 s sweep when an exit was missed).
. /tests/lib.sh

N=3000
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
sm_load_or_die
sm_set enable 1 || { fail "enable"; finish; }
sleep 3		# let the sweep settle what was tracked at enable time

snap
base_t=$T
base_a=$A
log "baseline: processes_tracked=$base_t allocations_live=$base_a"
faults0=$(sm_stat faults)
sm_forker -n "$N" -p 8 -P 4 > /tmp/fs.out 2>&1 || fail "sm_forker: $(cat /tmp/fs.out)"
cat /tmp/fs.out | sed 's/^/# /'
peak_t=$(sm_stat processes_tracked)

back() {
	snap
	t=$T
	a=$A
	[ "$t" -le "$base_t" ] && [ "$a" -le "$base_a" ]
}
rm -f /tmp/fs.fifo
mkfifo /tmp/fs.fifo
s=0
while ! back; do
	s=$((s + 1))
	[ "$s" -gt 60 ] && break
	read -r -t 1 _x <> /tmp/fs.fifo	# a 1 s wait without a process
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

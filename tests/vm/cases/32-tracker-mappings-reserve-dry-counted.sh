#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A dry reserve of mapping state is counted, not hidden: a chain of 32
# SCHED_FIFO processes on CPU 0 advises 16 one-page ranges each (512) before
# the refill worker can run there, twice what the reserve of 256 holds.
# Read by the chain's last process with all 32 alive: what
# mappings_tracked did not gain, mappings_untracked must; the two add up
# to 512, and at least 256 went untracked. Once the chain is gone, a new
# process's advised range is followed again and the counter stays.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

N=32
MAPS=16
RT=/proc/sys/kernel/sched_rt_runtime_us
# 6.12+: the fair server would run SCHED_OTHER tasks beside real-time ones
FS=/sys/kernel/debug/sched/fair_server/cpu0/runtime

sm_load_or_die enable=1
rt0=$(cat "$RT")
fs0=''
[ -w "$FS" ] && fs0=$(cat "$FS")
# The chain must not be throttled or served aside for the worker.
echo -1 > "$RT" || fail "sched_rt_runtime_us -1"
[ -z "$fs0" ] || echo 0 > "$FS" || fail "fair_server runtime 0"
sleep 1	# a refill queued before the chain is done
t0=$(sm_stat mappings_tracked)
u0=$(sm_stat mappings_untracked)
# In the foreground: the shell waits, taking no lock the chain may need.
sm_advise_chain "$N" "$MAPS" "$SM_DBG/stats" > /tmp/chain.out 2>&1 ||
	fail "sm_advise_chain: $(cat /tmp/chain.out)"
t1=$(awk '$1 == "mappings_tracked" { print $2 }' /tmp/chain.out)
u1=$(awk '$1 == "mappings_untracked" { print $2 }' /tmp/chain.out)
log "mappings_tracked $t0 -> $t1, mappings_untracked $u0 -> $u1"
expect_eq "advised by the chain" "$(kv /tmp/chain.out advised)" $((N * MAPS))
expect_eq "tracked + untracked, new" $((t1 - t0 + u1 - u0)) $((N * MAPS))
expect_ge "mappings_untracked, new" $((u1 - u0)) $((N * MAPS - 256))
echo "# figure: reserve_dry_untracked_mappings $((u1 - u0)) of $((N * MAPS))"
# shellcheck disable=SC2317 # called by wait_until
chain_gone() { [ "$(sm_stat mappings_tracked)" -le "$t0" ]; }
wait_until 20 chain_gone ||
	fail "the chain's mappings outlived it: $(sm_stat mappings_tracked)"
[ -z "$fs0" ] || echo "$fs0" > "$FS" || fail "fair_server runtime restore"
echo "$rt0" > "$RT" || fail "sched_rt_runtime_us restore: $(cat "$RT")"

bg_ready /tmp/after.out sm_access -P -m size=64k,advice=random,touch=1,pattern=idle ||
	fail "sm_access did not run"
expect_eq "mapping followed after the chain" \
	"$(sm_map "$BG_PID" "$(kv /tmp/after.out m0.region)" | awk '{ print $4 }')" random
expect_eq "mappings_untracked after the chain" "$(sm_stat mappings_untracked)" "$u1"
bg_stop

sm_set enable 0
sm_unload || fail "rmmod failed"
finish

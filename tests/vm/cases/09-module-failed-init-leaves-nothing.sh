#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A load that fails at any step of its init leaves nothing behind: no
# probe armed, no sysfs, debugfs or /dev node, and page faults and
# madvise() calls afterwards run no freed handler (an oops panics the
# guest). Covered: each step with enable=1 at load, and the failure after
# sysfs exists while another process keeps writing enable=1 into it.
# The failure is injected with the test-only parameter fail_init_at.
. /tests/lib.sh

nothing_left() { # STEP
	sm_loaded && { fail "$1: module still loaded"; sm_unload; }
	[ -e "$SM_SYS" ] && fail "$1: $SM_SYS left behind"
	[ -e "$SM_DBG" ] && fail "$1: $SM_DBG left behind"
	[ -e /dev/smart_madvise ] && fail "$1: /dev/smart_madvise left behind"
	expect_eq "$1: probes of ours after the failed load" "$(sm_hooked)" ""
	sm_scan -m anon -n 256 -a random > /tmp/wl.out 2>&1 || fail "$1: workload after the failed load"
	expect_eq "$1: VmFlags after the failed load (advice untouched)" "$(kv /tmp/wl.out flag)" rr
}

for step in debugfs profiler sysfs armed; do
	if insmod "$SM_KO" enable=1 fail_init_at=$step 2> /tmp/insmod.err; then
		fail "$step: the load succeeded despite fail_init_at"
		sm_unload
		continue
	fi
	expect_match "$step: insmod error" "$(cat /tmp/insmod.err)" "Cannot allocate memory"
	expect_match "$step: kernel log" "$(dmesg | tail -n 5)" "failing the load after step $step"
	nothing_left "$step"
done

# The window the old order had: enable written while the load fails.
writer() { while :; do { echo 1 > "$SM_SYS/enable"; } 2>/dev/null; done; }
writer &
wpid=$!
i=0
while [ $i -lt 20 ]; do
	insmod "$SM_KO" fail_init_at=sysfs 2>/dev/null && { fail "race: load $i succeeded"; sm_unload; }
	i=$((i + 1))
done
kill "$wpid"
wait "$wpid" 2>/dev/null
nothing_left "enable written during 20 failing loads"
finish

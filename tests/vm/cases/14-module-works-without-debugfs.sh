#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# On a kernel booted with debugfs=off (suite nodebugfs) the module loads,
# says in the kernel log that its counters are unavailable, and still
# works through sysfs: enable=1 arms it and a mis-advised scan's
# MADV_RANDOM is rewritten (VmFlags sr).
. /tests/lib.sh

grep -qw debugfs=off /proc/cmdline || skip "needs a boot with debugfs=off (suite nodebugfs)"
sm_load_or_die
expect_match "kernel log" "$(dmesg | grep smart_madvise | tail -n 3)" "no debugfs .*the sysfs tunables work"
[ -e "$SM_DBG" ] && fail "$SM_DBG exists without debugfs"
sm_set_or_fail enable 1
sm_scan -m anon -n 256 -a random > /tmp/nodbg.out 2>&1 || { fail "sm_scan failed"; show /tmp/nodbg.out; }
expect_eq "VmFlags of the mis-advised mapping" "$(kv /tmp/nodbg.out flag)" sr
sm_set enable 0
sm_unload || fail "rmmod failed"
finish

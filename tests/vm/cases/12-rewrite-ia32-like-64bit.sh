#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A 32-bit program on a 64-bit x86 kernel is rewritten like a 64-bit one,
# through both madvise hooks: its sequential faults, then MADV_RANDOM by
# int $0x80 on a fresh mapping, give VmFlags sr and an applied log line.
# With madvise_hook=syscall that needs the ia32 syscall entry hooked too.
. /tests/lib.sh

[ "$(uname -m)" = x86_64 ] || skip "32-bit x86 programs need an x86_64 kernel"
[ -x /bin/sm_advise32 ] || { fail "no /bin/sm_advise32"; finish; }
for hook in do_madvise syscall; do
	sm_load_or_die enable=1 madvise_hook=$hook
	if ! sm_advise32 > /tmp/ia32.out 2>&1; then
		fail "$hook: sm_advise32 failed"; show /tmp/ia32.out
	else
		pid=$(kv /tmp/ia32.out pid) region=$(kv /tmp/ia32.out region)
		expect_eq "$hook: madvise return" "$(kv /tmp/ia32.out ret)" 0
		expect_eq "$hook: VmFlags of the 32-bit program's mapping" "$(kv /tmp/ia32.out flag)" sr
		expect_eq "$hook: applied log lines for it" \
			"$(sm_rewrites_for "$pid" | awk -v r="$region" '$4 == r && $9 == "applied"' | wc -l)" 1
	fi
	sm_unload || fail "$hook: rmmod"
done
finish

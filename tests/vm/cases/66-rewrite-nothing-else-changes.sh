#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Nothing but the rewrite table changes what madvise does:
#  a) For every madvise advice value 0..30 (and invalid ones), on private
#     anonymous and shared tmpfs memory, a process with a conclusive
#     verdict gets the same return value, errno, VmFlags and memory
#     contents with the module on as with it off (and as with dry_run=1),
#     except MADV_RANDOM from a sequential and MADV_SEQUENTIAL from a
#     random process, which must show the rewrite.
#  b) process_madvise aimed at another process is never altered; aimed at
#     itself, only the rewrite table applies (MADV_RANDOM where 6.13+
#     accepts it for self).
#  c) user registers and the return value after a raw madvise syscall are
#     unchanged, with madvise_hook=do_madvise and madvise_hook=syscall,
#     while the rewrite really happens.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

run() { # NAME CMD...: output to /tmp/sem.NAME
	_n=$1; shift
	"$@" > "/tmp/sem.$_n" 2>&1
	grep '^VERDICT_BAD' "/tmp/sem.$_n" | head -n 3 | sed 's/^/# /'
	grep -q '^END 0' "/tmp/sem.$_n" || fail "$*: $(tail -n 1 "/tmp/sem.$_n")"
}

# --- a) the advice table ---
compared=0
for v in seq rand; do
	sm_load_or_die
	sm_set enable 1
	run on.$v stress_sem advice $v check
	sm_set dry_run 1
	run dry.$v stress_sem advice $v
	sm_set dry_run 0
	sm_set enable 0
	run off.$v stress_sem advice $v
	sm_unload || fail "rmmod failed"
	run unloaded.$v stress_sem advice $v
	if [ $v = seq ]; then rw=1 want=sr; else rw=2 want=rr; fi
	for other in dry.$v off.$v; do
		cmp -s "/tmp/sem.unloaded.$v" "/tmp/sem.$other" || {
			fail "$other differs from the module unloaded"
			diff "/tmp/sem.unloaded.$v" "/tmp/sem.$other" | head -n 10 | sed 's/^/# /'
		}
	done
	diff /tmp/sem.off.$v /tmp/sem.on.$v | grep '^[<>] ADV' > /tmp/sem.diff
	# the only lines allowed to differ: advice $rw, both kinds
	if grep -v "^[<>] ADV [a-z]* $rw " /tmp/sem.diff | grep -q .; then
		fail "$v: advice outside the rewrite table changed:"
		grep -v "^[<>] ADV [a-z]* $rw " /tmp/sem.diff | head -n 10 | sed 's/^/# /'
	fi
	for kind in anon shm; do
		l=$(grep "^ADV $kind $rw " /tmp/sem.on.$v)
		echo "$l" | grep -q ",$want\(,\|[ ]\)" || fail "$v $kind advice $rw not rewritten: $l"
	done
	n=$(grep -c '^ADV ' /tmp/sem.off.$v)
	acc=$(awk '$1 == "ADV" && $4 == 0 { print $3 }' /tmp/sem.off.$v | sort -un | wc -l)
	log "$v: $n calls compared; advice values accepted by this kernel: $(awk '$1 == "ADV" && $2 == "anon" && $4 == 0 { printf "%s ", $3 }' /tmp/sem.off.$v)"
	compared=$((compared + n))
done
echo "# figure: semantics_madvise_calls_compared $compared"
echo "# figure: semantics_advice_values_accepted $acc"

# --- b) process_madvise ---
sm_load_or_die
sm_set enable 1
run pm.on stress_sem pmadv check
sm_set enable 0
sm_unload
run pm.off stress_sem pmadv
# The one line allowed to differ: MADV_RANDOM (1) on itself, on kernels
# that accept it for self (6.13+), rewritten for this sequential process
# exactly like madvise(2) (13-rewrite-every-madvise-path), with the same
# return (the bytes advised). Aimed at the child: never.
self_rw() { awk '$1 == "PM" && $2 == "self" && $3 == 1' "$1"; }
if cmp -s /tmp/sem.pm.on /tmp/sem.pm.off; then
	pass "process_madvise: identical with the module on and off"
elif diff /tmp/sem.pm.off /tmp/sem.pm.on | grep '^[<>]' | grep -qv '^[<>] PM self 1 '; then
	fail "process_madvise results differ beyond MADV_RANDOM on itself:"
	diff /tmp/sem.pm.off /tmp/sem.pm.on | head -n 10 | sed 's/^/# /'
elif self_rw /tmp/sem.pm.off | grep -Eq '^PM self 1 [0-9]+ 0 (.*,)?rr(,|$)' &&
     self_rw /tmp/sem.pm.on | grep -Eq '^PM self 1 [0-9]+ 0 (.*,)?sr(,|$)' &&
     [ "$(self_rw /tmp/sem.pm.off | cut -d' ' -f4)" = "$(self_rw /tmp/sem.pm.on | cut -d' ' -f4)" ]; then
	pass "process_madvise: identical but MADV_RANDOM on itself, rewritten to sr"
else
	fail "process_madvise MADV_RANDOM on itself: off '$(self_rw /tmp/sem.pm.off)', on '$(self_rw /tmp/sem.pm.on)'"
fi
echo "# figure: semantics_process_madvise_calls_compared $(grep -c '^PM ' /tmp/sem.pm.on)"
echo "# figure: semantics_process_madvise_accepted $(awk '$1 == "PM" && $2 == "child" && $4 >= 0' /tmp/sem.pm.off | wc -l)"

# --- c) registers ---
for hook in do_madvise syscall; do
	sm_load_or_die madvise_hook=$hook
	expect_eq "madvise_hook" "$(sm_get madvise_hook)" "$hook"
	sm_set enable 1
	r0=$(sm_stat rewrites)
	run regs.$hook stress_sem regs check
	grep '^REGS' /tmp/sem.regs.$hook | sed 's/^/# /'
	grep -q '^REGS_BAD' /tmp/sem.regs.$hook && fail "$hook: registers changed"
	# proof the rewrite happened while the registers stayed
	grep -q '^REGS 0x1 OK .*sr' /tmp/sem.regs.$hook || fail "$hook: MADV_RANDOM was not rewritten"
	grep -q '^REGS 0xdead000000000001 OK .*sr' /tmp/sem.regs.$hook ||
		fail "$hook: MADV_RANDOM with upper bits set was not rewritten"
	echo "# figure: semantics_regs_rewrites_$hook $(( $(sm_stat rewrites) - r0 ))"
	sm_set enable 0
	sm_unload || fail "rmmod failed"
done
finish

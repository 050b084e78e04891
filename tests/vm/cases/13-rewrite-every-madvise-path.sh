#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every way a process advises its own memory is rewritten: madvise(2),
# process_madvise(2) on a pidfd of itself, and io_uring's IORING_OP_MADVISE.
# From 6.15 process_madvise no longer goes through do_madvise()
# (vector_madvise -> madvise_do_behavior), so the module also probes
# vector_madvise there. For each call, a sequential scan then MADV_RANDOM
# on a fresh mapping (and a random scan then MADV_SEQUENTIAL):
#   enable=0 -> the advice as asked (rr / sr), no rewrite logged
#   enable=1 -> the other flag (sr / rr), one "applied" log line for the
#               advised region, stats rewrites +1
# process_madvise on self accepts only COLD, PAGEOUT, WILLNEED and COLLAPSE
# before 6.13: there the kernel's EINVAL must come back unchanged with the
# module on, and VmFlags show neither flag.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

sm_load_or_die enable=0
KREL=$(uname -r)

# run LABEL ENABLE CALL MODE ADVICE: sm_scan into /tmp/fn.LABEL.out
run() {
	sm_set enable "$2"
	sm_scan -m "$4" -n 1024 -a "$5" -c "$3" > "/tmp/fn.$1.out" 2>&1 ||
		{ fail "$1: sm_scan failed"; show "/tmp/fn.$1.out"; return 1; }
	log "$1: ret $(kv "/tmp/fn.$1.out" madvise_ret) VmFlags $(kv "/tmp/fn.$1.out" vmflags)"
}

for call in madvise process_madvise io_uring; do
	if [ $call = io_uring ] && ! sm_scan -m anon -n 16 -a random -c io_uring > /tmp/fn.probe 2>&1 &&
	   grep -q 'io_uring_setup: Function not implemented' /tmp/fn.probe; then
		log "$KREL has no io_uring (ENOSYS: CONFIG_IO_URING off, as in the debug kernels): no such path to rewrite"
		continue
	fi
	for dir in seq rand; do
		if [ $dir = seq ]; then
			mode=anon advice=random asked=rr want=sr applied=sequential
		else
			mode=random advice=sequential asked=sr want=rr applied=random
		fi
		l=$call.$dir
		run "$l.off" 0 $call $mode $advice || continue
		ret=$(kv "/tmp/fn.$l.off.out" madvise_ret)
		rw0=$(sm_stat rewrites)
		run "$l.on" 1 $call $mode $advice || continue
		out=/tmp/fn.$l.on.out
		if [ "$call" = process_madvise ] && [ "$ret" = -22 ]; then
			log "$l: $KREL refuses process_madvise on self with $advice advice (EINVAL, before 6.13)"
			expect_eq "$l: enable=0 VmFlags" "$(kv "/tmp/fn.$l.off.out" flag)" none
			expect_eq "$l: enable=1 return unchanged" "$(kv "$out" madvise_ret)" -22
			expect_eq "$l: enable=1 VmFlags" "$(kv "$out" flag)" none
			expect_eq "$l: stats rewrites unchanged" "$(sm_stat rewrites)" "$rw0"
			continue
		fi
		expect_eq "$l: enable=0 return" "$ret" 0
		expect_eq "$l: enable=0 VmFlags" "$(kv "/tmp/fn.$l.off.out" flag)" $asked
		pid=$(kv "/tmp/fn.$l.off.out" pid) region=$(kv "/tmp/fn.$l.off.out" region)
		expect_eq "$l: enable=0 rewrite log" "$(sm_rewrites_for "$pid" | awk -v r="$region" '$4 == r')" ""
		expect_eq "$l: enable=1 return" "$(kv "$out" madvise_ret)" 0
		expect_eq "$l: enable=1 VmFlags" "$(kv "$out" flag)" $want
		pid=$(kv "$out" pid) region=$(kv "$out" region)
		line=$(sm_rewrites_for "$pid" | awk -v r="$region" '$4 == r')
		# shellcheck disable=SC2086
		set -- $line
		expect_eq "$l: one log line for the region" "$#" 9
		expect_eq "$l: log asked" "${6:-}" $advice
		expect_eq "$l: log applied" "${7:-}" $applied
		expect_eq "$l: log mode" "${9:-}" applied
		expect_eq "$l: log length" "${5:-}" "$(kv "$out" length)"
		expect_eq "$l: stats rewrites +1" "$(sm_stat rewrites)" $((rw0 + 1))
	done
done

# Which probes did it: do_madvise by ftrace or kprobe, vector_madvise
# only where the kernel has it.
sm_set enable 1
sm_hooked | grep -E '(do_madvise|vector_madvise)' > /tmp/fn.hooked
show /tmp/fn.hooked
grep -q do_madvise /tmp/fn.hooked || fail "do_madvise not hooked with enable=1"
if awk '$3 == "vector_madvise" { f = 1 } END { exit !f }' /proc/kallsyms; then
	grep -q vector_madvise /tmp/fn.hooked || fail "$KREL has vector_madvise but it is not probed"
fi
sm_set enable 0
expect_eq "no madvise probe with enable=0" "$(sm_hooked | grep -cE '(do_madvise|vector_madvise)')" 0
sm_unload || fail "rmmod failed"
finish

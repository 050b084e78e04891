#!/bin/sh
# shellcheck disable=SC2119 # sm_load_or_die: parameters optional
# SPDX-License-Identifier: GPL-2.0
# A mis-advised MADV_RANDOM is rewritten from the process's fault
# history: a process faults sequentially through an anonymous
# mapping, and separately through a file-backed one (tmpfs file, read via
# mmap: fault-around maps ~16 pages per fault), then calls
# madvise(MADV_RANDOM) on a fresh mapping. VmFlags of that mapping:
#   enable=0            -> rr, no rewrite logged
#   enable=1, dry_run=1 -> rr, rewrite log shows the would-be rewrite (dry_run)
#   enable=1            -> sr, rewrite log shows it applied
# The raw syscall's return value and argument registers are checked too,
# and on arm64 a madvise through a tagged pointer.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

sm_load_or_die
dd if=/dev/zero of=/tmp/scan.dat bs=1M count=32 2>/dev/null || { fail "cannot create test file"; finish; }

# scan LABEL ENABLE DRY_RUN WANT_FLAG WANT_MODE(none|dry_run|applied) ARGS...
scan() {
	label=$1 en=$2 dry=$3 want=$4 wmode=$5
	shift 5
	sm_set dry_run "$dry"
	sm_set enable "$en"
	rw0=$(sm_stat rewrites) dr0=$(sm_stat rewrites_dry_run)
	out=/tmp/scan.$label.out
	if ! sm_scan "$@" > "$out" 2>&1; then
		fail "$label: sm_scan failed"; show "$out"; return
	fi
	pid=$(kv "$out" pid) region=$(kv "$out" region)
	log "$label: pid $pid faults $(kv "$out" workload_faults) VmFlags: $(kv "$out" vmflags)"
	expect_eq "$label: VmFlags pattern flag" "$(kv "$out" flag)" "$want"
	expect_eq "$label: madvise return" "$(kv "$out" madvise_ret)" 0
	expect_eq "$label: argument registers preserved" "$(kv "$out" regs_ok)" 1
	line=$(sm_rewrites_for "$pid" | awk -v r="$region" '$4 == r')
	case "$wmode" in
	none)
		expect_eq "$label: rewrite log entries" "$line" ""
		;;
	*)
		log "$label: rewrite log: $line"
		# shellcheck disable=SC2086 # split the log line into fields
		set -- $line
		if [ $# -ne 9 ]; then
			fail "$label: no single rewrite log line for pid $pid region $region"
			show "$SM_DBG/rewrites"
			return
		fi
		expect_eq "$label: log asked" "$6" random
		expect_eq "$label: log applied" "$7" sequential
		expect_eq "$label: log mode" "$9" "$wmode"
		expect_eq "$label: log length" "$5" "$(kv "$out" length)"
		expect_ge "$label: log seq_permille" "$8" 750
		;;
	esac
	case "$wmode" in
	applied) expect_eq "$label: stats rewrites +1" "$(sm_stat rewrites)" $((rw0 + 1)) ;;
	dry_run) expect_eq "$label: stats rewrites_dry_run +1" "$(sm_stat rewrites_dry_run)" $((dr0 + 1)) ;;
	none) expect_eq "$label: stats rewrites unchanged" "$(sm_stat rewrites)" "$rw0" ;;
	esac
}

for kind in anon file; do
	if [ $kind = anon ]; then
		set -- -m anon -n 1024
	else
		set -- -m file -f /tmp/scan.dat
	fi
	scan "$kind-enable0" 0 0 rr none "$@"
	scan "$kind-dryrun" 1 1 rr dry_run "$@"
	scan "$kind-enable1" 1 0 sr applied "$@"
	# the file case must have made enough faults for a verdict, and a
	# window more for it to settle before the call
	[ $kind = file ] && expect_ge "file: faults of the scan" "$(kv /tmp/scan.file-enable1.out workload_faults)" "$((2 * $(sm_get window_size)))"
done

# arm64: madvise() strips a pointer's tag (top byte). Advised through a
# tagged alias, the mapping must still be rewritten and the log must name
# the untagged range the kernel advised. x86_64 has no tag (LAM is opt-in).
if sm_scan -m none -t > /tmp/scan.tag.out 2>&1; then
	scan anon-tagged 1 0 sr applied -m anon -n 1024 -t
	log "anon-tagged: advised through $(kv /tmp/scan.anon-tagged.out advised)"
elif [ "$(uname -m)" = aarch64 ]; then
	fail "aarch64: sm_scan -t found no tagged pointer"
	show /tmp/scan.tag.out
else
	log "$(uname -m): no tagged user pointers: nothing to check"
fi

sm_set enable 0
sm_unload || fail "rmmod failed"
rm -f /tmp/scan.dat
finish

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash disable=SC1091
#
# Guest side of `make bench` (busybox sh, PID 1's child). Runs every suite
# in this one boot, alternating the configurations run by run (the order
# rotates each round so no configuration always runs first), and writes
# one CSV row per measurement to /dev/ttyS1:
#
#   row,SUITE,CONFIG,RUN,KEY,VALUE     RUN 0 is the warm-up, 1..N count
#   meta,KEY,VALUE                     facts about this boot
#   mem,LEVEL,KEY,VALUE                slab accounting at a scale level
#
# A run ends with "row,...,status,ok" only if the program exited 0 and
# printed status=ok; otherwise "status,fail". The host drops a failed run
# and refuses to compute a ratio from a configuration that has one.
# The last line is BENCH_DONE.
. /etc/bench.conf

SM_KO=/lib/modules/smart_madvise.ko
SM_SYS=/sys/kernel/smart_madvise
SM_DBG=/sys/kernel/debug/smart_madvise
OUT=/dev/ttyS1
stty -F "$OUT" raw -echo 2>/dev/null || true
exec 3>"$OUT"

out() { echo "$*" >&3; }
say() { echo "bench: $*"; }
meta() { out "meta,$1,$2"; }

CUR_HOOK=""	# fault_hook of the loaded module, "" when not loaded

sm_unload() {
	[ -n "$CUR_HOOK" ] || return 0
	rmmod smart_madvise || { say "rmmod failed"; return 1; }
	CUR_HOOK=""
}

# sm_ensure HOOK: the module loaded with fault_hook HOOK (enable=0).
sm_ensure() {
	[ "$CUR_HOOK" = "$1" ] && return 0
	sm_unload || return 1
	insmod "$SM_KO" fault_hook="$1" max_processes="$MAX_PROCS" || {
		say "insmod fault_hook=$1 failed"; dmesg | tail -n 5; return 1; }
	CUR_HOOK=$1
}

sm_set() { echo "$2" > "$SM_SYS/$1"; }

# cfg NAME: none (not loaded), off (loaded, enable=0), dry (enable=1
# dry_run=1), on (enable=1), kprobe (enable=1 with fault_hook=kprobe).
cfg() {
	case "$1" in
	none) sm_unload ;;
	off) sm_ensure tracepoint && sm_set enable 0 && sm_set dry_run 0 ;;
	dry) sm_ensure tracepoint && sm_set dry_run 1 && sm_set enable 1 ;;
	on) sm_ensure tracepoint && sm_set dry_run 0 && sm_set enable 1 ;;
	kprobe) sm_ensure kprobe && sm_set dry_run 0 && sm_set enable 1 ;;
	*) say "unknown config $1"; return 1 ;;
	esac
}

stat_of() {
	[ -n "$CUR_HOOK" ] || { echo 0; return; }
	awk -v n="$1" '$1 == n { print $2 }' "$SM_DBG/stats"
}
disk_sectors() { awk '{ print $3 }' /sys/block/vda/stat 2>/dev/null || echo 0; }

# rotate N WORDS...: the words rotated left by N.
rotate() {
	_n=$1; shift
	_i=0
	while [ "$_i" -lt $(($_n % $#)) ]; do
		set -- "$@" "$1"
		shift
		_i=$((_i + 1))
	done
	echo "$@"
}

NFAIL=0
# run SUITE CONFIG RUN [drop] -- PROGRAM ARGS...
run() {
	_s=$1 _c=$2 _r=$3
	shift 3
	_drop=0
	[ "$1" = drop ] && { _drop=1; shift; }
	[ "$1" = -- ] && shift
	if ! cfg "$_c"; then
		out "row,$_s,$_c,$_r,status,fail"
		NFAIL=$((NFAIL + 1))
		return 1
	fi
	if [ "$_drop" = 1 ]; then
		sync
		echo 3 > /proc/sys/vm/drop_caches
	fi
	_f0=$(stat_of faults)
	_m0=$(stat_of madvise_calls)
	_hs0=$(stat_of handler_samples)
	_hn0=$(stat_of handler_ns)
	_d0=$(disk_sectors)
	"$@" > /tmp/run.out 2>&1
	_rc=$?
	_d1=$(disk_sectors)
	_f1=$(stat_of faults)
	_m1=$(stat_of madvise_calls)
	_hs1=$(stat_of handler_samples)
	_hn1=$(stat_of handler_ns)
	if [ "$_rc" != 0 ] || [ "$(tail -n 1 /tmp/run.out)" != status=ok ]; then
		say "FAILED $_s $_c $_r (exit $_rc):"
		sed 's/^/    /' /tmp/run.out
		sed 's/^/# /' /tmp/run.out >&3
		out "row,$_s,$_c,$_r,status,fail"
		NFAIL=$((NFAIL + 1))
		return 1
	fi
	grep '^[a-z_]*=' /tmp/run.out | grep -v '^status=' | tr '=' ' ' |
	while read -r _k _v; do
		out "row,$_s,$_c,$_r,$_k,$_v"
	done
	out "row,$_s,$_c,$_r,mod_faults,$((_f1 - _f0))"
	out "row,$_s,$_c,$_r,mod_madvise_calls,$((_m1 - _m0))"
	out "row,$_s,$_c,$_r,disk_bytes,$(((_d1 - _d0) * 512))"
	# The module's own sampled handler timing (absent in older modules).
	if [ -n "$_hs1" ]; then
		out "row,$_s,$_c,$_r,mod_handler_samples,$((_hs1 - ${_hs0:-0}))"
		out "row,$_s,$_c,$_r,mod_handler_ns,$((_hn1 - ${_hn0:-0}))"
	fi
	out "row,$_s,$_c,$_r,status,ok"
}

# alternate SUITE "CONFIGS" [drop] -- PROGRAM ARGS...: warm-up round 0
# then RUNS rounds, every configuration once per round, order rotating.
alternate() {
	_suite=$1 _cfgs=$2
	shift 2
	say "suite $_suite: configs $_cfgs, $RUNS runs + warm-up"
	_round=0
	while [ "$_round" -le "$RUNS" ]; do
		for _cf in $(rotate "$_round" $_cfgs); do
			run "$_suite" "$_cf" "$_round" "$@"
		done
		_round=$((_round + 1))
	done
}

# The command of each benefit case: same binary, same file, same seed.
case_cmd() {
	case "$1" in
	seqscan_adv_random) echo sm_bench scan /mnt/seq.dat random seq seq ;;
	seqscan_adv_sequential) echo sm_bench scan /mnt/seq.dat sequential seq seq ;;
	randread_adv_sequential) echo sm_bench scan /mnt/rand.dat sequential rand rand "$RAND_READS" 12345 ;;
	randread_adv_random) echo sm_bench scan /mnt/rand.dat random rand rand "$RAND_READS" 12345 ;;
	esac
}

# alternate_cases "SUITE:CONFIG ...": like alternate, across suites, with
# the page cache dropped before every run.
alternate_cases() {
	say "cases $1: $RUNS runs + warm-up"
	_round=0
	while [ "$_round" -le "$RUNS" ]; do
		for _cs in $(rotate "$_round" $1); do
			# shellcheck disable=SC2046
			run "${_cs%%:*}" "${_cs#*:}" "$_round" drop -- $(case_cmd "${_cs%%:*}")
		done
		_round=$((_round + 1))
	done
}

# --- boot facts ---------------------------------------------------------
meta kernel "$(uname -r)"
meta scale "$SCALE"
meta runs "$RUNS"
meta cpus "$(grep -c ^processor /proc/cpuinfo)"
meta mem_kb "$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)"
meta thp "$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled)"
meta fault_around_bytes "$(cat /sys/kernel/debug/fault_around_bytes 2>/dev/null || echo ?)"
echo 65536 > /proc/sys/kernel/threads-max
echo 65536 > /proc/sys/kernel/pid_max 2>/dev/null || true
# No kernel messages on the console while timing (a printk under TCG is slow).
dmesg -n 1 2>/dev/null || true

cfg on || { out "row,load,on,0,status,fail"; out BENCH_DONE; exit 1; }
meta module_version "$(cat $SM_SYS/version)"
meta fault_hook_default "$(cat $SM_SYS/fault_hook)"
cfg none

# --- 1. cost --------------------------------------------------------------
COST_CFGS="none off dry on kprobe"
alternate storm_anon_1t "$COST_CFGS" -- sm_bench anon "$ANON_PAGES" "$ANON_ROUNDS" 1
alternate storm_anon_4t "none off dry on" -- sm_bench anon "$ANON_PAGES" "$ANON_ROUNDS" 4
sm_bench mkfile /tmp/refault.dat "$FILE_MIB" > /dev/null
alternate storm_file "$COST_CFGS" -- sm_bench file /tmp/refault.dat "$FILE_PASSES"
rm -f /tmp/refault.dat
alternate madvise_plain "none on" -- sm_bench madvise "$MADV_CALLS" none
alternate madvise_rewritten "none on" -- sm_bench madvise "$MADV_CALLS" seq

# --- 2. benefit: ext4 on a throttled virtio-blk disk ---------------------
if mount -t ext4 -o ro,noload /dev/vda /mnt; then
	meta read_ahead_kb "$(cat /sys/block/vda/queue/read_ahead_kb)"
	meta disk_bytes "$(($(cat /sys/block/vda/size) * 512))"
	meta seq_file_bytes "$(stat -c %s /mnt/seq.dat)"
	meta rand_file_bytes "$(stat -c %s /mnt/rand.dat)"
	# Mis-advised sequential scan (MADV_RANDOM), its best case and correct
	# twin (MADV_SEQUENTIAL), all four cases alternating in one loop.
	alternate_cases "seqscan_adv_random:off seqscan_adv_random:on seqscan_adv_sequential:off seqscan_adv_sequential:on"
	# Mis-advised random reads (MADV_SEQUENTIAL), best case MADV_RANDOM.
	alternate_cases "randread_adv_sequential:off randread_adv_sequential:on randread_adv_random:off randread_adv_random:on"
	umount /mnt
else
	say "cannot mount /dev/vda"
	out "row,seqscan_adv_random,off,0,status,fail"
fi
cfg none

# --- scale: storms with 1 .. 10,000 other tracked processes -------------
cfg on
SLEEPER_PIDS=""
have=0
for level in $SCALE_LEVELS; do
	add=$((level - have))
	cfg on	# the sleepers' faults must be seen to be tracked
	if [ "$add" -gt 0 ]; then
		sm_bench sleepers "$add" > /tmp/sleepers.$level 2>&1 &
		SLEEPER_PIDS="$SLEEPER_PIDS $!"
		n=0
		while ! grep -q '^READY' /tmp/sleepers.$level; do
			n=$((n + 1))
			if [ "$n" -gt 3000 ] || ! kill -0 $! 2>/dev/null; then
				say "sleepers for level $level did not start"
				cat /tmp/sleepers.$level
				out "row,scale_$level,on,0,status,fail"
				break 2
			fi
			sleep 0.2
		done
		have=$level
	fi
	cfg on
	n=0
	while [ "$(stat_of processes_tracked)" -lt "$level" ] && [ "$n" -lt 150 ]; do
		sleep 0.2
		n=$((n + 1))
	done
	tracked=$(stat_of processes_tracked)
	say "level $level: $tracked processes tracked"
	out "mem,$level,processes_tracked,$tracked"
	out "mem,$level,allocations_live,$(stat_of allocations_live)"
	out "mem,$level,faults_untracked,$(stat_of faults_untracked)"
	S=/sys/kernel/slab/sm_proc
	for k in object_size slab_size objs_per_slab order; do
		out "mem,$level,$k,$(cat $S/$k 2>/dev/null | awk '{ print $1 }')"
	done
	out "mem,$level,slab_objects,$(awk '{ print $1 }' $S/objects 2>/dev/null)"
	out "mem,$level,slab_slabs,$(awk '{ print $1 }' $S/slabs 2>/dev/null)"
	out "mem,$level,slab_aliases,$(cat $S/aliases 2>/dev/null)"
	out "mem,$level,meminfo_slab_kb,$(awk '/^Slab:/ { print $2 }' /proc/meminfo)"
	alternate "scale_$level" "off on" -- sm_bench anon "$ANON_PAGES" "$ANON_ROUNDS" 1
done
for p in $SLEEPER_PIDS; do
	kill -TERM "$p" 2>/dev/null
done
for p in $SLEEPER_PIDS; do
	wait "$p" 2>/dev/null
done
cfg none

if dmesg | grep -E 'WARNING:|BUG:|Oops|general protection' > /tmp/dmesg.bad; then
	say "kernel log shows problems"
	sed 's/^/# /' /tmp/dmesg.bad | head -n 20 >&3
	meta dmesg_clean no
else
	meta dmesg_clean yes
fi
meta failed_runs "$NFAIL"
out BENCH_DONE
sync

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash disable=SC1091
#
# Guest side of `make bench` (busybox sh, PID 1's child). Runs every suite
# in this one boot, alternating the configurations run by run (the order
# rotates each round so no configuration always runs first), and writes
# one CSV row per measurement to the result port (/dev/ttyS1):
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
OUT=${SM_RESULT_DEV:-/dev/ttyS1}
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

# sm_load NAME KO HOOK: the module file KO loaded with fault_hook HOOK
# (enable=0), remembered as NAME.
sm_load() {
	[ "$CUR_HOOK" = "$1" ] && return 0
	sm_unload || return 1
	insmod "$2" fault_hook="$3" max_processes="$MAX_PROCS" || {
		say "insmod $2 fault_hook=$3 failed"; dmesg | tail -n 5; return 1; }
	CUR_HOOK=$1
}
# sm_ensure HOOK: the module loaded with fault_hook HOOK (enable=0).
sm_ensure() { sm_load "$1" "$SM_KO" "$1"; }

sm_set() { echo "$2" > "$SM_SYS/$1"; }
# sm_late 0|1: late correction (per-mapping), where the module has it.
sm_late() { [ ! -e "$SM_SYS/late" ] || sm_set late "$1"; }

# cfg NAME: none (not loaded), off (loaded, enable=0), dry (enable=1
# dry_run=1), on (enable=1), kprobe (enable=1 with fault_hook=kprobe).
# All but kprobe use the hook fault_hook=auto picks for this machine.
cfg() {
	case "$1" in
	none) sm_unload ;;
	off) sm_ensure auto && sm_set enable 0 && sm_set dry_run 0 ;;
	dry) sm_ensure auto && sm_set dry_run 1 && sm_set enable 1 ;;
	on) sm_ensure auto && sm_set dry_run 0 && sm_late 1 && sm_set enable 1 ;;
	kprobe) sm_ensure kprobe && sm_set dry_run 0 && sm_set enable 1 ;;
	# A benchmark build that stops the fault path after stage N
	# (SM_COST_STOP, src/tracker.h), default hook, enabled.
	stage[1-5]) sm_load "$1" "/lib/modules/stages/smart_madvise-${1#stage}.ko" auto &&
		sm_set dry_run 0 && sm_late 1 && sm_set enable 1 ;;
	*) say "unknown config $1"; return 1 ;;
	esac
}

stat_of() {
	[ -n "$CUR_HOOK" ] || { echo 0; return; }
	awk -v n="$1" '$1 == n { print $2 }' "$SM_DBG/stats"
}
# stats_snap FILE: the module's stats now (empty when not loaded).
stats_snap() {
	if [ -n "$CUR_HOOK" ]; then cat "$SM_DBG/stats" > "$1"; else : > "$1"; fi
}
# stats_delta BEFORE AFTER: "mod_KEY DELTA" of the counters a run reports;
# faults and madvise_calls always (0 when not loaded), the others when the
# module has them (handler timing, late corrections).
stats_delta() {
	awk 'NR == FNR { b[$1] = $2; next } { a[$1] = $2 }
	END {
		n = split("faults madvise_calls handler_samples handler_ns late_corrections late_corrections_dry_run faults_repeat", k, " ")
		for (i = 1; i <= n; i++) {
			if (k[i] in a)
				printf "mod_%s %d\n", k[i], a[k[i]] - b[k[i]]
			else if (k[i] == "faults" || k[i] == "madvise_calls")
				printf "mod_%s 0\n", k[i]
		}
	}' "$1" "$2"
}
disk_sectors() { awk '{ print $3 }' /sys/block/vda/stat 2>/dev/null || echo 0; }

# rotate N WORDS...: the words rotated left by N.
rotate() {
	_n=$1; shift
	_i=0
	while [ "$_i" -lt $((_n % $#)) ]; do
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
	stats_snap /tmp/stats.0
	_d0=$(disk_sectors)
	"$@" > /tmp/run.out 2>&1
	_rc=$?
	_d1=$(disk_sectors)
	stats_snap /tmp/stats.1
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
	stats_delta /tmp/stats.0 /tmp/stats.1 | while read -r _k _v; do
		out "row,$_s,$_c,$_r,$_k,$_v"
	done
	out "row,$_s,$_c,$_r,disk_bytes,$(((_d1 - _d0) * 512))"
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
		# shellcheck disable=SC2086 # a list of words
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
	# Cold start: a fresh process advises before any fault (PRE none).
	cold_seqscan_adv_random) echo sm_bench scan /mnt/cold.dat random none seq ;;
	cold_seqscan_adv_sequential) echo sm_bench scan /mnt/cold.dat sequential none seq ;;
	cold_randread_adv_sequential) echo sm_bench scan /mnt/rand.dat sequential none rand "$COLD_READS" 777 ;;
	cold_randread_adv_random) echo sm_bench scan /mnt/rand.dat random none rand "$COLD_READS" 777 ;;
	cold_phase_adv_random) echo sm_bench scan /mnt/cold.dat random none randseq "$PHASE_READS" 999 ;;
	cold_phase_adv_normal) echo sm_bench scan /mnt/cold.dat normal none randseq "$PHASE_READS" 999 ;;
	# the program that gets it right: MADV_RANDOM, then MADV_NORMAL to scan
	cold_phase_readv_normal) echo sm_bench scan /mnt/cold.dat random,normal none randseq "$PHASE_READS" 999 ;;
	# fio's mmap engine, asked for the wrong hint (see tests/bench/README.md:
	# fio 3.33 ignores the value and advises by the job's pattern).
	fio_seqread_hint_random) echo sh /bench/fio.sh /mnt/cold.dat read random 0 ;;
	fio_randread_hint_sequential) echo sh /bench/fio.sh /mnt/rand.dat randread sequential "$COLD_READS" ;;
	fio_seqread_hint_none) echo sh /bench/fio.sh /mnt/cold.dat read 0 0 ;;
	esac
}

# alternate_cases "SUITE:CONFIG ...": like alternate, across suites, with
# the page cache dropped before every run.
alternate_cases() {
	say "cases $1: $RUNS runs + warm-up"
	_round=0
	while [ "$_round" -le "$RUNS" ]; do
		# shellcheck disable=SC2086 # a list of words
		for _cs in $(rotate "$_round" $1); do
			# shellcheck disable=SC2046
			run "${_cs%%:*}" "${_cs#*:}" "$_round" drop -- $(case_cmd "${_cs%%:*}")
		done
		_round=$((_round + 1))
	done
}

# part NAME: is NAME one of this boot's PARTS (cost workload scale |
# benefit cold fio)? run.sh boots the cost parts under -icount and the
# disk parts in a second boot on the wall clock.
part() {
	case " $PARTS " in *" $1 "*) return 0 ;; esac
	return 1
}

# --- boot facts ---------------------------------------------------------
meta kernel "$(uname -r)"
meta scale "$SCALE"
meta runs "$RUNS"
meta parts "$PARTS"
meta clock "$CLOCK"
meta cpus "$(grep -c ^processor /proc/cpuinfo)"
meta mem_kb "$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)"
meta thp "$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled)"
meta fault_around_bytes "$(cat /sys/kernel/debug/fault_around_bytes 2>/dev/null || echo ?)"
meta clocksource "$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"
meta cmdline "$(cat /proc/cmdline)"
meta cpu_erms "$(grep -qw erms /proc/cpuinfo && echo yes || echo no)"
echo 65536 > /proc/sys/kernel/threads-max
echo 65536 > /proc/sys/kernel/pid_max 2>/dev/null || true
# No kernel messages on the console while timing (a printk under TCG is slow).
dmesg -n 1 2>/dev/null || true

cfg on || { out "row,load,on,0,status,fail"; out BENCH_DONE; exit 1; }
meta module_version "$(cat $SM_SYS/version)"
meta fault_hook_default "$(cat $SM_SYS/fault_hook)"
meta late_support "$(cat $SM_SYS/late_support 2>/dev/null || echo 'absent (module without late correction)')"
cfg none

# --- 1. cost --------------------------------------------------------------
if part cost; then
	COST_CFGS="none off dry on kprobe"
	alternate storm_anon_1t "$COST_CFGS" -- sm_bench anon "$ANON_PAGES" "$ANON_ROUNDS" 1
	alternate storm_anon_4t "none off dry on" -- sm_bench anon "$ANON_PAGES" "$ANON_ROUNDS" 4
	sm_bench mkfile /tmp/refault.dat "$FILE_MIB" > /dev/null
	alternate storm_file "$COST_CFGS" -- sm_bench file /tmp/refault.dat "$FILE_PASSES"
	rm -f /tmp/refault.dat
	alternate madvise_plain "none on" -- sm_bench madvise "$MADV_CALLS" none
	alternate madvise_rewritten "none on" -- sm_bench madvise "$MADV_CALLS" seq
fi

# --- 1a. where the fault path's instructions go (run.sh --stages) -------
if part stages; then
	STAGE_CFGS="none stage1 stage2 stage3 stage4 stage5 on"
	alternate stages_anon "$STAGE_CFGS" -- sm_bench anon "$ANON_PAGES" "$ANON_ROUNDS" 1
	sm_bench mkfile /tmp/refault.dat "$FILE_MIB" > /dev/null
	alternate stages_file "$STAGE_CFGS" -- sm_bench file /tmp/refault.dat "$FILE_PASSES"
	# the madvise kprobe alone (stage 1 returns at once) and the full handler
	alternate stages_madvise "none stage1 on" -- sm_bench madvise "$MADV_CALLS" none
	rm -f /tmp/refault.dat
	cfg none
fi

# --- 1b. a real multi-process workload: fork, exec, file reads ----------
if part workload; then
	sm_bench mktree /tmp/tree "$TREE_FILES" "$TREE_KIB" > /dev/null
	# busybox tar | gzip | sha256sum of the tree, then sha256sum and cat
	# of its files through find | xargs: about 60 fork+exec in all.
	WORKLOAD="cd /tmp && tar cf - tree | gzip -1 | sha256sum > /dev/null && find tree -type f | xargs -n 8 sha256sum > /dev/null && find tree -type f | xargs -n 32 cat | wc -c > /dev/null"
	meta workload "$WORKLOAD"
	alternate workload_tar "none off on" -- sm_bench cmd "$WORKLOAD"
	rm -rf /tmp/tree
fi

# --- 2. benefit: ext4 on a throttled virtio-blk disk ---------------------
if part benefit || part cold || part fio; then
	if mount -t ext4 -o ro,noload /dev/vda /mnt; then
		meta read_ahead_kb "$(cat /sys/block/vda/queue/read_ahead_kb)"
		meta disk_bytes "$(($(cat /sys/block/vda/size) * 512))"
		meta seq_file_bytes "$(stat -c %s /mnt/seq.dat)"
		meta rand_file_bytes "$(stat -c %s /mnt/rand.dat)"
		meta cold_file_bytes "$(stat -c %s /mnt/cold.dat 2>/dev/null || echo 0)"
		if part benefit; then
			# Mis-advised sequential scan (MADV_RANDOM), its best case and
			# correct twin (MADV_SEQUENTIAL), all four cases alternating.
			alternate_cases "seqscan_adv_random:off seqscan_adv_random:on seqscan_adv_sequential:off seqscan_adv_sequential:on"
			# Mis-advised random reads (MADV_SEQUENTIAL), best case MADV_RANDOM.
			alternate_cases "randread_adv_sequential:off randread_adv_sequential:on randread_adv_random:off randread_adv_random:on"
		fi
		if part cold; then
			# Cold start: advice before any fault, corrected late (per mapping).
			alternate_cases "cold_seqscan_adv_random:off cold_seqscan_adv_random:on cold_seqscan_adv_sequential:off cold_seqscan_adv_sequential:on"
			alternate_cases "cold_randread_adv_sequential:off cold_randread_adv_sequential:on cold_randread_adv_random:off cold_randread_adv_random:on"
			alternate_cases "cold_phase_adv_random:off cold_phase_adv_random:on cold_phase_readv_normal:off cold_phase_adv_normal:off cold_phase_adv_normal:on"
		fi
		if part fio; then
			meta fio_version "$(fio --version 2>/dev/null || echo none)"
			alternate_cases "fio_seqread_hint_random:off fio_seqread_hint_random:on fio_seqread_hint_none:off fio_seqread_hint_none:on"
			alternate_cases "fio_randread_hint_sequential:off fio_randread_hint_sequential:on"
		fi
		umount /mnt
	else
		say "cannot mount /dev/vda"
		out "row,seqscan_adv_random,off,0,status,fail"
	fi
	cfg none
fi

# --- scale: storms with 1 .. 10,000 other tracked processes -------------
if part scale; then
	cfg on
	SLEEPER_PIDS=""
	have=0
	for level in $SCALE_LEVELS; do
		add=$((level - have))
		cfg on	# the sleepers' faults must be seen to be tracked
		if [ "$add" -gt 0 ]; then
			sm_bench sleepers "$add" > "/tmp/sleepers.$level" 2>&1 &
			SLEEPER_PIDS="$SLEEPER_PIDS $!"
			n=0
			while ! grep -q '^READY' "/tmp/sleepers.$level" 2>/dev/null; do
				n=$((n + 1))
				if [ "$n" -gt 3000 ] || ! kill -0 $! 2>/dev/null; then
					say "sleepers for level $level did not start"
					cat "/tmp/sleepers.$level"
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
		# every slab cache of the module (per-mapping state may have its own)
		for c in /sys/kernel/slab/sm_*; do
			[ -d "$c" ] || continue
			out "mem,$level,cache_${c##*/},$(cat "$c/slab_size") $(cat "$c/object_size") $(awk '{ print $1 }' "$c/objects")"
		done
		alternate "scale_$level" "off on" -- sm_bench anon "$ANON_PAGES" "$ANON_ROUNDS" 1
	done
	for p in $SLEEPER_PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $SLEEPER_PIDS; do
		wait "$p" 2>/dev/null
	done
	cfg none
fi

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

#!/bin/sh
# shellcheck disable=SC2034
# SPDX-License-Identifier: GPL-2.0
# Helpers for guest test cases (busybox sh). Source with: . /tests/lib.sh
# Cases exit 0 (pass), 1 (fail) or 4 (skip) and print diagnostics as "# ...".

SM_KO=${SM_KO:-/lib/modules/smart_madvise.ko}
SM_SYS=/sys/kernel/smart_madvise
SM_DBG=/sys/kernel/debug/smart_madvise
KPROBES_LIST=/sys/kernel/debug/kprobes/list
# functions with an ftrace callback attached (kprobes on ftrace included)
FTRACE_LIST=/sys/kernel/debug/tracing/enabled_functions

# The module's probe points armed now, one line each: its kprobes
# ("kprobe LINE" of the kprobe list) and the functions an ftrace callback
# watches ("ftrace LINE" of enabled_functions, which also lists the
# kprobes that ride on ftrace).
sm_hooked() {
	grep -E '(do_madvise|vector_madvise|exit_mmap|handle_mm_fault|sys_madvise)' \
		"$KPROBES_LIST" | sed 's/^/kprobe /'
	grep -E '^(do_madvise|handle_mm_fault) ' "$FTRACE_LIST" | sed 's/^/ftrace /'
}
# shellcheck disable=SC1091
[ -f /etc/harness.conf ] && . /etc/harness.conf
SM_SCALE=${SM_SCALE:-check}

SM_FAILS=0

log() { echo "# $*"; }
fail() { echo "# FAIL: $*"; SM_FAILS=$((SM_FAILS + 1)); }
pass() { echo "# ok: $*"; }
skip() { echo "# SKIP: $*"; exit 4; }
# End a case: exit 1 if any check failed.
finish() {
	if [ "$SM_FAILS" -ne 0 ]; then
		log "$SM_FAILS check(s) failed"
		exit 1
	fi
	exit 0
}

# expect_eq WHAT GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1 = '$2'"; else fail "$1: got '$2', want '$3'"; fi
}
# expect_ge WHAT GOT MIN ; expect_le WHAT GOT MAX (integers)
expect_ge() {
	if [ "$2" -ge "$3" ] 2>/dev/null; then pass "$1 = $2 >= $3"; else fail "$1: got '$2', want >= $3"; fi
}
expect_le() {
	if [ "$2" -le "$3" ] 2>/dev/null; then pass "$1 = $2 <= $3"; else fail "$1: got '$2', want <= $3"; fi
}
# expect_match WHAT STRING EXTENDED-REGEX
expect_match() {
	if echo "$2" | grep -Eq "$3"; then pass "$1 matches /$3/"; else fail "$1: '$2' does not match /$3/"; fi
}

sm_loaded() { grep -q '^smart_madvise ' /proc/modules; }

# Whether fault_hook=ftrace works: ftrace must save registers, which
# x86 does and arm64 did up to 6.1 (6.2 moved it to ftrace_regs).
sm_ftrace_hook_supported() {
	[ "$(uname -m)" = x86_64 ] && return 0
	_v=$(uname -r)
	_maj=${_v%%.*}
	_min=${_v#*.}
	_min=${_min%%.*}
	[ "$_maj" -lt 6 ] || { [ "$_maj" = 6 ] && [ "$_min" -lt 2 ]; }
}

# The fault hook fault_hook=auto must pick: x86's exceptions:page_fault_user
# tracepoint; elsewhere an ftrace callback on handle_mm_fault where ftrace
# can serve it, else the kprobe there.
sm_auto_fault_hook() {
	if [ "$(uname -m)" = x86_64 ]; then
		echo tracepoint
	elif sm_ftrace_hook_supported; then
		echo ftrace
	else
		echo kprobe
	fi
}

# sm_load [param=value ...]: insmod, fail the case if it does not load.
sm_load() {
	if ! insmod "$SM_KO" "$@"; then
		log "insmod $SM_KO $* failed; dmesg tail:"
		dmesg | tail -n 5 | sed 's/^/#   /'
		return 1
	fi
	[ -d "$SM_SYS" ] || { log "no $SM_SYS after insmod"; return 1; }
}
# Load or give up on the whole case (exit 1).
# shellcheck disable=SC2120 # the parameters are optional
sm_load_or_die() { sm_load "$@" || { fail "module did not load"; finish; }; }
# sm_load_refused PARAM: insmod with PARAM must fail and leave nothing loaded.
sm_load_refused() {
	if insmod "$SM_KO" "$1" 2>/dev/null; then
		fail "insmod '$1' loaded"
		sm_unload
		return 1
	fi
	if sm_loaded || [ -d "$SM_SYS" ]; then
		fail "insmod '$1' failed but left the module loaded"
		sm_unload
		return 1
	fi
}
sm_unload() { sm_loaded || return 0; rmmod smart_madvise; }

# Load the kernel modules the harness packed (/lib/modules/extra, in
# dependency order); built-in or already loaded ones are fine.
sm_kmods_load() {
	[ -f /lib/modules/extra/load-order ] || return 0
	while read -r _m; do
		insmod "/lib/modules/extra/$_m" 2>/dev/null || true
	done < /lib/modules/extra/load-order
}

sm_get() { cat "$SM_SYS/$1"; }
# sm_getv VAR NAME: read a tunable into VAR without forking (busybox read).
sm_getv() { read -r "$1" < "$SM_SYS/$2"; }
# sm_set NAME VALUE: write, return non-zero if the write failed.
sm_set() { echo "$2" > "$SM_SYS/$1"; }
sm_set_or_fail() {
	sm_set "$1" "$2" 2>/dev/null || fail "write $2 to $1 failed"
	expect_eq "$1 after write" "$(sm_get "$1")" "$2"
}

# sm_stat NAME: one value from debugfs stats (empty if missing).
sm_stat() { awk -v n="$1" '$1 == n { print $2 }' "$SM_DBG/stats"; }
# sm_proc PID: the processes line for PID (empty if not tracked).
sm_proc() { awk -v p="$1" 'NR > 1 && $1 == p' "$SM_DBG/processes"; }
# sm_proc_field PID N: field N of that line (1=pid 2=comm 3=faults 4=seq
# 5=random 6=verdict 7=rewrites 8=late).
sm_proc_field() { sm_proc "$1" | awk -v f="$2" '{ print $f }'; }
sm_seqpf() { awk -v p="$1" '$1 == p { print $2 }' "$SM_DBG/seq_page_faults"; }
# sm_rewrites_for PID: the rewrite log lines of PID.
sm_rewrites_for() { awk -v p="$1" 'NR > 1 && $2 == p' "$SM_DBG/rewrites"; }

# sm_maps_for PID: the mappings lines of PID ("pid start length advice
# faults seq_permille verdict corrections").
sm_maps_for() { awk -v p="$1" 'NR > 1 && $1 == p' "$SM_DBG/mappings"; }
# sm_map PID START: the mappings line of the range of PID that starts at START.
sm_map() { sm_maps_for "$1" | awk -v s="$2" '$2 == s'; }
# sm_late_for PID [MODE]: the rewrite log lines of PID with mode MODE
# (default late: the late corrections).
sm_late_for() { sm_rewrites_for "$1" | awk -v m="${2:-late}" '$9 == m'; }

# expect_late LABEL PID START LENGTH ASKED APPLIED [MODE]: the rewrite log
# has exactly one line of mode MODE (default late) for PID's range START,
# of that LENGTH, from advice ASKED to APPLIED, whose seq_permille agrees
# with APPLIED (>= threshold for sequential, <= 100 - threshold for random).
expect_late() {
	_lbl=$1 _pid=$2 _st=$3 _len=$4 _ask=$5 _app=$6 _mode=${7:-late}
	_l=$(sm_late_for "$_pid" "$_mode" | awk -v s="$_st" '$4 == s')
	_n=$(printf '%s' "$_l" | grep -c .)
	expect_eq "$_lbl: $_mode lines in rewrites for the range" "$_n" 1
	if [ "$_n" != 1 ]; then show "$SM_DBG/rewrites"; return; fi
	log "$_lbl: rewrites: $_l"
	# shellcheck disable=SC2086 # split the log line into its fields
	set -- $_l
	expect_eq "$_lbl: $_mode line length" "$5" "$_len"
	expect_eq "$_lbl: $_mode line asked" "$6" "$_ask"
	expect_eq "$_lbl: $_mode line applied" "$7" "$_app"
	_thr=$(sm_get threshold)
	if [ "$_app" = sequential ]; then
		expect_ge "$_lbl: $_mode line seq_permille" "$8" $((_thr * 10))
	else
		expect_le "$_lbl: $_mode line seq_permille" "$8" $(((100 - _thr) * 10))
	fi
}
# expect_map LABEL PID START LENGTH ADVICE CORRECTIONS: the mappings line of
# PID's range START has that LENGTH, current ADVICE and CORRECTIONS, and
# counted faults.
expect_map() {
	_lbl=$1
	_l=$(sm_map "$2" "$3")
	log "$_lbl: mappings: ${_l:-none}"
	if [ -z "$_l" ]; then
		fail "$_lbl: no mappings line for pid $2 range $3"
		show "$SM_DBG/mappings"
		return
	fi
	_len=$4 _adv=$5 _cor=$6
	# shellcheck disable=SC2086 # split the line into its fields
	set -- $_l
	expect_eq "$_lbl: mappings fields" "$#" 8
	expect_eq "$_lbl: mappings length" "$3" "$_len"
	expect_eq "$_lbl: mappings advice" "$4" "$_adv"
	expect_ge "$_lbl: mappings faults" "$5" 1
	expect_eq "$_lbl: mappings corrections" "$8" "$_cor"
}

# The VmFlags access-pattern flag of an advice (random, sequential).
sm_advice_flag() { case "$1" in random) echo rr ;; sequential) echo sr ;; *) echo none ;; esac; }

# expect_corrected LABEL OUT I ASKED APPLIED ACCESSES PHASE: mapping I of
# the sm_access run whose output is OUT (pid BG_PID, still alive) was
# advised ASKED, and the module corrected it late to APPLIED while it was
# in use: VmFlags showed ASKED's flag after the madvise and APPLIED's by
# 3/4 of its ACCESSES accesses and at the end of phase PHASE; one late
# line in rewrites, and its mappings line says APPLIED, corrections 1.
expect_corrected() {
	_o=$2 _i=$3 _to=$5 _acc=$6 _ph=$7
	_r=$(kv "$_o" "m$_i.region") _ln=$(kv "$_o" "m$_i.length")
	log "$1: pid $BG_PID range $_r +$_ln: VmFlags $(kv "$_o" "m$_i.vmflags"), changed to $(kv "$_o" "m$_i.changed_to") at access $(kv "$_o" "m$_i.changed_at")"
	expect_eq "$1: VmFlags after madvise(${4})" "$(kv "$_o" "m$_i.flag_start")" "$(sm_advice_flag "$4")"
	expect_eq "$1: VmFlags changed to" "$(kv "$_o" "m$_i.changed_to")" "$(sm_advice_flag "$_to")"
	expect_ge "$1: changed after access" "$(kv "$_o" "m$_i.changed_at")" 1
	expect_le "$1: changed by access (3/4 of them)" "$(kv "$_o" "m$_i.changed_at")" $((_acc * 3 / 4))
	expect_eq "$1: VmFlags at the end of phase $_ph" "$(kv "$_o" "m$_i.flag_p$_ph")" "$(sm_advice_flag "$_to")"
	expect_late "$1" "$BG_PID" "$_r" "$_ln" "$4" "$_to"
	expect_map "$1" "$BG_PID" "$_r" "$_ln" "$_to" 1
}
# expect_uncorrected LABEL OUT I ADVICE: mapping I (as above) kept its
# ADVICE: VmFlags never changed (at any checkpoint), no late line, and
# mappings says ADVICE, corrections 0.
expect_uncorrected() {
	_o=$2 _i=$3
	_r=$(kv "$_o" "m$_i.region") _ln=$(kv "$_o" "m$_i.length")
	log "$1: pid $BG_PID range $_r +$_ln: VmFlags $(kv "$_o" "m$_i.vmflags")"
	expect_eq "$1: VmFlags after madvise($4)" "$(kv "$_o" "m$_i.flag_start")" "$(sm_advice_flag "$4")"
	expect_eq "$1: VmFlags changed at access (0: never)" "$(kv "$_o" "m$_i.changed_at")" 0
	expect_match "$1: VmFlags now" "$(kv "$_o" "m$_i.vmflags")" "(^| )$(sm_advice_flag "$4")( |\$)"
	_l=$(sm_late_for "$BG_PID" | awk -v s="$_r" '$4 == s')
	expect_eq "$1: late lines in rewrites for the range" "$(printf '%s' "$_l" | grep -c .)" 0
	[ -z "$_l" ] || printf '%s\n' "$_l" | sed 's/^/#   rewrites: /'
	expect_map "$1" "$BG_PID" "$_r" "$_ln" "$4" 0
}

# sm_embed FORMAT NAME FILE: copy FILE (FORMAT: JSON, JSONL or PROM) into
# the TAP stream, for the host to check with the reference parsers as block
# NAME (tests/tools/guest-formats.py, which fails when one is missing).
sm_embed() {
	echo "$1-BEGIN $2 $(uname -r)"
	sed "s/^/$1| /" "$3"
	echo "$1-END"
}

# kv FILE KEY: value of "KEY=value" in a program's output.
kv() { sed -n "s/^$2=//p" "$1" | tail -n 1; }

# Start a program in the background with its output in FILE and wait (bounded)
# until it printed READY (it then sleeps in pause() until killed).
# Usage: bg_ready FILE prog args... ; the pid is in $BG_PID.
bg_ready() {
	_out=$1; shift
	# Emptied here: the background job's own redirection may come after
	# the first look for READY, which would find a previous run's.
	: > "$_out"
	"$@" > "$_out" 2>&1 &
	BG_PID=$!
	_n=0
	while ! grep -q '^READY' "$_out" 2>/dev/null; do
		if ! kill -0 "$BG_PID" 2>/dev/null; then
			log "$1 exited early:"; sed 's/^/#   /' "$_out"; return 1
		fi
		_n=$((_n + 1))
		[ "$_n" -gt 1200 ] && { log "$1 never got READY"; return 1; }
		sleep 0.1
	done
}
bg_stop() { kill "$BG_PID" 2>/dev/null; wait "$BG_PID" 2>/dev/null; return 0; }
# bg_start FILE prog args...: start a program in the background with its
# output in FILE, pid in $BG_PID, without waiting (see bg_wait_line).
bg_start() { _out=$1; shift; : > "$_out"; "$@" > "$_out" 2>&1 & BG_PID=$!; }
# bg_wait_line REGEX [SECONDS]: wait (bounded, default 60 s) until the
# program of bg_start or bg_ready printed a line matching REGEX (e.g.
# sm_access -P's "PAUSED phase=1"); fail if it exits or times out.
bg_wait_line() {
	_n=$((${2:-60} * 10))
	while ! grep -Eq "$1" "$_out" 2>/dev/null; do
		if ! kill -0 "$BG_PID" 2>/dev/null; then
			log "program exited before '$1':"; sed 's/^/#   /' "$_out"; return 1
		fi
		_n=$((_n - 1))
		[ "$_n" -le 0 ] && { log "no '$1' after ${2:-60} s"; return 1; }
		sleep 0.1
	done
}

# wait_until SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
wait_until() {
	_t=$(($1 * 5)); shift
	while ! "$@"; do
		_t=$((_t - 1))
		[ "$_t" -le 0 ] && return 1
		sleep 0.2
	done
}

# Show a file to the log, indented.
show() { log "$1:"; sed 's/^/#   /' "$1"; }

# The test disk (cases with "# needs: disk"; tests/vm/disk.list): ext4 on
# the harness's throttled read-only virtio-blk drive, or, on a kernel
# without virtio-blk (SM_DISK=loop), the same files made on ext4 on a loop
# device. Mounted once per boot at $SM_DISK_DIR. sm_disk returns non-zero
# when there is none.
SM_DISK_DIR=/mnt/disk
sm_disk() {
	grep -q " $SM_DISK_DIR " /proc/mounts && return 0
	mkdir -p "$SM_DISK_DIR"
	sm_kmods_load
	case "${SM_DISK:-}" in
	virtio)
		_n=0
		while [ ! -b /dev/vda ] && [ "$_n" -lt 100 ]; do sleep 0.1; _n=$((_n + 1)); done
		[ -b /dev/vda ] || { log "no /dev/vda (virtio-blk)"; return 1; }
		mount -t ext4 -o ro /dev/vda "$SM_DISK_DIR" || { log "mount /dev/vda"; return 1; }
		;;
	loop)
		_mib=0
		while read -r _name _m _; do
			case "$_name" in ''|'#'*) continue ;; esac
			_mib=$((_mib + _m))
		done < /tests/disk.list
		if ! { dd if=/dev/zero of=/tmp/disk.img bs=1M count=$((_mib + _mib / 4 + 16)) 2>/dev/null &&
		       mke2fs -q -F -L smtest /tmp/disk.img > /dev/null 2>&1 &&
		       _dev=$(losetup -f) && losetup "$_dev" /tmp/disk.img &&
		       mount -t ext4 "$_dev" "$SM_DISK_DIR"; }; then
			log "no ext4 on a loop device"
			return 1
		fi
		while read -r _name _m _; do
			case "$_name" in ''|'#'*) continue ;; esac
			head -c $((_m << 20)) /dev/zero | tr '\0' '\132' > "$SM_DISK_DIR/$_name" ||
				{ log "cannot write $_name"; return 1; }
		done < /tests/disk.list
		sync
		;;
	*) log "the harness attached no test disk (the case needs '# needs: disk')"; return 1 ;;
	esac
	log "test disk ($SM_DISK): $(grep " $SM_DISK_DIR " /proc/mounts)"
}
sm_disk_or_die() { sm_disk || { fail "no test disk"; finish; }; }
# Drop the page cache: the next reads of the disk's files go to the disk.
sm_drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }

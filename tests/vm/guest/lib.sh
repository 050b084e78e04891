#!/bin/sh
# shellcheck disable=SC2034
# SPDX-License-Identifier: GPL-2.0
# Helpers for guest test cases (busybox sh). Source with: . /tests/lib.sh
# Cases exit 0 (pass), 1 (fail) or 4 (skip) and print diagnostics as "# ...".

SM_KO=${SM_KO:-/lib/modules/smart_madvise.ko}
SM_SYS=/sys/kernel/smart_madvise
SM_DBG=/sys/kernel/debug/smart_madvise
KPROBES_LIST=/sys/kernel/debug/kprobes/list
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

# The fault hook fault_hook=auto must pick: x86's exceptions:page_fault_user
# tracepoint; arm64 has no such tracepoint, so the kprobe on handle_mm_fault.
sm_auto_fault_hook() {
	case "$(uname -m)" in
	x86_64) echo tracepoint ;;
	*) echo kprobe ;;
	esac
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
# 5=random 6=verdict 7=rewrites).
sm_proc_field() { sm_proc "$1" | awk -v f="$2" '{ print $f }'; }
sm_seqpf() { awk -v p="$1" '$1 == p { print $2 }' "$SM_DBG/seq_page_faults"; }
# sm_rewrites_for PID: the rewrite log lines of PID.
sm_rewrites_for() { awk -v p="$1" 'NR > 1 && $2 == p' "$SM_DBG/rewrites"; }

# kv FILE KEY: value of "KEY=value" in a program's output.
kv() { sed -n "s/^$2=//p" "$1" | tail -n 1; }

# Start a program in the background with its output in FILE and wait (bounded)
# until it printed READY (it then sleeps in pause() until killed).
# Usage: bg_ready FILE prog args... ; the pid is in $BG_PID.
bg_ready() {
	_out=$1; shift
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

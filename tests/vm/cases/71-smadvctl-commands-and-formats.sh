#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# smadvctl works against the real module: status, top -n 1, events
# (and -f), get/set with good and bad input (exit codes, messages, value
# unchanged), enable/disable. The --json and metrics outputs are copied
# to the TAP stream (sm_embed) for the host to check with Python's json and
# prometheus_client: tests/tools/guest-formats.py.
# shellcheck source=tests/vm/guest/lib.sh
. /tests/lib.sh

command -v smadvctl > /dev/null || { fail "smadvctl is not in the guest"; finish; }

# sc WANT_RC ARGS...: run smadvctl, output in /tmp/sc.out and /tmp/sc.err
sc() {
	_want=$1
	shift
	smadvctl "$@" > /tmp/sc.out 2> /tmp/sc.err
	_rc=$?
	_what=$(printf '%.60s' "smadvctl $*")
	if [ "$_rc" = "$_want" ]; then
		pass "$_what -> exit $_rc"
	else
		fail "$_what: exit $_rc, wanted $_want"
		sed 's/^/#   out: /' /tmp/sc.out | head -n 10
		sed 's/^/#   err: /' /tmp/sc.err | head -n 10
	fi
}
# in FILE EREGEX WHAT
in_file() {
	if tr '\n' ' ' < "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3: /$2/ not in $1:"
		sed 's/^/#   /' "$1" | head -n 15
	fi
}

# ends_nl FILE WHAT: FILE ends with a newline, as the exposition format
# wants; the host's copy of it (sm_embed) cannot show a missing one
ends_nl() {
	if [ -s "$1" ] && [ -z "$(tail -c 1 "$1")" ]; then
		pass "$2: ends with a newline"
	else
		fail "$2: empty, or no newline at the end"
	fi
}

sm_load_or_die
VER=$(sm_get version)

# --- status --------------------------------------------------------------
sc 0 status
in_file /tmp/sc.out "smart_madvise $VER loaded" "status names the version"
in_file /tmp/sc.out "window_size +$(sm_get window_size) +\\(8\\.\\.512" "status shows window_size"
in_file /tmp/sc.out "faults_sequential +[0-9]+" "status shows the stats"
sc 0 status --json
sm_embed JSON status /tmp/sc.out
in_file /tmp/sc.out "\"loaded\":true,\"version\":\"$VER\"" "status --json: loaded and version"

# --- get / set -------------------------------------------------------------
for n in enable dry_run window_size threshold max_gap_pages max_processes version fault_hook madvise_hook; do
	[ -e "$SM_SYS/$n" ] || continue
	sc 0 get "$n"
	expect_eq "get $n" "$(cat /tmp/sc.out)" "$(sm_get "$n")"
done
sc 0 set window_size 128
expect_eq "window_size after set" "$(sm_get window_size)" 128
sc 0 set threshold 80
expect_eq "threshold after set" "$(sm_get threshold)" 80
sc 0 set threshold 75

# bad values: refused with the kernel's errno in words, value unchanged
bad_set() {	# bad_set NAME VALUE ERRNO-WORD
	_old=$(sm_get "$1")
	_v=$(printf '%.24s' "$2")
	sc 1 set "$1" "$2"
	in_file /tmp/sc.err "$3" "set $1 '$_v': message names $3"
	in_file /tmp/sc.err "$1 is unchanged: $_old" "set $1 '$_v': says unchanged"
	expect_eq "$1 after refused '$_v'" "$(sm_get "$1")" "$_old"
}
bad_set window_size abc "malformed \\(EINVAL\\)"
bad_set window_size "" "EINVAL"
bad_set window_size -5 "EINVAL"
bad_set window_size +5 "EINVAL"
bad_set window_size " 64" "EINVAL"
bad_set window_size "64 " "EINVAL"
bad_set window_size 64x "EINVAL"
bad_set window_size 4 "out of range \\(ERANGE\\).*allowed: 8\\.\\.512"
bad_set window_size 513 "ERANGE"
bad_set threshold 50 "allowed: 51\\.\\.100"
bad_set enable 2 "allowed: 0\\.\\.1"
bad_set max_gap_pages 99999999999999999999999 "ERANGE"
bad_set dry_run "$(printf '%05000d' 1)" "too long \\(E2BIG\\)"
sc 2 set bogus 1
in_file /tmp/sc.err "unknown tunable 'bogus'" "set unknown name: message"
sc 2 get bogus
sc 2 set version 9.9.9
in_file /tmp/sc.err "read-only" "set version: read-only"
expect_eq "version unchanged" "$(sm_get version)" "$VER"

# --- enable / disable --------------------------------------------------------
sc 0 disable
expect_eq "enable after disable" "$(sm_get enable)" 0
sc 0 enable
expect_eq "enable after enable" "$(sm_get enable)" 1

# --- activity: a sequential process rewritten, kept alive -------------------
bg_ready /tmp/hold.out smadv_trigger seq 512 hold || fail "smadv_trigger hold"
P=$BG_PID
log "held process $P: $(sm_proc "$P")"

sc 0 top -n 1
in_file /tmp/sc.out "PID +COMM +FAULTS" "top: header"
in_file /tmp/sc.out " $P +smadv_trigger +[0-9]+ .* sequential +1 " "top: the held process, sequential, 1 rewrite"
if grep -q "$(printf '\033')" /tmp/sc.out; then fail "top on a pipe printed escape sequences"; fi
sc 0 top -n 2 -d 0.2
expect_eq "top -n 2: two snapshots" "$(grep -c '^ *PID ' /tmp/sc.out)" 2
sc 0 top --json -n 1
sm_embed JSONL top /tmp/sc.out
in_file /tmp/sc.out "\"pid\":$P,\"comm\":\"smadv_trigger\"" "top --json: the held process"

sc 0 events
in_file /tmp/sc.out " $P +smadv_trigger +0x[0-9a-f]+-0x[0-9a-f]+ +random +-> +sequential .* applied" \
	"events: the rewrite of the held process"
sc 0 events --json
sm_embed JSON events /tmp/sc.out
in_file /tmp/sc.out "\"pid\":$P,\"comm\":\"smadv_trigger\",\"start\":[0-9]+,\"length\":262144,\"asked\":\"random\",\"applied\":\"sequential\"" \
	"events --json: the rewrite"
sc 0 events -n 1
expect_eq "events -n 1: header and one entry" "$(wc -l < /tmp/sc.out)" 2

# events -f prints an entry that appears while it follows
smadvctl events -f -d 0.2 > /tmp/follow.out 2>&1 &
F=$!
sleep 1
smadv_trigger seq 512 > /tmp/t2.out 2>&1
P2=$(kv /tmp/t2.out pid)
sleep 1
kill "$F"
wait "$F" 2> /dev/null
expect_eq "events -f: the new rewrite, once" "$(grep -c " $P2 smadv_trigger" /tmp/follow.out)" 1

# --- metrics ------------------------------------------------------------------
sc 0 metrics
cp /tmp/sc.out /tmp/metrics.prom
ends_nl /tmp/metrics.prom metrics
faults=$(sm_proc_field "$P" 3)
in_file /tmp/metrics.prom "smart_madvise_faults_total\\{pid=\"$P\",comm=\"smadv_trigger\"\\} $faults " \
	"metrics: per-process faults agree with debugfs ($faults)"
in_file /tmp/metrics.prom "smart_madvise_rewrites_total\\{pid=\"$P\",comm=\"smadv_trigger\"\\} 1 " \
	"metrics: per-process rewrites"
in_file /tmp/metrics.prom "smart_madvise_verdict\\{pid=\"$P\",comm=\"smadv_trigger\",verdict=\"sequential\"\\} 1 " \
	"metrics: verdict state set"
in_file /tmp/metrics.prom "# TYPE smart_madvise_all_faults_total counter" "metrics: global counter"
in_file /tmp/metrics.prom "smart_madvise_window_size 128 " "metrics: tunable gauge"
in_file /tmp/metrics.prom "smart_madvise_info\\{version=\"$VER\"" "metrics: info"
sm_embed PROM metrics /tmp/metrics.prom
sc 0 metrics -o /tmp/node.prom
ends_nl /tmp/node.prom "metrics -o"
sm_embed PROM metrics-o /tmp/node.prom

bg_stop
sm_set window_size 64
sm_unload
finish

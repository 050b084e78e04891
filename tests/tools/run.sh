#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side tests of tools/: no kernel module needed.
#  - tools/ builds with no compiler warning (dynamic and -static);
#  - smadvctl(8) renders without warnings (man --warnings -l);
#  - the bash completion completes commands and tunable names;
#  - smadvctl against a fake sysfs/debugfs tree (SMADVCTL_SYSFS_DIR,
#    SMADVCTL_DEBUGFS_DIR): status, top, events, get/set, --json and metrics
#    checked by tests/tools/guest-formats.py (Python's json and
#    prometheus_client, as for the guests' outputs) and their values by
#    Python; the checker itself refuses broken outputs and expositions;
#  - late correction: the late/late_support tunables, late columns and modes
#    in top/events, smadvctl mappings (text, --json), the new metrics;
#  - error paths: not loaded, version mismatch, format mismatch (each
#    malformed variant of processes, rewrites and mappings), not root,
#    unknown and read-only names.
# Prints TAP and ends with "N passed, N failed[, N skipped]".
set -uo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/smadv-tools-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
PY=/usr/bin/python3
GF=$REPO/tests/tools/guest-formats.py
# shellcheck source=../lib/tap.sh
. "$REPO/tests/lib/tap.sh"
# shellcheck source=../lib/apt.sh
. "$REPO/tests/lib/apt.sh"

# check NAME CMD...: pass when CMD succeeds; its output is shown on failure.
check() {
	local name=$1
	shift
	if "$@" > "$WORK/chk" 2>&1; then ktap_test_pass "$name"; else ktap_test_fail "$name" "$WORK/chk"; fi
}

# --- dependencies (make check installs what it needs) ---------------------
need_pkgs=()
command -v man > /dev/null || need_pkgs+=(man-db)
command -v groff > /dev/null || need_pkgs+=(groff-base)
"$PY" -c 'import prometheus_client' 2> /dev/null || need_pkgs+=(python3-prometheus-client)
if [ ${#need_pkgs[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && [ "${SMART_MADVISE_NO_INSTALL:-0}" != 1 ]; then
	echo "# installing ${need_pkgs[*]}"
	apt_install "${need_pkgs[@]}" > "$WORK/apt.log" 2>&1 ||
		sed 's/^/# /' "$WORK/apt.log" | tail -n 5
fi

ktap_print_header

# --- build ------------------------------------------------------------------
mkdir -p "$WORK/tree"
cp -r "$REPO/tools" "$WORK/tree/tools"
cp "$REPO/dkms.conf" "$WORK/tree/"
mkdir -p "$WORK/tree/src" && cp -r "$REPO/src/uapi" "$WORK/tree/src/"
make -C "$WORK/tree/tools" clean > /dev/null 2>&1
if make -C "$WORK/tree/tools" > "$WORK/build.log" 2>&1 && ! grep -qi warning "$WORK/build.log"; then
	ktap_test_pass "make -C tools: builds without warnings"
else
	ktap_test_fail "make -C tools: builds without warnings" "$WORK/build.log"
fi
S=$WORK/tree/tools/smadvctl
make -C "$WORK/tree/tools" clean > /dev/null 2>&1
if make -C "$WORK/tree/tools" LDFLAGS=-static > "$WORK/build.log" 2>&1 &&
   ! grep -qi warning "$WORK/build.log" && ! readelf -l "$S" | grep -q INTERP; then
	ktap_test_pass "make -C tools LDFLAGS=-static: static, no warnings"
else
	ktap_test_fail "make -C tools LDFLAGS=-static: static, no warnings" "$WORK/build.log"
fi
if ! [ -x "$S" ]; then
	ktap_test_fail "smadvctl built"
	echo "Bail out! smadvctl did not build"
	ktap_finished
	exit 1
fi

# --- man page and completion ----------------------------------------------
if command -v man > /dev/null; then
	if MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$REPO/tools/smadvctl.8" \
		> "$WORK/man.txt" 2> "$WORK/man.err" && ! [ -s "$WORK/man.err" ] &&
	   grep -q 'EXIT STATUS' "$WORK/man.txt"; then
		ktap_test_pass "man --warnings -l tools/smadvctl.8: no warnings"
	else
		ktap_test_fail "man --warnings -l tools/smadvctl.8: no warnings" "$WORK/man.err"
	fi
else
	ktap_test_skip "man --warnings -l tools/smadvctl.8: man-db not installed"
fi
if command -v groff > /dev/null; then
	check "groff -man -ww -z: no warnings" bash -c \
		"groff -man -ww -z '$REPO/tools/smadvctl.8' 2>&1 | (! grep .)"
fi

complete_words() {	# complete_words WORD... : print COMPREPLY for the last word
	bash -c '
		complete() { :; }
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_smadvctl smadvctl "${COMP_WORDS[$COMP_CWORD]}" "${COMP_WORDS[$COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$REPO/tools/smadvctl.bash-completion" "$@"
}
check "bash completion: syntax" bash -n "$REPO/tools/smadvctl.bash-completion"
# expect_completion NAME WANT WORD...: sorted completions, space separated
expect_completion() {
	local name=$1 want=$2 got
	shift 2
	got=$(complete_words "$@" 2> /dev/null | sed '/^$/d' | sort | tr '\n' ' ')
	if [ "$got" = "$want" ]; then
		ktap_test_pass "completion: $name"
	else
		echo "# got '$got', want '$want'"
		ktap_test_fail "completion: $name"
	fi
}
expect_completion "'s' -> set status" "set status " smadvctl s
expect_completion "set win -> window_size" "window_size " smadvctl set win
expect_completion "set does not offer read-only version" "" smadvctl set v
expect_completion "get v -> version" "version " smadvctl get v
expect_completion "set enable -> 0 1" "0 1 " smadvctl set enable ""
expect_completion "set la -> late, not late_support" "late " smadvctl set la
expect_completion "get late -> late late_support" "late late_support " smadvctl get late
expect_completion "set late -> 0 1" "0 1 " smadvctl set late ""
expect_completion "'m' -> mappings metrics monitor" "mappings metrics monitor " smadvctl m
expect_completion "mappings options" "--json " smadvctl mappings -
expect_completion "top options" "--json -d -n " smadvctl top -
expect_completion "monitor options" "--count --csv --follow --help --new --unregister " smadvctl monitor --

# --- fake module tree --------------------------------------------------------
SYS=$WORK/sys DBG=$WORK/dbg
mkdir -p "$SYS" "$DBG"
for kv in enable=1 dry_run=0 window_size=64 threshold=75 max_gap_pages=32 \
	  max_processes=4096 sample_interval_ms=50 version=0.1.0 fault_hook=kprobe \
	  madvise_hook=do_madvise late=1 late_support=yes; do
	echo "${kv#*=}" > "$SYS/${kv%%=*}"
done
printf 'faults 1000\nfaults_sequential 800\nfaults_random 200\nprocesses_tracked 3\nfaults_untracked 1\nrewrites 2\nrewrites_dry_run 1\nlate_corrections 3\nlate_corrections_dry_run 1\nlate_skipped 1\nfaults_repeat 12\nfaults_dropped 2\nmappings_tracked 4\nmappings_untracked 5\nmadvise_calls 10\nprobe_misses 0\nallocations_live 3\nsweeps_dropped 0\nhandler_samples 16\nhandler_ns 1234567890123\nallocations_live_neg -2\nsome_future_counter 7\n' > "$DBG/stats"
# comm with a quote, a backslash, a control character and invalid UTF-8
printf 'pid comm faults sequential random verdict rewrites late\n1 init 10 5 5 unknown 0 0\n200 fio 700 690 10 sequential 2 3\n300 we"ird\\x\001\377 290 105 185 mixed 0 0\n4194304 caf\303\251 5 0 5 random 0 0\n' > "$DBG/processes"
printf 'time_ns pid comm start length asked applied seq_permille mode\n12345678901 200 fio 0x7f0000000000 0x400000 random sequential 984 applied\n12399999999 300 we"ird\\x\001\377 0x7f0000400000 0x1000 random sequential 970 dry_run\n' > "$DBG/rewrites"
printf '12400000000 200 fio 0x7f1000000000 0x2000000 random sequential 998 late\n12450000000 200 fio 0x7f2000000000 0x200000 sequential random 12 late_dry_run\n' >> "$DBG/rewrites"
# two mappings of fio (listed out of order), one of a pid gone from processes
printf 'pid start length advice faults seq_permille verdict corrections\n200 0x7f2000000000 0x200000 sequential 64 12 random 0\n200 0x7f1000000000 0x2000000 sequential 2048 998 sequential 1\n300 0x7f0000400000 0x1000 random 3 0 unknown 0\n999 0x400000 0x3000 random 40 500 mixed 2\n' > "$DBG/mappings"
printf '200 690\n' > "$DBG/seq_page_faults"
export SMADVCTL_SYSFS_DIR=$SYS SMADVCTL_DEBUGFS_DIR=$DBG

# run NAME WANT_RC CMD... : output in $WORK/out (stdout) $WORK/err (stderr)
run() {
	local name=$1 want=$2 rc=0
	shift 2
	"$@" > "$WORK/out" 2> "$WORK/err" || rc=$?
	if [ "$rc" = "$want" ]; then
		ktap_test_pass "$name (exit $rc)"
		return 0
	fi
	echo "# exit $rc, wanted $want; stdout/stderr:"
	cat "$WORK/out" "$WORK/err" | sed 's/^/#   /' | head -n 20
	ktap_test_fail "$name"
	return 1
}
has() {		# has NAME FILE EREGEX
	if tr '\n' ' ' < "$2" | grep -aEq -- "$3"; then ktap_test_pass "$1"; else echo "# /$3/ not in:"; ktap_test_fail "$1" "$2"; fi
}

run "status" 0 "$S" status
has "status shows version and tunables" "$WORK/out" 'smart_madvise 0\.1\.0 loaded.*kprobe'
has "status shows window_size with range" "$WORK/out" 'window_size +64 +\(8\.\.512, default 64\)'
has "status shows stats, unknown ones too" "$WORK/out" 'some_future_counter +7'
run "status --json" 0 "$S" status --json
check "status --json: guest-formats.py --check status" "$PY" "$GF" --check status "$WORK/out"
cp "$WORK/out" "$WORK/status.json"
check "status --json: fields" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["loaded"] is True and d["version"] == "0.1.0", d
assert d["tunables"]["window_size"] == 64 and d["tunables"]["fault_hook"] == "kprobe", d
assert d["stats"]["faults"] == 1000 and d["stats"]["some_future_counter"] == 7, d
assert d["stats"]["allocations_live_neg"] == -2, d
' "$WORK/out"
run "--json status (global option)" 0 "$S" --json status
check "status --json: late and late_support" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["tunables"]["late"] == 1 and d["tunables"]["late_support"] == "yes", d
assert d["stats"]["late_corrections"] == 3 and d["stats"]["late_skipped"] == 1, d
' "$WORK/out"
run "status" 0 "$S" status
has "status shows late with range" "$WORK/out" 'late +1 +\(0\.\.1, default 1\)'
has "status shows late_support" "$WORK/out" 'late correction supported: yes'
has "status shows the new stats" "$WORK/out" 'late_corrections +3 .*faults_repeat +12 .*mappings_tracked +4 .*mappings_untracked +5'
echo "no: this kernel's VMA flags cannot be changed from a worker" > "$SYS/late_support"
run "status, late not supported" 0 "$S" status
has "status shows why late is not supported" "$WORK/out" \
	"late correction supported: no: this kernel's VMA flags cannot be changed from a worker"
echo yes > "$SYS/late_support"

run "top -n 1 (not a tty)" 0 "$S" top -n 1
check "top: plain, no escape sequences" bash -c "! grep -q $'\033' '$WORK/out'"
check "top: sorted by faults" bash -c \
	"awk 'NR > 2 && NF { print \$1 }' '$WORK/out' | tr '\n' ' ' | grep -qx '200 300 1 4194304 '"
check "top: control characters not printed raw" bash -c "! grep -q $'\001' '$WORK/out'"
run "top without -n on a pipe prints once" 0 timeout 5 "$S" top
run "top --json -n 2 -d 0.1" 0 "$S" top --json -n 2 -d 0.1
check "top --json: guest-formats.py --check top" "$PY" "$GF" --check top "$WORK/out"
cp "$WORK/out" "$WORK/top.jsonl"
check "top --json: fields and escaping" "$PY" -c '
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 2, lines
d = json.loads(lines[1])
p = {x["pid"]: x for x in d["processes"]}
assert p[300]["comm"] == "we\"ird\\x\u0001\ufffd", repr(p[300]["comm"])
assert p[4194304]["comm"] == "caf\u00e9"
assert p[200]["verdict"] == "sequential" and p[200]["rewrites"] == 2
assert p[200]["faults_per_sec"] == 0.0 and json.loads(lines[0])["processes"][0]["faults_per_sec"] is None
' "$WORK/out"
run "top -n x refused" 2 "$S" top -n x
run "top -n 1: late corrections" 0 "$S" top -n 1
has "top: header counts late corrections and mappings" "$WORK/out" \
	'mappings: 4 .*late: 3 \(dry-run 1\)'
has "top: LATE column" "$WORK/out" 'VERDICT +REWRITES +LATE '
has "top: fio's late corrections" "$WORK/out" ' 200 fio .* sequential +2 +3 '
run "top --json -n 1: late corrections" 0 "$S" top --json -n 1
check "top --json: late per process" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
p = {x["pid"]: x for x in d["processes"]}
assert p[200]["late"] == 3 and p[1]["late"] == 0, p
assert d["stats"]["late_corrections"] == 3 and d["stats"]["mappings_tracked"] == 4
' "$WORK/out"

run "events" 0 "$S" events
has "events: one line per entry" "$WORK/out" '\[ +12\.345678\] +200 fio +0x7f0000000000-0x7f0000400000 random +-> sequential +98\.4% seq +applied'
has "events: a late correction, its mode named" "$WORK/out" \
	'200 fio +0x7f1000000000-0x7f1002000000 random +-> sequential +99\.8% seq +late '
has "events: a late dry run" "$WORK/out" '0x7f2000000000-0x7f2000200000 sequential +-> random +1\.2% seq +late_dry_run'
run "events -n 1" 0 "$S" events -n 1
check "events -n 1: only the newest" bash -c "[ \$(wc -l < '$WORK/out') = 2 ] && grep -q ' late_dry_run\$' '$WORK/out'"
run "events --json" 0 "$S" events --json
check "events --json: guest-formats.py --check events" "$PY" "$GF" --check events "$WORK/out"
cp "$WORK/out" "$WORK/events.json"
check "events --json: fields" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 4 and d[0]["start"] == 0x7f0000000000 and d[0]["length"] == 0x400000
assert d[0]["asked"] == "random" and d[0]["applied"] == "sequential" and d[0]["dry_run"] is False
assert d[0]["late"] is False and d[0]["mode"] == "applied"
assert d[1]["seq_permille"] == 970 and d[1]["dry_run"] is True and d[1]["mode"] == "dry_run"
assert d[1]["late"] is False
assert d[2]["late"] is True and d[2]["dry_run"] is False and d[2]["mode"] == "late", d[2]
assert d[2]["length"] == 0x2000000 and d[2]["seq_permille"] == 998
assert d[3]["late"] is True and d[3]["dry_run"] is True and d[3]["mode"] == "late_dry_run", d[3]
assert d[3]["asked"] == "sequential" and d[3]["applied"] == "random"
' "$WORK/out"
# follow: new entries appended while following are printed once
"$S" events -f --json -d 0.1 > "$WORK/follow" 2>&1 &
fpid=$!
sleep 0.5
printf '12500000000 200 fio 0x7f0000800000 0x2000 random sequential 990 applied\n' >> "$DBG/rewrites"
sleep 0.5
kill "$fpid"; wait "$fpid" 2> /dev/null
check "events -f: prints new entries once, JSON lines" bash -c \
	"[ \$(wc -l < '$WORK/follow') = 5 ] && '$PY' '$GF' --check jsonl '$WORK/follow' && grep -q 12500000000 '$WORK/follow'"

# --- mappings -----------------------------------------------------------------
run "mappings" 0 "$S" mappings
has "mappings: header" "$WORK/out" '^ *PID +COMM +RANGE +LENGTH +ADVICE +FAULTS +SEQ% +VERDICT +CORRECTIONS '
check "mappings: sorted by pid, then start" bash -c \
	"awk 'NR > 1 { print \$1 \":\" \$3 }' '$WORK/out' | tr '\n' ' ' | grep -qx \
	'200:0x7f1000000000-0x7f1002000000 200:0x7f2000000000-0x7f2000200000 300:0x7f0000400000-0x7f0000401000 999:0x400000-0x403000 '"
has "mappings: a corrected range, comm from processes" "$WORK/out" \
	' 200 fio +0x7f1000000000-0x7f1002000000 +32M +sequential +2048 +99\.8 +sequential +1 '
has "mappings: a range of a pid not in processes" "$WORK/out" ' 999 - +0x400000-0x403000 +12K +random +40 +50\.0 +mixed +2 '
check "mappings: control characters not printed raw" bash -c "! grep -q $'\001' '$WORK/out'"
run "mappings --json" 0 "$S" mappings --json
check "mappings --json: guest-formats.py --check json" "$PY" "$GF" --check json "$WORK/out"
check "mappings --json: fields and escaping" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert [(m["pid"], m["start"]) for m in d] == [(200, 0x7f1000000000), (200, 0x7f2000000000),
                                              (300, 0x7f0000400000), (999, 0x400000)], d
m = d[0]
assert m == {"pid": 200, "comm": "fio", "start": 0x7f1000000000, "length": 0x2000000,
             "advice": "sequential", "faults": 2048, "seq_permille": 998,
             "verdict": "sequential", "corrections": 1}, m
assert d[2]["comm"] == "we\"ird\\x\u0001\ufffd", repr(d[2]["comm"])
assert d[3]["comm"] is None and d[3]["verdict"] == "mixed" and d[3]["corrections"] == 2
' "$WORK/out"
run "--json mappings (global option)" 0 "$S" --json mappings
check "--json mappings: same as mappings --json" bash -c \
	"'$S' mappings --json | cmp -s - '$WORK/out'"
run "mappings with an argument refused" 2 "$S" mappings 200
run "mappings --bogus refused" 2 "$S" mappings --bogus
cp "$DBG/mappings" "$WORK/mappings.good"
printf 'pid start length advice faults seq_permille verdict corrections\n' > "$DBG/mappings"
run "mappings: none tracked" 0 "$S" mappings --json
has "mappings: none tracked is an empty array" "$WORK/out" '^\[\] $'
cp "$WORK/mappings.good" "$DBG/mappings"

# --- metrics ------------------------------------------------------------------
run "metrics" 0 "$S" metrics
cp "$WORK/out" "$WORK/metrics.prom"
if "$PY" -c 'import prometheus_client' 2> /dev/null; then
	check "metrics: guest-formats.py --check metrics" "$PY" "$GF" --check metrics "$WORK/metrics.prom"
	check "metrics: prometheus_client parses it; names, types and values" "$PY" -c '
import sys
from prometheus_client.parser import text_string_to_metric_families as parse
fams = {f.name: f for f in parse(open(sys.argv[1], encoding="utf-8").read())}
def val(fam, name, **labels):
    for s in fams[fam].samples:
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    raise AssertionError("no sample %s %s" % (name, labels))
assert fams["smart_madvise_faults"].type == "counter"
assert val("smart_madvise_faults", "smart_madvise_faults_total", pid="200", comm="fio") == 700
assert val("smart_madvise_faults", "smart_madvise_faults_total", pid="300",
           comm="we\"ird\\x\u0001\ufffd") == 290
assert val("smart_madvise_faults", "smart_madvise_faults_total", pid="4194304", comm="caf\u00e9") == 5
assert val("smart_madvise_verdict", "smart_madvise_verdict", pid="200", verdict="sequential") == 1
assert val("smart_madvise_verdict", "smart_madvise_verdict", pid="200", verdict="random") == 0
assert fams["smart_madvise_window_size"].type == "gauge"
assert val("smart_madvise_window_size", "smart_madvise_window_size") == 64
assert val("smart_madvise_sample_interval_seconds", "smart_madvise_sample_interval_seconds") == 0.05
assert val("smart_madvise_all_faults", "smart_madvise_all_faults_total") == 1000
assert val("smart_madvise_tracked_processes", "smart_madvise_tracked_processes") == 3
assert val("smart_madvise_info", "smart_madvise_info", version="0.1.0", fault_hook="kprobe") == 1
# late correction and the mappings
assert val("smart_madvise_late", "smart_madvise_late") == 1
assert val("smart_madvise_late_supported", "smart_madvise_late_supported") == 1
assert fams["smart_madvise_all_late_corrections"].type == "counter"
assert val("smart_madvise_all_late_corrections", "smart_madvise_all_late_corrections_total") == 3
assert val("smart_madvise_dry_run_late_corrections",
           "smart_madvise_dry_run_late_corrections_total") == 1
assert val("smart_madvise_late_skipped", "smart_madvise_late_skipped_total") == 1
assert val("smart_madvise_repeat_faults", "smart_madvise_repeat_faults_total") == 12
assert val("smart_madvise_dropped_faults", "smart_madvise_dropped_faults_total") == 2
assert fams["smart_madvise_tracked_mappings"].type == "gauge"
assert val("smart_madvise_tracked_mappings", "smart_madvise_tracked_mappings") == 4
assert fams["smart_madvise_untracked_mappings"].type == "counter"
assert val("smart_madvise_untracked_mappings", "smart_madvise_untracked_mappings_total") == 5
assert fams["smart_madvise_late_corrections"].type == "counter"
assert val("smart_madvise_late_corrections", "smart_madvise_late_corrections_total",
           pid="200", comm="fio") == 3
assert val("smart_madvise_late_corrections", "smart_madvise_late_corrections_total",
           pid="1", comm="init") == 0
assert fams["smart_madvise_mappings"].type == "gauge"
assert val("smart_madvise_mappings", "smart_madvise_mappings", pid="200", comm="fio") == 2
assert val("smart_madvise_mappings", "smart_madvise_mappings", pid="300") == 1
assert val("smart_madvise_mappings", "smart_madvise_mappings", pid="1", comm="init") == 0
h = fams["smart_madvise_fault_handler_seconds"]
assert h.type == "summary"
assert val("smart_madvise_fault_handler_seconds", "smart_madvise_fault_handler_seconds_sum") == 1234.567890123
assert val("smart_madvise_fault_handler_seconds", "smart_madvise_fault_handler_seconds_count") == 16
for f in fams.values():
    assert f.documentation, f.name
    assert f.type in ("counter", "gauge", "summary"), (f.name, f.type)
    for s in f.samples:
        if f.type != "summary":
            assert (f.type == "counter") == s.name.endswith("_total"), s.name
' "$WORK/metrics.prom"
else
	ktap_test_skip "metrics: prometheus_client parse: python3-prometheus-client not installed"
fi
echo "no: this kernel's VMA flags cannot be changed from a worker" > "$SYS/late_support"
run "metrics, late not supported" 0 "$S" metrics
has "metrics: late_supported 0" "$WORK/out" '# TYPE smart_madvise_late_supported gauge smart_madvise_late_supported 0 '
echo yes > "$SYS/late_support"
run "metrics -o FILE" 0 "$S" metrics -o "$WORK/node.prom"
check "metrics -o: same content, no temp file left" bash -c \
	"cmp -s '$WORK/node.prom' '$WORK/metrics.prom' && [ \$(ls '$WORK' | grep -c 'node.prom') = 1 ]"

# --- the checker of the guests' outputs ---------------------------------------
# gf_refuses NAME EREGEX ARGS...: guest-formats.py ARGS exits 1 with a
# "not ok" line matching EREGEX: it refuses, and for the reason meant.
gf_refuses() {
	local name=$1 pat=$2 rc=0
	shift 2
	"$PY" "$GF" "$@" > "$WORK/gf.out" 2>&1 || rc=$?
	if [ "$rc" = 1 ] && grep -Eq -- "^not ok [0-9]+ - .*$pat" "$WORK/gf.out"; then
		ktap_test_pass "$name"
	else
		echo "# exit $rc, wanted 1 and a 'not ok' matching /$pat/"
		ktap_test_fail "$name" "$WORK/gf.out"
	fi
}
printf '[1, NaN]\n' > "$WORK/bad.json"
gf_refuses "guest-formats.py: NaN is not JSON" "NaN is not JSON" --check json "$WORK/bad.json"
printf '{"a": 1, "a": 2}\n' > "$WORK/bad.json"
gf_refuses "guest-formats.py: a duplicate key is refused" "duplicate key" --check json "$WORK/bad.json"
printf '{"a": "\377"}\n' > "$WORK/bad.json"
gf_refuses "guest-formats.py: invalid UTF-8 is refused" "utf-8" --check json "$WORK/bad.json"
printf '{}\n\n[]x\n' > "$WORK/bad.json"
gf_refuses "guest-formats.py: JSON lines, each line one value" "Extra data" --check jsonl "$WORK/bad.json"
printf '\n' > "$WORK/bad.json"
gf_refuses "guest-formats.py: JSON lines, at least one" "no JSON value" --check jsonl "$WORK/bad.json"
if "$PY" -c 'import prometheus_client' 2> /dev/null; then
	# each must be refused (for the reason given), under the conventions
	# every output of smadvctl keeps: HELP and TYPE, _total on counters only
	H='# HELP m x\n# TYPE m gauge\n'
	while IFS='|' read -r bad why; do
		printf '%b' "$bad" > "$WORK/bad.prom"
		gf_refuses "guest-formats.py refuses $bad" "$why" --check prom "$WORK/bad.prom"
	done <<EOF
${H}m{a="b} 1\n|Invalid metric name
${H}m{1a="b"} 1\n|invalid or reserved label name '1a'
${H}m{__a="b"} 1\n|invalid or reserved label name '__a'
${H}m 1x\n|could not convert
${H}m\n|substring not found
${H}1m 1\n|Invalid metric name
${H}m-x 1\n|Invalid metric name
${H}m 1\n# HELP n x\n# TYPE n gauge\nn 2\nm 3\n|family m appears twice
${H}m{a="b"} 1\nm{a="b"} 2\n|duplicate series m
${H}# TYPE m gauge\nm 1\n|second TYPE for m
# HELP m x\n${H}m 1\n|second HELP for m
# HELP m x\n# TYPE m foo\nm 1\n|Invalid metric type
# HELP m x\nm 1\n# TYPE m gauge\n|TYPE after samples of m
m 1\n# HELP m x\n# TYPE m gauge\n|TYPE after samples of m
${H}m{a="\377"} 1\n|utf-8
${H}m 1|no newline at the end
# TYPE m gauge\nm 1\n|m has no HELP
# HELP m x\nm 1\n|m has no TYPE
${H}n 1\n|n has no HELP and TYPE
# HELP m x\n# TYPE m counter\nm 1\n|counter m does not end in _total
# HELP m_total x\n# TYPE m_total gauge\nm_total 1\n|gauge m_total ends in _total
EOF
	# ... and these accepted
	while IFS= read -r good; do
		printf '%b' "$good" > "$WORK/good.prom"
		check "guest-formats.py accepts $good" "$PY" "$GF" --check prom "$WORK/good.prom"
	done <<EOF
${H}m 1\n
${H}m{a="b\\\\\\\\c\\\\"d\\\\ne"} -Inf\n
# HELP m x\\\\ny\n# TYPE m gauge\nm{a="1",} NaN 1700000000000\n
# a plain comment\n\n${H}m 1.5e-3\n
# HELP m_total x\n# TYPE m_total counter\nm_total 1\n
# HELP s x\n# TYPE s summary\ns_sum 1\ns_count 2\n
EOF
	# the guests' outputs as they reach the host: sm_embed's blocks after
	# the runner's "# " prefix, one of each
	SMADVCTL_SYSFS_DIR=$WORK/none "$S" status --json > "$WORK/unloaded.json" 2> /dev/null
	embed() { echo "# $1-BEGIN $2 fake"; sed "s/^/# $1| /" "$3"; echo "# $1-END"; }
	{ echo "TAP version 13"; echo "# === case 1/1: fake"
	  embed JSON status "$WORK/status.json"; embed JSON status-unloaded "$WORK/unloaded.json"
	  embed JSONL top "$WORK/top.jsonl"; embed JSON events "$WORK/events.json"
	  embed PROM metrics "$WORK/metrics.prom"; embed PROM metrics-o "$WORK/node.prom"
	  echo "ok 1 fake"; } > "$WORK/result.txt"
	check "guest-formats.py: every block of a result file valid" bash -c \
		"'$PY' '$GF' '$WORK/result.txt' > '$WORK/gf.out' && grep -c '^ok [0-9]* - fake: ' '$WORK/gf.out' | grep -qx 6 ||
		 { cat '$WORK/gf.out'; false; }"
	# each copy changed with sed must be refused, for the reason given (the
	# reason first: the sed expressions hold "|")
	while IFS='|' read -r why sed; do
		sed "$sed" "$WORK/result.txt" > "$WORK/broken.txt"
		gf_refuses "guest-formats.py refuses a result file edited with sed '$sed'" "$why" "$WORK/broken.txt"
	done <<'EOF'
fake: smadvctl metrics: .*Invalid metric name|s/^\(# PROM| smart_madvise_faults_total{pid="200",comm="fio"\)}/\1/
no events block \(smadvctl events --json\)|/^# JSON-BEGIN events/,/^# JSON-END/d
no metrics-o block|/^# PROM-BEGIN metrics-o/,/^# PROM-END/d
fake: smadvctl status --json: Expecting|s/^\(# JSON| {"loaded":true\),/\1,,/
status --json, module not loaded: loaded is not false|s/"loaded":false/"loaded":true/
block ends without JSONL-END|0,/^# JSONL-END/{/^# JSONL-END/d}
embedded as PROM, it is json|/^# JSON-BEGIN status /,/^# JSON-END/s/^# JSON/# PROM/
fake: eventz: no such block|s/^\(# JSON-BEGIN\) events/\1 eventz/
EOF
	gf_refuses "guest-formats.py: no result file is a failure" "no result file given"
	gf_refuses "guest-formats.py: a missing result file is a failure" "No such file" "$WORK/none.txt"
fi

# --- get / set ---------------------------------------------------------------
run "get window_size" 0 "$S" get window_size
has "get prints the value" "$WORK/out" '^64 $'
run "get fault_hook (read-only text)" 0 "$S" get fault_hook
run "get madvise_hook (read-only text)" 0 "$S" get madvise_hook
has "get madvise_hook prints the hook" "$WORK/out" "^do_madvise ?$"
run "get unknown name refused" 2 "$S" get bogus
has "get unknown: lists known names" "$WORK/err" "unknown tunable 'bogus'.*"
run "get late" 0 "$S" get late
has "get late prints the value" "$WORK/out" '^1 $'
run "get late_support" 0 "$S" get late_support
has "get late_support prints it" "$WORK/out" '^yes $'
run "set late 0" 0 "$S" set late 0
check "set late wrote 0" bash -c "[ \"\$(cat '$SYS/late')\" = 0 ]"
echo 1 > "$SYS/late"
run "set read-only late_support refused" 2 "$S" set late_support yes
has "set late_support: says read-only" "$WORK/err" "'late_support' is read-only"
run "set window_size 128" 0 "$S" set window_size 128
check "set writes the value with a newline" bash -c "[ \"\$(cat '$SYS/window_size')\" = 128 ]"
run "set unknown name refused" 2 "$S" set bogus 1
run "set ../enable refused" 2 "$S" set ../enable 1
run "set read-only version refused" 2 "$S" set version 9
has "set read-only: says so" "$WORK/err" "read-only"
run "set with a value longer than a page refused" 1 "$S" set window_size "$(printf '%05000d' 1)"
has "set too long: says E2BIG and keeps the value" "$WORK/err" 'too long \(E2BIG\).*window_size is unchanged: 128'
run "set with missing value" 2 "$S" set window_size
run "enable" 0 "$S" disable
check "disable wrote 0" bash -c "[ \"\$(cat '$SYS/enable')\" = 0 ]"
run "enable" 0 "$S" enable
check "enable wrote 1" bash -c "[ \"\$(cat '$SYS/enable')\" = 1 ]"

# --- errors --------------------------------------------------------------------
SMADVCTL_SYSFS_DIR=$WORK/none run "not loaded: status" 3 "$S" status
has "not loaded: names cause and fix" "$WORK/err" 'not loaded.*modprobe smart_madvise'
SMADVCTL_SYSFS_DIR=$WORK/none run "not loaded: status --json still JSON" 3 "$S" status --json
check "not loaded: guest-formats.py --check status-unloaded" "$PY" "$GF" --check status-unloaded "$WORK/out"
for c in "top -n 1" events mappings metrics "get enable" "set enable 1" enable; do
	# shellcheck disable=SC2086
	SMADVCTL_SYSFS_DIR=$WORK/none run "not loaded: $c" 3 "$S" $c
done
echo 1.0.0 > "$SYS/version"
run "version mismatch: status" 6 "$S" status
has "version mismatch: names both versions and the fix" "$WORK/err" "module is version '1\.0\.0'.*interface 0\.x"
run "version mismatch: metrics" 6 "$S" metrics
echo 0.1.0 > "$SYS/version"
SMADVCTL_DEBUGFS_DIR=$WORK/nodbg run "debugfs dir missing: top" 4 "$S" top -n 1
SMADVCTL_DEBUGFS_DIR=$WORK/nodbg run "debugfs dir missing: mappings" 4 "$S" mappings
has "debugfs dir missing: says so" "$WORK/err" 'does not exist'
# bad_format NAME FILE CONTENT LINE WHY CMD...: FILE holding CONTENT (printf
# %b) is refused by CMD with exit 6, naming the file, the line and the reason.
bad_format() {
	local name=$1 file=$2 content=$3 line=$4 why=$5
	shift 5
	cp "$DBG/$file" "$WORK/$file.good"
	printf '%b' "$content" > "$DBG/$file"
	if run "format mismatch: $name" 6 "$@"; then
		has "format mismatch: $name: names $file line $line and why" "$WORK/err" \
			"$file line $line \\(.*$why.*\\): the module and smadvctl disagree.*Fix: install matching"
	fi
	cp "$WORK/$file.good" "$DBG/$file"
}
PH='pid comm faults sequential random verdict rewrites late\n'
bad_format "processes: too few columns" processes 'pid comm faults\n1 init 10\n' \
	1 "expected the header 'pid comm faults sequential random verdict rewrites late'" "$S" top -n 1
bad_format "processes: the old 7-column format" processes \
	'pid comm faults sequential random verdict rewrites\n1 init 10 5 5 unknown 0\n' \
	1 "no 'late' column: the module predates late correction" "$S" top -n 1
bad_format "processes: a 7-column line" processes "${PH}1 init 10 5 5 unknown 0\n" \
	2 "no 'late' column" "$S" top -n 1
bad_format "processes: a 9-column line" processes "${PH}1 init 10 5 5 unknown 0 0 0\n" \
	2 "expected 8 columns" "$S" top -n 1
bad_format "processes: late not a number" processes "${PH}1 init 10 5 5 unknown 0 x\n" \
	2 "decimal counts" "$S" top -n 1
bad_format "processes: negative late" processes "${PH}1 init 10 5 5 unknown 0 -1\n" \
	2 "decimal counts" "$S" metrics
bad_format "processes: unknown verdict" processes "${PH}1 init 10 5 5 bogus 0 0\n" \
	2 "verdict must be" "$S" top -n 1
bad_format "processes: pid 0" processes "${PH}0 init 10 5 5 unknown 0 0\n" \
	2 "pid is not a number" "$S" top -n 1
bad_format "processes: empty file" processes '' 1 "empty" "$S" top -n 1
bad_format "rewrites: unknown mode" rewrites \
	'time_ns pid comm start length asked applied seq_permille mode\n1 2 x 0x1000 0x1000 random sequential 900 late_applied\n' \
	2 "mode must be applied, dry_run, late or late_dry_run" "$S" events
MH='pid start length advice faults seq_permille verdict corrections\n'
while IFS='|' read -r name content line why; do
	bad_format "mappings: $name" mappings "$content" "$line" "$why" "$S" mappings
done <<EOF
another header|pid start length advice faults\n|1|expected the header 'pid start length advice faults seq_permille verdict corrections'
a data line first|200 0x1000 0x1000 random 1 0 unknown 0\n|1|expected the header
empty file||1|empty
7 columns|${MH}200 0x1000 0x1000 random 1 0 unknown\n|2|expected 8 columns
9 columns|${MH}200 0x1000 0x1000 random 1 0 unknown 0 0\n|2|expected 8 columns
pid 0|${MH}0 0x1000 0x1000 random 1 0 unknown 0\n|2|pid is not a number
pid not a number|${MH}x 0x1000 0x1000 random 1 0 unknown 0\n|2|pid is not a number
pid too large|${MH}2147483648 0x1000 0x1000 random 1 0 unknown 0\n|2|pid is not a number
start without 0x|${MH}200 1000 0x1000 random 1 0 unknown 0\n|2|start and length
length not hex|${MH}200 0x1000 0xzz random 1 0 unknown 0\n|2|start and length
length 0|${MH}200 0x1000 0x0 random 1 0 unknown 0\n|2|start and length
range wraps|${MH}200 0xfffffffffffff000 0x2000 random 1 0 unknown 0\n|2|start and length
advice in capitals|${MH}200 0x1000 0x1000 RANDOM 1 0 unknown 0\n|2|advice must be
faults negative|${MH}200 0x1000 0x1000 random -1 0 unknown 0\n|2|faults and corrections
corrections not a number|${MH}200 0x1000 0x1000 random 1 0 unknown x\n|2|faults and corrections
seq_permille over 1000|${MH}200 0x1000 0x1000 random 1 1001 unknown 0\n|2|seq_permille must be
unknown verdict|${MH}200 0x1000 0x1000 random 1 0 bogus 0\n|2|verdict must be
bad third line|${MH}200 0x1000 0x1000 random 1 0 unknown 0\n200 0x1000|3|expected 8 columns
EOF
bad_format "mappings: metrics refuses a bad mappings file too" mappings "${MH}x\n" 2 "expected 8 columns" \
	"$S" metrics
mv "$DBG/mappings" "$WORK/mappings.good"
run "mappings file missing: mappings" 6 "$S" mappings
has "mappings file missing: names the file and the fix" "$WORK/err" \
	'mappings is missing: the loaded module does not provide this file.*same smart-madvise release'
run "mappings file missing: metrics" 6 "$S" metrics
mv "$WORK/mappings.good" "$DBG/mappings"
if [ "$(id -u)" = 0 ] && gcc -O2 -o "$WORK/runas" "$REPO/tests/progs/sm_runas.c" 2> /dev/null; then
	chmod 0711 "$WORK" "$WORK/tree" "$WORK/tree/tools"
	chmod 0755 "$SYS" && chmod 0700 "$DBG" && chmod 0644 "$SYS"/*
	run "not root: status" 5 "$WORK/runas" 65534 65534 "$S" status
	has "not root: names cause and fix" "$WORK/err" 'root-only.*sudo'
	run "not root: metrics" 5 "$WORK/runas" 65534 65534 "$S" metrics
	run "not root: mappings" 5 "$WORK/runas" 65534 65534 "$S" mappings
	run "not root: get late_support works" 0 "$WORK/runas" 65534 65534 "$S" get late_support
	run "not root: get works (sysfs is world-readable)" 0 "$WORK/runas" 65534 65534 "$S" get threshold
	run "not root: set refused" 5 "$WORK/runas" 65534 65534 "$S" set threshold 80
	has "not root: set explains" "$WORK/err" 'needs root'
	check "not root: value unchanged" bash -c "[ \"\$(cat '$SYS/threshold')\" = 75 ]"
else
	ktap_test_skip "not root checks: not running as root"
fi
run "unknown command" 2 "$S" frobnicate
run "--version" 0 "$S" --version
has "--version names the release" "$WORK/out" "^smadvctl $(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$REPO/dkms.conf") "
run "help" 0 "$S" help

ktap_finished

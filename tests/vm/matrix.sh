#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel matrix of make check: on every series of tests/vm/kernels.list
# the VM suite (suite check), the reduced stress suite (suite stress, scale
# check, less the cases of suite check) and a boot without debugfs (suite
# nodebugfs), and the VM suite on the debug kernels already built
# (tests/debug-kernel; make check-debug adds their stress suite), as
# parallel jobs, one QEMU each.
#
#   tests/vm/matrix.sh [--kernel NAME] [--jobs N] [--no-debug]
#
# --kernel runs one series only (for development; CI runs them all).
# Each job's output goes to $SM_BUILD/matrix/JOB.log and is printed whole
# when the job ends. Ends with "N passed, N failed[, N skipped]" for all.
set -euo pipefail
# shellcheck source=common.sh source-path=SCRIPTDIR
. "$(dirname "$0")/common.sh"

want=all
jobs=${SMART_MADVISE_JOBS:-$(nproc)}
debug=1
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) want=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--no-debug) debug=0; shift ;;
	-h|--help) sed -n '3,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument: $1" ;;
	esac
done
case "$jobs" in ''|*[!0-9]*|0) die "--jobs wants a positive number" ;; esac

# suite_cases SUITE: the case names of tests/vm/suites/SUITE, one a line.
suite_cases() { sed 's/#.*//' "$VM_DIR/suites/$1" | tr -s ' \t' '\n' | grep .; }
# The reduced stress run leaves out the cases the check suite has: those
# are sized by the scale, and check scale is what the check suite ran.
stress_cases=$(suite_cases stress | { grep -vxF -f <(suite_cases check) || true; } | tr "\n" " ")

# One job: a series' suites (check; stress, then nodebugfs, a boot with
# debugfs=off). Each job builds in $SM_BUILD/matrix/JOB/SUITE, its own:
# jobs that run at the same time must not share the programs they build,
# and the check suite's results stay for guest-formats.py.
run_job() {
	local job=$1 log=$SM_BUILD/matrix/$1.log dir=$SM_BUILD/matrix/$1 rc=0
	case "$job" in
	debug-*)
		SMART_MADVISE_BUILD=$dir \
			"$REPO_DIR/tests/debug-kernel/run.sh" --cached --variant "${job#debug-}" \
			--suites check \
			> "$log" 2>&1 || rc=$?
		;;
	*)
		{
			SMART_MADVISE_BUILD=$dir/check "$VM_DIR/run.sh" --kernel "$job" || rc=$?
			SMART_MADVISE_BUILD=$dir/stress "$VM_DIR/run.sh" --kernel "$job" \
				--suite stress --cases "$stress_cases" --scale check || rc=$?
			SMART_MADVISE_BUILD=$dir/nodebugfs "$VM_DIR/run.sh" --kernel "$job" \
				--suite nodebugfs || rc=$?
		} > "$log" 2>&1
		;;
	esac
	echo "$rc" > "$log.rc"
}

rm -rf "$SM_BUILD/matrix"
mkdir -p "$SM_BUILD/matrix"
# every series resolved (and fetched) once, before the jobs share the cache
"$VM_DIR/kernels.sh" --kernel "$want" >&2
mapfile -t series < <(series_select "$want" | cut -d' ' -f1)
todo=()
if [ "$want" = all ] && [ "$debug" = 1 ]; then
	todo+=(debug-rt debug-stock)	# the longest first
fi
todo+=("${series[@]}")
msg "matrix: ${todo[*]} ($jobs at a time)"

running=0
for job in "${todo[@]}"; do
	while [ "$running" -ge "$jobs" ]; do
		wait -n || true
		running=$((running - 1))
	done
	msg "matrix: starting $job ($(date -u +%T))"
	run_job "$job" &
	running=$((running + 1))
done
wait

P=0 F=0 S=0
for job in "${todo[@]}"; do
	log=$SM_BUILD/matrix/$job.log
	echo "#### $job"
	cat "$log"
	rc=$(cat "$log.rc" 2>/dev/null || echo 1)
	n=0
	# a series job has one total per suite; a debug job's last line is its total
	lines=$(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$/\1 \2 \4/p' "$log" |
		awk '{ print $1, $2, ($3 == "" ? 0 : $3) }')
	case "$job" in debug-*) lines=$(tail -n1 <<< "$lines") ;; esac
	while read -r p f s; do
		[ -n "$p" ] || continue
		P=$((P + p)) F=$((F + f)) S=$((S + s))
		n=$((n + 1))
	done <<< "$lines"
	if [ "$rc" != 0 ] && ! grep -qE '^[0-9]+ passed, [1-9][0-9]* failed' "$log"; then
		echo "not ok - $job: exit $rc with no failure counted"
		F=$((F + 1))
	elif [ "$n" = 0 ]; then
		echo "not ok - $job: no result line"
		F=$((F + 1))
	fi
done
line="$P passed, $F failed"
[ "$S" -gt 0 ] && line+=", $S skipped"
echo "$line"
[ "$F" -eq 0 ]

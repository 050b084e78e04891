#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: everything, on a fresh Debian 12 machine, as root.
#   1. install what the tests need (apt-get)
#   2. unit tests of the decision logic (make unit)
#   3. kernel style (tests/style.sh: checkpatch --strict)
#   4. host tests of tools/ (tests/tools/run.sh), and that every copy of
#      the tunables list agrees with the module's (tests/tunables.sh)
#   5. the kernel resolver (tests/kernels-resolve.sh), then the packaging
#      tests (tests/dkms.sh)
#   6. the kernel matrix (tests/vm/matrix.sh): on every series of
#      tests/vm/kernels.list the VM suite, the stress suite at reduced
#      scale less the VM suite's cases (make stress runs it full scale) and
#      a boot without debugfs, and the debug kernels of make check-debug
#      that are already built, one QEMU job per core; then
#      the guests' --json and metrics outputs of every kernel checked with
#      Python's json and prometheus_client (tests/tools/guest-formats.py)
#   7. the benchmark suite's smoke run (never a timing)
# Ends with one "N passed, N failed" line that totals all steps and exits
# non-zero if anything failed. Options are passed on to tests/vm/matrix.sh
# (--kernel 6.12 runs one series, for development; CI runs them all).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
# shellcheck source=vm/common.sh source-path=SCRIPTDIR
. tests/vm/common.sh

P=0 F=0 S=0
FAILED_STEPS=()
LOGDIR=$(mktemp -d)
trap 'rm -rf "$LOGDIR"' EXIT

# count STEP LOG RC: add the step's "N passed, N failed[, N skipped]" line
# (its last one) to the totals; a step without one counts as one test.
count() {
	local name=$1 log=$2 rc=$3 line p f s
	line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1 || true)
	if [ -n "$line" ]; then
		p=$(sed -E 's/^([A-Za-z-]+: )?([0-9]+) passed.*/\2/' <<< "$line")
		f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<< "$line")
		s=0
		[[ "$line" == *skipped* ]] && s=$(sed -E 's/.* ([0-9]+) skipped.*/\1/' <<< "$line")
		# a non-zero exit with nothing counted as failed is still a failure
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	elif [ "$rc" -eq 0 ]; then
		p=1 f=0 s=0
	else
		p=0 f=1 s=0
	fi
	P=$((P + p)) F=$((F + f)) S=$((S + s))
	[ "$f" -ne 0 ] && FAILED_STEPS+=("$name")
	echo "---- $name: $p passed, $f failed, $s skipped"
}

# run_step NAME TITLE CMD...: run one step, tee its log, count its result.
run_step() {
	local name=$1 title=$2 rc=0
	shift 2
	printf '\n==== %s (%s)\n' "$title" "$(date -u +%T)"
	"$@" 2>&1 | tee "$LOGDIR/$name.log" || rc=$?
	count "$name" "$LOGDIR/$name.log" "$rc"
}

printf '\n==== dependencies (%s)\n' "$(date -u +%T)"
need_root
install_host_deps
# the host's parsers of the guests' outputs (step formats)
[ "${SMART_MADVISE_NO_INSTALL:-0}" = 1 ] || install_pkgs python3 python3-prometheus-client
msg "dependencies present"

run_step unit "unit tests (make unit)" make --no-print-directory unit
run_step style "kernel style (tests/style.sh)" tests/style.sh
run_step tools "host tests of tools/ (tests/tools/run.sh)" tests/tools/run.sh
run_step tunables "every copy of the tunables list (tests/tunables.sh)" tests/tunables.sh
run_step kernels "kernel resolver (tests/kernels-resolve.sh)" tests/kernels-resolve.sh
run_step dkms "packaging (tests/dkms.sh)" tests/dkms.sh
run_step vm "VM and stress suites on the kernel matrix, debug kernels when built (tests/vm/matrix.sh $*)" \
	tests/vm/matrix.sh "$@"
# guest_results: the check suite's result file of each job of the matrix.
# A series' unmatched glob goes as it is: a missing file is a failure, not
# nothing to check. A debug kernel that is not built has none.
guest_results() {
	local log job f
	for log in "$SM_BUILD"/matrix/*.log; do
		[ -e "$log" ] || continue
		job=$(basename "$log" .log)
		case "$job" in
		debug-*)
			for f in "$SM_BUILD/matrix/$job/${job#debug-}"/*/result.txt; do
				if [ -e "$f" ]; then printf '%s\n' "$f"; fi
			done
			;;
		*) printf '%s\n' "$SM_BUILD/matrix/$job"/check/*/result.txt ;;
		esac
	done
}
mapfile -t results < <(guest_results)
run_step formats "the guests' JSON and metrics, checked on the host (guest-formats.py)" \
	/usr/bin/python3 tests/tools/guest-formats.py "${results[@]}"
run_step bench "benchmark smoke run (tests/bench/run.sh --smoke)" \
	tests/bench/run.sh --smoke

printf '\n==== done (%s)\n' "$(date -u +%T)"
if [ ${#FAILED_STEPS[@]} -gt 0 ]; then
	echo "failed steps: ${FAILED_STEPS[*]}"
fi
line="$P passed, $F failed"
[ "$S" -gt 0 ] && line+=", $S skipped"
echo "$line"
[ "$F" -eq 0 ]

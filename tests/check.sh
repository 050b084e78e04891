#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: everything, on a fresh Debian 12 machine, as root.
#   1. install what the tests need (apt-get)
#   2. unit tests of the decision logic (make unit)
#   3. kernel style (tests/style.sh), when present
#   4. packaging tests (tests/dkms.sh), when present
#   5. the VM suite on every kernel of tests/vm/kernels.list
# Ends with one "N passed, N failed" line that totals all steps and exits
# non-zero if anything failed. Options are passed on to tests/vm/run.sh
# (e.g. --kernel 6.12, --suite smoke).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
# shellcheck source=vm/common.sh source-path=SCRIPTDIR
. tests/vm/common.sh

P=0 F=0 S=0
FAILED_STEPS=()
step() { printf '\n==== %s (%s)\n' "$*" "$(date -u +%T)"; }

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

LOGDIR=$(mktemp -d)
trap 'rm -rf "$LOGDIR"' EXIT

step "1/5 dependencies"
need_root
install_host_deps
msg "dependencies present"

step "2/5 unit tests (make unit)"
rc=0
make --no-print-directory unit 2>&1 | tee "$LOGDIR/unit.log" || rc=$?
count unit "$LOGDIR/unit.log" "$rc"

step "3/5 kernel style (tests/style.sh)"
if [ -x tests/style.sh ]; then
	rc=0
	tests/style.sh 2>&1 | tee "$LOGDIR/style.log" || rc=$?
	count style "$LOGDIR/style.log" "$rc"
else
	echo "tests/style.sh not present: skipped"
fi

step "4/5 packaging tests (tests/dkms.sh)"
if [ -x tests/dkms.sh ]; then
	rc=0
	tests/dkms.sh 2>&1 | tee "$LOGDIR/dkms.log" || rc=$?
	count dkms "$LOGDIR/dkms.log" "$rc"
else
	echo "tests/dkms.sh not present: skipped"
fi

step "5/5 VM suite (tests/vm/run.sh $*)"
rc=0
tests/vm/run.sh "$@" 2>&1 | tee "$LOGDIR/vm.log" || rc=$?
count vm "$LOGDIR/vm.log" "$rc"

printf '\n==== done (%s)\n' "$(date -u +%T)"
if [ ${#FAILED_STEPS[@]} -gt 0 ]; then
	echo "failed steps: ${FAILED_STEPS[*]}"
fi
line="$P passed, $F failed"
[ "$S" -gt 0 ] && line+=", $S skipped"
echo "$line"
[ "$F" -eq 0 ]

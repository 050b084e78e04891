# SPDX-License-Identifier: GPL-2.0
# Host-side TAP 13 helpers, after the kernel's ktap_helpers.sh (sourced).
# Exit codes as kselftest: 0 pass, 1 fail, 4 skip.
# shellcheck shell=bash

KTAP_TESTNUM=0 KTAP_PASS=0 KTAP_FAIL=0 KTAP_SKIP=0

ktap_print_header() { echo "TAP version 13"; }
ktap_test_pass() { KTAP_TESTNUM=$((KTAP_TESTNUM + 1)) KTAP_PASS=$((KTAP_PASS + 1)); echo "ok $KTAP_TESTNUM $*"; }
ktap_test_skip() { KTAP_TESTNUM=$((KTAP_TESTNUM + 1)) KTAP_SKIP=$((KTAP_SKIP + 1)); echo "ok $KTAP_TESTNUM $* # SKIP"; }
# ktap_test_fail DESCRIPTION [LOG]: a failure, with the head of LOG shown.
ktap_test_fail() {
	KTAP_TESTNUM=$((KTAP_TESTNUM + 1)) KTAP_FAIL=$((KTAP_FAIL + 1))
	echo "not ok $KTAP_TESTNUM $1"
	if [ -n "${2:-}" ] && [ -s "$2" ]; then sed 's/^/#   /' "$2" | head -n 30; fi
	return 0
}
ktap_print_msg() { echo "# $*"; }
ktap_skip_all() { echo "1..0 # SKIP $*"; exit 4; }
# The closing plan and the "N passed, N failed[, N skipped]" line make check counts.
ktap_finished() {
	local line="$KTAP_PASS passed, $KTAP_FAIL failed"
	echo "1..$KTAP_TESTNUM"
	[ "$KTAP_SKIP" -gt 0 ] && line+=", $KTAP_SKIP skipped"
	echo "$line"
	[ "$KTAP_FAIL" -eq 0 ]
}

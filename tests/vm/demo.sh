#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boot one kernel in QEMU and show, on this terminal, a cold
# mis-advised sequential scan (MADV_RANDOM) of a file on a throttled disk,
# timed with smart_madvise off and on: VmFlags rr off, sr on (corrected
# during the scan), the time of each and the rewrite log's `late` line.
#
#   tests/vm/demo.sh [--kernel 6.1|6.12] [--module PATH] [--timeout S]
#
# Default kernel: 6.12. Needs root (installs packages, like make check).
set -euo pipefail
# shellcheck source=common.sh source-path=SCRIPTDIR
. "$(dirname "$0")/common.sh"

kernel=6.12
args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--module|--timeout) args+=("$1" "$2"); shift 2 ;;
	-h|--help) sed -n '3,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument: $1" ;;
	esac
done
[ "$kernel" = all ] && die "the demo boots one kernel: --kernel 6.1 or 6.12"
exec "$VM_DIR/run.sh" --demo --kernel "$kernel" --timeout 300 "${args[@]}"

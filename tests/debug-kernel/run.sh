#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: build (or reuse) a debug kernel from Debian's
# linux-source-6.1 (PROVE_LOCKING, DEBUG_ATOMIC_SLEEP, KASAN, KMEMLEAK,
# DEBUG_OBJECTS, KPROBES, DEBUG_FS; see config.fragment), build the module
# against it, boot it in QEMU and run the whole VM suite (suite check) and
# the reduced stress suite (suite stress, scale check) in one boot.
# kmemleak's boot-time suspects are cleared first (case 69); at the end
# the runner scans twice and fails on any entry, and on any lockdep splat,
# KASAN report, sleeping-in-atomic, WARN or BUG in dmesg. The host side
# checks the console log for the same.
#
#   tests/debug-kernel/run.sh [--timeout SECONDS] [--cases "NAME ..."]
#
# Environment: SMART_MADVISE_CACHE (the kernel is cached in
# $SMART_MADVISE_CACHE/debug-kernel), SMART_MADVISE_JOBS (make -j).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
TIMEOUT=5400
CASES=""
while [ $# -gt 0 ]; do
	case "$1" in
	--timeout) TIMEOUT=$2; shift 2 ;;
	--cases) CASES=$2; shift 2 ;;
	*) echo "usage: $0 [--timeout SECONDS] [--cases \"NAME ...\"]" >&2; exit 2 ;;
	esac
done

kdir=$("$here/build.sh")
export SMART_MADVISE_KERNEL_IMAGE=$kdir/arch/x86/boot/bzImage
export SMART_MADVISE_KDIR=$kdir
export SMART_MADVISE_BUILD=${SMART_MADVISE_BUILD:-$repo/build/debug-kernel}
# everything is several times slower under KASAN + lockdep in TCG
export SMART_MADVISE_CASE_TIMEOUT=${SMART_MADVISE_CASE_TIMEOUT:-1800}
krel=$(cat "$kdir/include/config/kernel.release")

if [ -z "$CASES" ]; then
	CASES="69-kmemleak-clear"
	for c in $(sed 's/#.*//' "$repo/tests/vm/suites/check" "$repo/tests/vm/suites/stress"); do
		case " $CASES " in *" $c "*) ;; *) CASES="$CASES $c" ;; esac
	done
fi
echo "# debug kernel $krel ($kdir)"
echo "# cases: $CASES"
rc=0
"$repo/tests/vm/run.sh" --cases "$CASES" --scale check --timeout "$TIMEOUT" || rc=$?

# Host side: the same patterns in the console log (a splat that killed
# the guest before the runner's own check still shows there).
log=$SMART_MADVISE_BUILD/$krel/console.log
pat='BUG: KASAN|WARNING: possible|possible recursive locking|inconsistent lock state|BUG: sleeping function called from invalid context|kmemleak: [0-9]+ new suspected|ODEBUG|BUG:|WARNING:|Oops'
if [ -f "$log" ] && tr -d '\r' < "$log" | grep -E "$pat" > "$SMART_MADVISE_BUILD/splats.txt"; then
	echo "not ok - debug kernel: the console log shows:"
	head -n 40 "$SMART_MADVISE_BUILD/splats.txt" | sed 's/^/#   /'
	echo "0 passed, 1 failed"
	exit 1
fi
exit "$rc"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: build (or reuse) the debug kernels, Debian's
# linux-source-6.1 (variant stock) and linux-source-6.12 with PREEMPT_RT
# (variant rt), both with PROVE_LOCKING, PROVE_RAW_LOCK_NESTING,
# DEBUG_ATOMIC_SLEEP, KASAN, KMEMLEAK, DEBUG_OBJECTS (config.fragment,
# rt.fragment), build the module against each, boot it in QEMU and run the
# whole VM suite (suite check) and the reduced stress suite (suite stress,
# scale check) in one boot per variant.
# kmemleak's boot-time suspects are cleared first (case 69); at the end
# the runner scans twice and fails on any entry, and on any lockdep splat,
# KASAN report, sleeping-in-atomic, WARN or BUG in dmesg. The host side
# checks the console log for the same.
#
#   tests/debug-kernel/run.sh [--variant stock|rt|all] [--cached]
#                             [--suites "check stress"]
#                             [--timeout SECONDS] [--cases "NAME ..."]
#
# --cached runs only the variants already built (make check does that).
#
# Environment: SMART_MADVISE_CACHE (the kernel is cached in
# $SMART_MADVISE_CACHE/debug-kernel), SMART_MADVISE_JOBS (make -j).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
TIMEOUT=5400
CASES=""
SUITES="check stress"
VARIANTS="stock rt"
CACHED=0
while [ $# -gt 0 ]; do
	case "$1" in
	--timeout) TIMEOUT=$2; shift 2 ;;
	--cases) CASES=$2; shift 2 ;;
	--suites) SUITES=$2; shift 2 ;;
	--variant) VARIANTS=$2; [ "$2" = all ] && VARIANTS="stock rt"; shift 2 ;;
	--cached) CACHED=1; shift ;;
	*) echo "usage: $0 [--variant stock|rt|all] [--cached] [--suites \"check stress\"] [--timeout SECONDS] [--cases \"NAME ...\"]" >&2; exit 2 ;;
	esac
done

if [ -z "$CASES" ]; then
	CASES="69-module-kmemleak-baseline"
	# shellcheck disable=SC2086 # a list of suite names
	for c in $(cd "$repo/tests/vm/suites" && sed 's/#.*//' $SUITES); do
		case " $CASES " in *" $c "*) ;; *) CASES="$CASES $c" ;; esac
	done
fi
# everything is several times slower under KASAN + lockdep in TCG
export SMART_MADVISE_CASE_TIMEOUT=${SMART_MADVISE_CASE_TIMEOUT:-1800}
build_root=${SMART_MADVISE_BUILD:-$repo/build/debug-kernel}
pat='BUG: KASAN|WARNING: possible|possible recursive locking|inconsistent lock state|BUG: sleeping function called from invalid context|Invalid wait context|kmemleak: [0-9]+ new suspected|ODEBUG|BUG:|WARNING:|Oops'

# run_variant VARIANT: the suites on one debug kernel; its TAP, and a
# "not ok" when its console log shows a splat.
run_variant() {
	local variant=$1 kdir krel log rc=0
	if [ "$CACHED" = 1 ]; then
		kdir=$("$here/build.sh" --variant "$variant" --cached) || {
			echo "ok 1 debug kernel $variant # SKIP not built (make check-debug builds it)"
			return 0
		}
	else
		kdir=$("$here/build.sh" --variant "$variant")
	fi
	export SMART_MADVISE_KERNEL_IMAGE=$kdir/arch/x86/boot/bzImage
	export SMART_MADVISE_KDIR=$kdir
	export SMART_MADVISE_BUILD=$build_root/$variant
	krel=$(cat "$kdir/include/config/kernel.release")
	echo "# debug kernel $variant: $krel ($kdir)"
	echo "# cases: $CASES"
	"$repo/tests/vm/run.sh" --cases "$CASES" --scale check --timeout "$TIMEOUT" || rc=$?

	# Host side: the same patterns in the console log (a splat that killed
	# the guest before the runner's own check still shows there).
	log=$SMART_MADVISE_BUILD/$krel/console.log
	if [ -f "$log" ] && tr -d '\r' < "$log" | grep -E "$pat" > "$SMART_MADVISE_BUILD/splats.txt"; then
		echo "not ok - debug kernel $variant: the console log shows:"
		head -n 40 "$SMART_MADVISE_BUILD/splats.txt" | sed 's/^/#   /'
		rc=1
	fi
	return "$rc"
}

P=0 F=0 S=0 rc=0
mkdir -p "$build_root"
for v in $VARIANTS; do
	run_variant "$v" | tee "$build_root/$v.log" || rc=1
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$build_root/$v.log" | tail -n1 || true)
	if [ -n "$line" ]; then
		P=$((P + $(cut -d' ' -f1 <<< "$line"))) F=$((F + $(cut -d' ' -f3 <<< "$line")))
	elif grep -q '# SKIP' "$build_root/$v.log"; then
		S=$((S + 1))
	fi
	grep -q '^not ok - debug kernel' "$build_root/$v.log" && F=$((F + 1))
done
[ "$rc" = 0 ] || [ "$F" -gt 0 ] || F=1
line="$P passed, $F failed"
[ "$S" -gt 0 ] && line+=", $S skipped"
echo "$line"
[ "$F" -eq 0 ]

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of the kernel resolver (tests/vm/kernels.sh), as root:
#  - every series of tests/vm/kernels.list resolves, today, to a release
#    whose packages Debian's archive serves (apt-get download --print-uris);
#  - a pinned release that the archive no longer has fails with a message
#    that names the override, as the last line, with no apt error before it;
#  - with the archive unreachable, the newest cached release of each series
#    is used, and the output says so;
#  - a pinned release that is cached is used without the archive.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/tap.sh source-path=SCRIPTDIR
. "$REPO/tests/lib/tap.sh"
# shellcheck source=vm/common.sh
. "$REPO/tests/vm/common.sh"
[ "$(id -u)" -eq 0 ] || ktap_skip_all "the resolver fetches kernels: run as root"

WORK=$(mktemp -d /tmp/smadv-resolve.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ktap_print_header

resolver() { SMART_MADVISE_BUILD=$WORK/build "$REPO/tests/vm/kernels.sh" "$@"; }
resolved() { cut -d' ' -f1 "$WORK/build/kernels/$1"; }
unreachable="http://127.0.0.1:9/debian http://127.0.0.1:9/debian-security"
mapfile -t series < <(series_select all | cut -d' ' -f1)

# 1. today's archive
for s in "${series[@]}"; do
	if resolver --uris --kernel "$s" > "$WORK/uris-$s" 2> "$WORK/uris-$s.err" &&
	   grep -q "^$s [^ ]* .*/linux-image-" "$WORK/uris-$s" &&
	   grep -q "^$s [^ ]* .*/linux-headers-" "$WORK/uris-$s" &&
	   grep -q "^$s [^ ]* .*/linux-kbuild-" "$WORK/uris-$s"; then
		ktap_test_pass "series $s resolves to $(cut -d' ' -f2 "$WORK/uris-$s" | head -n1), served by the archive today ($(wc -l < "$WORK/uris-$s") packages)"
	else
		cat "$WORK/uris-$s" >> "$WORK/uris-$s.err"
		ktap_test_fail "series $s: the archive does not serve its current release" "$WORK/uris-$s.err"
	fi
done
resolver > "$WORK/today.log" 2>&1 || ktap_test_fail "the resolver failed to fetch today's kernels" "$WORK/today.log"
s=${series[0]}

# 2. a pinned release the archive no longer has
gone="6.1.0-1-cloud-amd64"
if SMART_MADVISE_PIN="$s=$gone" resolver --kernel "$s" > "$WORK/gone.log" 2>&1; then
	ktap_test_fail "a pin to $gone, a release no archive serves, was accepted" "$WORK/gone.log"
elif tail -n1 "$WORK/gone.log" | grep -q "pinned release $gone.*SMART_MADVISE_PIN" &&
     ! grep -q '^E: ' "$WORK/gone.log"; then
	ktap_test_pass "a pin to a release the archive no longer has fails naming SMART_MADVISE_PIN"
else
	ktap_test_fail "a pin to $gone failed without naming the override last" "$WORK/gone.log"
fi

# 3. archive unreachable: the cached release of every series
if SMART_MADVISE_MIRROR=$unreachable resolver > "$WORK/offline.log" 2>&1; then
	for t in "${series[@]}"; do
		krel=$(resolved "$t")
		if grep -q "kernel $t: OFFLINE FALLBACK, using the newest cached release $krel" "$WORK/offline.log" &&
		   [ -f "$(kernel_stamp "$krel")" ]; then
			ktap_test_pass "archive unreachable: series $t uses its cached $krel and says so"
		else
			ktap_test_fail "archive unreachable: series $t did not fall back on a cached release" "$WORK/offline.log"
		fi
	done
else
	ktap_test_fail "the resolver failed with the archive unreachable and kernels cached" "$WORK/offline.log"
fi

# 4. a cached pin needs no archive
krel=$(resolved "$s")
if SMART_MADVISE_MIRROR=$unreachable SMART_MADVISE_PIN="$s=$krel" resolver --kernel "$s" > "$WORK/pin.log" 2>&1 &&
   [ "$(resolved "$s")" = "$krel" ] && grep -q "$krel (pinned, cached)" "$WORK/pin.log"; then
	ktap_test_pass "a pin to the cached $krel works with the archive unreachable"
else
	ktap_test_fail "a pin to the cached $krel failed offline" "$WORK/pin.log"
fi
ktap_finished

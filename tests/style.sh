#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Kernel style: checkpatch.pl --strict from Debian's linux-source-6.1 on
# every C file of the module and its unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${SMART_MADVISE_CACHE:-$HOME/.cache/smart-madvise}
cp="$cache/checkpatch/scripts/checkpatch.pl"
# shellcheck source=lib/apt.sh
. tests/lib/apt.sh

if [ ! -x "$cp" ]; then
	tarball=$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null || true)
	if [ -z "$tarball" ]; then
		echo "==> installing linux-source-6.1 for checkpatch.pl"
		apt_install linux-source-6.1 >/dev/null
		tarball=/usr/src/linux-source-6.1.tar.xz
	fi
	mkdir -p "$cache/checkpatch"
	tar -xJf "$tarball" -C "$cache/checkpatch" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
fi

files=(src/*.c src/*.h src/uapi/*.h tests/unit/*.c)
out=$("$cp" --strict --no-tree --terse --show-types -f "${files[@]}" || true)
bad=$(grep -v ' 0 errors, 0 warnings, 0 checks' <<<"$out" || true)
if [ -n "$bad" ]; then
	echo "$bad"
	echo "not ok checkpatch --strict"
	exit 1
fi
echo "ok checkpatch --strict (${#files[@]} files)"

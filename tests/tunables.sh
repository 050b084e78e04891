#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every copy of the tunables list (tools, packaging, ABI docs, bash
# completion, the tunables case's table, the administrator's guide) agrees
# with the one definition the module is built from, src/tunables_list.h:
# same names, ranges and defaults, same read-only files.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ktap_print_header
if ! cc -Wall -Wextra -Werror -Isrc -o "$out/list" tests/tunables/list.c 2> "$out/cc.log"; then
	ktap_test_fail "the definition compiles in user space" "$out/cc.log"
	ktap_finished
	exit
fi
"$out/list" > "$out/list.txt"
ktap_print_msg "$(grep -c '^rw' "$out/list.txt") tunables, $(grep -c '^ro' "$out/list.txt") read-only files"
for copy in tools modprobe.d "ABI docs" completion "case tunables" "admin guide"; do
	if python3 tests/tunables/compare.py "$out/list.txt" "$copy" > "$out/diff.log" 2>&1; then
		ktap_test_pass "$copy agrees with src/tunables_list.h"
	else
		ktap_test_fail "$copy agrees with src/tunables_list.h" "$out/diff.log"
	fi
done
ktap_finished

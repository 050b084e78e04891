#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Style:
#  - checkpatch.pl --strict from Debian's linux-source-6.1 on every C file of
#    the module and its unit tests;
#  - shellcheck on every shell script of the tree (*.sh, and the files whose
#    shebang or "# shellcheck shell=" directive names a shell), following
#    what they source; the guests' /tests/lib.sh is tests/vm/guest/lib.sh.
# Prints TAP and ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${SMART_MADVISE_CACHE:-$HOME/.cache/smart-madvise}
cp="$cache/checkpatch/scripts/checkpatch.pl"
# shellcheck source=lib/apt.sh
. tests/lib/apt.sh
# shellcheck source=lib/tap.sh
. tests/lib/tap.sh
ktap_print_header

# --- checkpatch --------------------------------------------------------------
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

# The tunables' one definition is an X-macro list (src/tunables_list.h)
# and the code expanding it; checkpatch can't parse X-macros, so on those
# three files, and only there, the three checks it misreads them with are
# off. Everything else in them is checked.
xmacro=(src/tunables_list.h src/tunables.h src/tunables.c)
files=()
for f in src/*.c src/*.h src/uapi/*.h tests/unit/*.c; do
	[[ " ${xmacro[*]} " == *" $f "* ]] || files+=("$f")
done
out=$("$cp" --strict --no-tree --terse --show-types -f "${files[@]}" || true)
out+=$'\n'$("$cp" --strict --no-tree --terse --show-types \
	--ignore COMPLEX_MACRO,MACRO_ARG_REUSE,TRAILING_SEMICOLON \
	-f "${xmacro[@]}" || true)
files+=("${xmacro[@]}")
bad=$(grep -v ' 0 errors, 0 warnings, 0 checks' <<<"$out" || true)
if [ -z "$bad" ]; then
	ktap_test_pass "checkpatch --strict (${#files[@]} files)"
else
	while IFS= read -r line; do ktap_print_msg "$line"; done <<<"$bad"
	ktap_test_fail "checkpatch --strict"
fi

# --- shellcheck --------------------------------------------------------------
if ! command -v shellcheck >/dev/null; then
	echo "==> installing shellcheck"
	apt_install shellcheck >/dev/null
fi
# is_shell FILE: FILE is a shell script by its name, shebang or directive
is_shell() {
	case $1 in *.sh) return 0 ;; esac
	head -n 3 "$1" 2>/dev/null |
		grep -qE '^#!/[^ ]*(/| )(ba|da)?sh( |$)|^#!/usr/bin/env (ba|da)?sh( |$)|^# shellcheck shell='
}
scripts=()
while IFS= read -r -d '' f; do
	if [ -f "$f" ] && is_shell "$f"; then scripts+=("$f"); fi
done < <(git ls-files -z --cached --others --exclude-standard)
# The guests run their cases with /tests/lib.sh: give shellcheck a root
# where that absolute path is tests/vm/guest/lib.sh.
guest=$(mktemp -d)
trap 'rm -rf "$guest"' EXIT
ln -s "$PWD/tests/vm/guest" "$guest/tests"
if shellcheck -x -P "SCRIPTDIR:$guest" -f gcc "${scripts[@]}" >"$guest/out" 2>&1; then
	ktap_test_pass "shellcheck (${#scripts[@]} scripts)"
else
	sed 's/^/# /' "$guest/out"
	ktap_test_fail "shellcheck ($(cut -d: -f1 "$guest/out" | sort -u | wc -l) of ${#scripts[@]} scripts)"
fi

ktap_finished

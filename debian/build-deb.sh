#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the unsigned smart-madvise packages (source + binaries) from a clean
# copy of the tree, then check them with lintian.  This is `make deb`.
#
#   debian/build-deb.sh [--no-lintian] [--binary-only]
#
# Results: out/deb/ (or $SMART_MADVISE_DEB_OUT): *.deb, *.dsc, *.tar.xz,
# *.changes, *.buildinfo and lintian.txt.
# The copy holds the files git knows about (tracked, plus untracked ones that
# are not ignored), so build products in the work tree never leak in.
# Needs no root (Rules-Requires-Root: no).  Missing build tools are installed
# with apt-get when run as root; otherwise the command to run is printed.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${SMART_MADVISE_DEB_OUT:-$top/out/deb}
lint=yes
build=full
for arg in "$@"; do
	case $arg in
	--no-lintian) lint=no ;;
	--binary-only) build=binary ;;
	*) echo "usage: $0 [--no-lintian] [--binary-only]" >&2; exit 2 ;;
	esac
done

say() { printf '[deb] %s\n' "$*"; }
die() { printf '[deb] ERROR: %s\n' "$*" >&2; exit 1; }

# --- build tools -----------------------------------------------------------
need_pkgs=(dpkg-dev debhelper dh-dkms fakeroot make gcc libc6-dev)
[ $lint = yes ] && need_pkgs+=(lintian)
missing=()
for p in "${need_pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		die "missing build tools: ${missing[*]}; run: sudo apt-get install --no-install-recommends ${missing[*]}"
	fi
	say "installing build tools: ${missing[*]}"
	# shellcheck source=../tests/lib/apt.sh
	. "$top/tests/lib/apt.sh"
	apt_install "${missing[@]}" || die "could not install ${missing[*]}"
fi

# --- version ---------------------------------------------------------------
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
[ -n "$version" ] || die "no PACKAGE_VERSION in dkms.conf"
clog=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
[ "$clog" = "$version" ] ||
	die "version mismatch: dkms.conf PACKAGE_VERSION=$version, debian/changelog=$clog"

# --- clean copy --------------------------------------------------------------
stage=$out/.build
src=$stage/smart-madvise-$version
rm -rf "$out"
mkdir -p "$src"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -xf - -C "$src"
else
	tar -C "$top" --exclude=./.git --exclude=./out --exclude=./build \
		--exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' -cf - . | tar -xf - -C "$src"
fi

# --- build -----------------------------------------------------------------
say "building smart-madvise $version ($build) in $src"
(cd "$src" && dpkg-buildpackage --build=$build -us -uc -J) \
	>"$out/build.log" 2>&1 || { tail -n 40 "$out/build.log" >&2; die "dpkg-buildpackage failed, see $out/build.log"; }
find "$stage" -maxdepth 1 -type f -exec mv -t "$out" {} +
rm -rf "$stage"
say "packages in $out:"
for d in "$out"/*.deb; do printf '  %s\n' "${d##*/}"; done

# --- lintian ---------------------------------------------------------------
if [ $lint = yes ]; then
	changes=$(ls "$out"/*.changes)
	say "lintian $(basename "$changes")"
	rc=0
	lintian --info --display-info --fail-on error,warning "$changes" >"$out/lintian.txt" 2>&1 || rc=$?
	sed 's/^/  /' "$out/lintian.txt"
	[ $rc -eq 0 ] || die "lintian reported errors or warnings (exit $rc)"
	say "lintian: 0 errors, 0 warnings"
fi

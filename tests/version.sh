#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# One version: dkms.conf's PACKAGE_VERSION is the single source; check that
# debian/changelog, the module's MODULE_VERSION (modinfo -F version of built
# modules) and the built packages all carry the same one.
#
#   tests/version.sh [MODULE.ko[.xz]...]
#
# Without arguments it checks every smart_madvise.ko* under the top
# directory, build/ and out/; with arguments, those modules.  It always
# checks every .deb in out/deb/.  Prints ok/not ok
# per check and a final "N passed, N failed" line; exits 1 on any failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
# shellcheck source=lib/tap.sh
. tests/lib/tap.sh
check() { local what=$1; shift; if "$@"; then ktap_test_pass "$what"; else ktap_test_fail "$what"; fi; }
ktap_print_header

# 1. dkms.conf: exactly one PACKAGE_VERSION="X.Y.Z"
lines=$(grep -c '^PACKAGE_VERSION=' dkms.conf)
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
if [ "$lines" = 1 ] && [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	ktap_test_pass "dkms.conf PACKAGE_VERSION=$version"
else
	ktap_test_fail "dkms.conf must have exactly one PACKAGE_VERSION=\"X.Y.Z\" line (found $lines: '$version')"
fi

# 2. debian/changelog (native package: the version is the same string)
clog=$(dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null ||
	sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' debian/changelog)
check "debian/changelog version '$clog' (dkms.conf: '$version')" [ "$clog" = "$version" ]

# 3. Kbuild takes the version from dkms.conf, the module exports it
check "Kbuild derives SMART_MADVISE_VERSION from dkms.conf" \
	grep -q 'SMART_MADVISE_VERSION.*dkms\.conf' Kbuild
check "src/ sets MODULE_VERSION(SMART_MADVISE_VERSION)" \
	grep -rqs 'MODULE_VERSION(SMART_MADVISE_VERSION)' src

# 4. built modules
kos=("$@")
if [ $# -eq 0 ]; then
	mapfile -t kos < <(find . -maxdepth 1 -name 'smart_madvise.ko*' 2>/dev/null;
		find build out -name 'smart_madvise.ko*' 2>/dev/null)
fi
for ko in "${kos[@]}"; do
	mv=$(modinfo -F version "$ko" 2>/dev/null)
	check "modinfo -F version $ko = '$mv'" [ "$mv" = "$version" ]
done
[ ${#kos[@]} -gt 0 ] || ktap_print_msg "no built module found: MODULE_VERSION not checked here"

# 5. built packages
for deb in out/deb/*.deb; do
	[ -e "$deb" ] || continue
	dv=$(dpkg-deb -f "$deb" Version)
	check "$(basename "$deb") Version '$dv'" [ "$dv" = "$version" ]
	case $(basename "$deb") in
	smart-madvise-dkms_*)
		cv=$(dpkg-deb --fsys-tarfile "$deb" |
			tar -xOf - "./usr/src/smart-madvise-$version/dkms.conf" 2>/dev/null |
			sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p')
		check "$(basename "$deb") ships /usr/src/smart-madvise-$version/dkms.conf ($cv)" \
			[ "$cv" = "$version" ] ;;
	esac
done

ktap_finished

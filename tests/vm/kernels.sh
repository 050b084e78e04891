#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian kernel images and headers for the VM suite into the cache
# (${SMART_MADVISE_CACHE:-$HOME/.cache/smart-madvise}) with apt-get download
# and dpkg -x. Nothing is installed and /boot is never touched.
#
#   tests/vm/kernels.sh [--kernel 6.1|6.12|RELEASE|all] [--print]
#
# Idempotent: a stamp per kernel release marks a complete extraction.
set -euo pipefail
# shellcheck source=common.sh source-path=SCRIPTDIR
. "$(dirname "$0")/common.sh"

apt_show_field() { # pkg field
	apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n "s/^$2: //p" | head -n1
}

pkg_version() {
	local v
	v=$(apt_show_field "$1" Version)
	if [ -z "$v" ]; then
		apt_update_once
		v=$(apt_show_field "$1" Version)
	fi
	[ -n "$v" ] || die "package $1 not found in the apt lists"
	printf '%s\n' "$v"
}

# The linux-headers-*-common and linux-kbuild-* packages a headers package needs.
headers_deps() {
	apt_show_field "$1" Depends | sed 's/[,|]/\n/g' |
		sed -n 's/^ *\(linux-\(headers-[^ ]*-common\|kbuild-[^ ]*\)\).*/\1/p' | sort -u
}

fetch_kernel() {
	local krel=$1 dir root ver hdr img stamp p debs=()
	dir=$SM_CACHE/kernels/$krel
	root=$(kernel_root "$krel")
	stamp=$(kernel_stamp "$krel")
	if [ -f "$stamp" ] && [ -f "$(kernel_image "$krel")" ] &&
	   [ -f "$(kernel_headers "$krel")/Makefile" ]; then
		msg "kernel $krel: cached"
		return 0
	fi
	msg "kernel $krel: fetching into $dir"
	hdr=linux-headers-$krel
	img=linux-image-$krel
	ver=$(pkg_version "$hdr")
	[ -n "$(apt_show_field "$img" Version)" ] || img=$img-unsigned
	debs=("$img=$ver" "$hdr=$ver")
	for p in $(headers_deps "$hdr"); do
		debs+=("$p=$ver")
	done
	rm -rf "$dir"
	mkdir -p "$dir/debs" "$root"
	if ! (cd "$dir/debs" && apt-get download -q -o APT::Sandbox::User=root "${debs[@]}"); then
		apt_update_once
		(cd "$dir/debs" && apt-get download -q -o APT::Sandbox::User=root "${debs[@]}") ||
			die "apt-get download failed for ${debs[*]}"
	fi
	for p in "$dir"/debs/*.deb; do
		dpkg -x "$p" "$root"
	done
	rm -rf "$dir/debs"

	# Debian's per-flavour headers include the -common tree by an absolute
	# path; point that (and any absolute symlink) at the cache copy.
	local hd
	hd=$(kernel_headers "$krel")
	[ -f "$hd/Makefile" ] || die "no headers Makefile in $hd"
	sed -i "s|^\(include[[:space:]]\+\)/usr/src/|\1$root/usr/src/|" "$hd/Makefile"
	grep -q "$root/usr/src/" "$hd/Makefile" || die "could not rewrite include path in $hd/Makefile"
	local l t
	while IFS= read -r l; do
		t=$(readlink "$l")
		case "$t" in /usr/*|/lib/*) ln -sfn "$root$t" "$l" ;; esac
	done < <(find "$root/usr/src" "$root/lib/modules" -type l -lname '/*')
	[ -f "$(kernel_image "$krel")" ] || die "no kernel image for $krel"
	touch "$stamp"
	msg "kernel $krel: ready"
}

main() {
	local want=all print=0 short krel
	while [ $# -gt 0 ]; do
		case "$1" in
		--kernel) want=$2; shift 2 ;;
		--print) print=1; shift ;;
		-h|--help) sed -n '3,11p' "$0"; exit 0 ;;
		*) die "unknown argument $1" ;;
		esac
	done
	install_pkgs apt dpkg
	# one fetcher at a time: several checkouts may share the cache
	mkdir -p "$SM_CACHE/kernels"
	exec 9> "$SM_CACHE/kernels/.lock"
	flock 9
	while read -r short krel; do
		fetch_kernel "$krel"
		if [ "$print" = 1 ]; then
			printf '%s %s %s %s\n' "$short" "$krel" "$(kernel_image "$krel")" "$(kernel_headers "$krel")"
		fi
	done < <(kernels_select "$want")
}

main "$@"

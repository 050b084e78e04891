#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Resolve each kernel series of tests/vm/kernels.list to the release Debian's
# archive serves today, and fetch its image, modules, headers, -common and
# linux-kbuild packages into the cache
# (${SMART_MADVISE_CACHE:-$HOME/.cache/smart-madvise}) with apt-get download
# and dpkg -x. Nothing is installed and /boot is never touched.
#
#   tests/vm/kernels.sh [--kernel NAME|RELEASE|all] [--print] [--uris]
#
# --uris resolves against the archive only, fetches nothing, and prints
# "NAME RELEASE URI" for every package of each release (fails when the
# archive does not serve one).
# The series' metapackage (linux-image-FLAVOUR) names the release; its
# highest candidate across the suite's main, -updates and -security wins.
# When the archive cannot be reached or cannot serve it, the newest cached
# release of the series is used, with a warning. Pin a release instead with
#   SMART_MADVISE_PIN="6.1=6.1.0-57-cloud-amd64 6.12=..."
# or one "NAME RELEASE" per line in the file SMART_MADVISE_PIN_FILE.
# The result goes to $SM_BUILD/kernels/NAME ("RELEASE SUITE ARCH"), which
# kernels_select (common.sh) reads.
set -euo pipefail
# shellcheck source=common.sh source-path=SCRIPTDIR
. "$(dirname "$0")/common.sh"

# pinned_release NAME: the pinned release of a series, if any.
pinned_release() {
	local name=$1 p n r
	for p in ${SMART_MADVISE_PIN:-}; do
		[ "${p%%=*}" = "$name" ] && { printf '%s\n' "${p#*=}"; return 0; }
	done
	if [ -n "${SMART_MADVISE_PIN_FILE:-}" ]; then
		[ -r "$SMART_MADVISE_PIN_FILE" ] || die "SMART_MADVISE_PIN_FILE=$SMART_MADVISE_PIN_FILE: not readable"
		while read -r n r _; do
			[ "$n" = "$name" ] && [ -n "$r" ] && { printf '%s\n' "$r"; return 0; }
		done < "$SMART_MADVISE_PIN_FILE"
	fi
	return 0
}

# dep_pkgs SUITE ARCH PKG REGEX: "NAME VERSION" of each package PKG depends
# on whose name matches REGEX (extended, whole name); VERSION only when the
# dependency is exact (=).
dep_pkgs() {
	archive_field "$1" "$2" "$3" Depends | awk -v re="^($4)\$" '
		{ n = split($0, d, /, */)
		  for (i = 1; i <= n; i++) {
			sub(/ *\|.*/, "", d[i])
			split(d[i], w, /[ ()]+/)
			if (w[1] ~ re) print w[1], (w[2] == "=" ? w[3] : "")
		  } }'
}

# newest_cached SERIES-KEY: the cached release of a series with the highest
# package version.
newest_cached() {
	local key=$1 f best='' bestv='' line v
	for f in "$SM_CACHE"/kernels/*/series; do
		[ -f "$f" ] || continue
		line=$(cat "$f")
		v=${line##* }
		[ "${line% *}" = "$key" ] || continue
		f=${f%/series}
		[ -f "$f/.ready" ] || continue
		if [ -z "$bestv" ] || dpkg --compare-versions "$v" gt "$bestv"; then
			best=${f##*/} bestv=$v
		fi
	done
	printf '%s\n' "$best"
}

# release_debs SUITE ARCH KREL: set DEBS to the PKG=VERSION of one release's
# image, modules, headers, -common and linux-kbuild packages.
release_debs() {
	local suite=$1 arch=$2 krel=$3 ver img hdr p v
	hdr=linux-headers-$krel
	img=linux-image-$krel
	ver=$(archive_field "$suite" "$arch" "$hdr" Version)
	[ -n "$ver" ] || return 1
	[ -n "$(archive_field "$suite" "$arch" "$img" Version)" ] || img=$img-unsigned
	DEBS=("$img=$ver" "$hdr=$ver")
	# From 7.x linux-image-KREL is empty: the kernel comes in
	# linux-binary-KREL, the modules in linux-modules-KREL and
	# modules.builtin, System.map and config in linux-base-KREL. The headers
	# need -common and kbuild.
	while read -r p v; do
		[ -n "$v" ] || v=$(archive_field "$suite" "$arch" "$p" Version)
		DEBS+=("$p=$v")
	done < <(dep_pkgs "$suite" "$arch" "$img" 'linux-(modules|binary|base)-[^ ]+'
		 dep_pkgs "$suite" "$arch" "$hdr" 'linux-(headers-[^ ]*-common[^ ]*|kbuild-[^ ]+)')
	RELEASE_VERSION=$ver
}

# host_kbuild SUITE ARCH ROOT PKG=VERSION: put the host's build of a
# foreign-architecture release's linux-kbuild into ROOT. The ARCH package's
# fixdep and modpost cannot run here; the headers' scripts and tools links
# (../../lib/linux-kbuild-X) then reach the host's, of the very version the
# headers depend on: from the archive, else from a cached host release of
# that version. Anything else fails: another version's modpost is not safe.
host_kbuild() {
	local suite=$1 arch=$2 root=$3 dep=$4 host pkg ver f a v tmp
	host=$(dpkg --print-architecture)
	pkg=${dep%%=*} ver=${dep#*=}
	tmp=$root/../kbuild-debs
	rm -rf "$tmp"
	mkdir -p "$tmp"
	if { archive_update "$suite" "$host" || true; } &&
	   archive_download "$suite" "$host" "$tmp" "$pkg=$ver" >&2; then
		dpkg -x "$tmp"/*.deb "$root"
		rm -rf "$tmp"
		return 0
	fi
	rm -rf "$tmp"
	for f in "$SM_CACHE"/kernels/*/series; do
		read -r _ a _ v < "$f" || continue
		if [ "$a" != "$host" ] || [ "$v" != "$ver" ] ||
		   [ ! -d "${f%/series}/root/usr/lib/$pkg" ]; then
			continue
		fi
		warn "$pkg=$ver ($host) not served by the archive: copying it from ${f%/series}"
		mkdir -p "$root/usr/lib"
		cp -a "${f%/series}/root/usr/lib/$pkg" "$root/usr/lib/"
		return 0
	done
	die "the $arch headers need $pkg=$ver for $host: the $suite archive does not serve it and no cached $host release has it"
}

# split_kbuild ARCH: for a foreign ARCH, move linux-kbuild out of DEBS
# into KBUILD (host_kbuild fetches the host's); else KBUILD is empty.
split_kbuild() {
	local p debs=()
	KBUILD=''
	for p in "${DEBS[@]}"; do
		case "$p" in
		linux-kbuild-*) [ "$1" != "$(dpkg --print-architecture)" ] && { KBUILD=$p; continue; } ;;
		esac
		debs+=("$p")
	done
	DEBS=("${debs[@]}")
}

# fetch_release SUITE ARCH KREL: download and extract one release.
fetch_release() {
	local suite=$1 arch=$2 krel=$3 dir root p kbuild
	dir=$SM_CACHE/kernels/$krel
	root=$(kernel_root "$krel")
	release_debs "$suite" "$arch" "$krel" || return 1
	split_kbuild "$arch"
	local debs=("${DEBS[@]}") ver=$RELEASE_VERSION
	kbuild=$KBUILD
	msg "kernel $krel: fetching ${debs[*]}${kbuild:+ ($kbuild for the host)}"
	rm -rf "$dir"
	mkdir -p "$dir/debs" "$root"
	archive_download "$suite" "$arch" "$dir/debs" "${debs[@]}" >&2 || { rm -rf "$dir"; return 1; }
	for p in "$dir"/debs/*.deb; do
		dpkg -x "$p" "$root"
	done
	rm -rf "$dir/debs"
	[ -z "$kbuild" ] || host_kbuild "$suite" "$arch" "$root" "$kbuild"

	# Debian's per-flavour headers include the -common tree by an absolute
	# path (7.x also sets KBUILD_OUTPUT to its own one); point those (and
	# any absolute symlink) at the cache copy.
	local hd l t
	hd=$(kernel_headers "$krel")
	[ -f "$hd/Makefile" ] || die "no headers Makefile in $hd"
	sed -E -i "s#^(include[[:space:]]+|KBUILD_OUTPUT[[:space:]]*:?=[[:space:]]*)/usr/src/#\1$root/usr/src/#" "$hd/Makefile"
	grep -q "$root/usr/src/" "$hd/Makefile" || die "could not rewrite include path in $hd/Makefile"
	while IFS= read -r l; do
		t=$(readlink "$l")
		case "$t" in /usr/*|/lib/*) ln -sfn "$root$t" "$l" ;; esac
	done < <(find "$root/usr/src" "$(kernel_modules "$krel")" -type l -lname '/*')
	[ -f "$(kernel_image "$krel")" ] || die "no kernel image for $krel"
	host_tools_ok "$krel" || die "kernel $krel: the headers' scripts/basic/fixdep is not a $(dpkg --print-architecture) program"
	printf '%s %s\n' "$SERIES_KEY" "$ver" > "$dir/series"
	touch "$(kernel_stamp "$krel")"
}

# host_tools_ok KREL: the headers' build programs run on this host.
host_tools_ok() {
	local fixdep want
	fixdep=$(kernel_headers "$1")/scripts/basic/fixdep
	want=$(elf_machine /bin/sh)
	[ -n "$want" ] && [ "$(elf_machine "$fixdep")" = "$want" ]
}
elf_machine() { LC_ALL=C readelf -h "$1" 2>/dev/null | sed -n 's/^ *Machine: *//p'; }

# resolve NAME SUITE ARCH FLAVOUR: set RESOLVED to the release to use, fetched.
resolve() {
	local name=$1 suite=$2 arch=$3 flavour=$4 pin krel='' ver cached
	SERIES_KEY="$suite $arch $flavour"
	pin=$(pinned_release "$name")
	if [ -n "$pin" ]; then
		if [ -f "$(kernel_stamp "$pin")" ]; then
			msg "kernel $name: $pin (pinned, cached)"
		elif ! { archive_update "$suite" "$arch" || true; fetch_release "$suite" "$arch" "$pin"; }; then
			die "kernel $name: the pinned release $pin is neither cached nor served by Debian's $suite archive ($arch). It comes from SMART_MADVISE_PIN${SMART_MADVISE_PIN_FILE:+ or $SMART_MADVISE_PIN_FILE}: unset it to use the current release of linux-image-$flavour"
		fi
		RESOLVED=$pin
		return 0
	fi
	if archive_update "$suite" "$arch"; then
		read -r krel ver < <(dep_pkgs "$suite" "$arch" "linux-image-$flavour" 'linux-image-[^ ]+') || true
		krel=${krel#linux-image-}
		krel=${krel%-unsigned}
	fi
	if [ -n "$krel" ]; then
		if [ -f "$(kernel_stamp "$krel")" ] && ! host_tools_ok "$krel"; then
			warn "kernel $name: cached $krel has no host build tools: fetching it again"
			rm -f "$(kernel_stamp "$krel")"
		fi
		if [ -f "$(kernel_stamp "$krel")" ]; then
			msg "kernel $name: $krel ($ver, linux-image-$flavour in $suite), cached"
			RESOLVED=$krel
			return 0
		fi
		if fetch_release "$suite" "$arch" "$krel"; then
			msg "kernel $name: $krel ($ver, linux-image-$flavour in $suite), fetched"
			RESOLVED=$krel
			return 0
		fi
		warn "kernel $name: Debian's $suite archive lists $krel but could not serve it"
	else
		warn "kernel $name: cannot resolve linux-image-$flavour from Debian's $suite archive ($arch; see $ARCHIVE_DIR/update.log)"
	fi
	cached=$(newest_cached "$SERIES_KEY")
	[ -n "$cached" ] || die "kernel $name: no cached release of linux-image-$flavour ($suite, $arch) to fall back on"
	warn "kernel $name: OFFLINE FALLBACK, using the newest cached release $cached"
	RESOLVED=$cached
}

# print_uris NAME SUITE ARCH FLAVOUR: where the archive serves today's release.
print_uris() {
	local name=$1 suite=$2 arch=$3 flavour=$4 krel
	archive_update "$suite" "$arch" || die "kernel $name: Debian's $suite archive is unreachable (see $ARCHIVE_DIR/update.log)"
	read -r krel _ < <(dep_pkgs "$suite" "$arch" "linux-image-$flavour" 'linux-image-[^ ]+') ||
		die "kernel $name: no linux-image-$flavour in Debian's $suite archive ($arch)"
	krel=${krel#linux-image-}
	krel=${krel%-unsigned}
	release_debs "$suite" "$arch" "$krel" || die "kernel $name: no linux-headers-$krel in the archive"
	split_kbuild "$arch"
	_print_uris "$suite" "$arch" "${DEBS[@]}"
	if [ -n "$KBUILD" ]; then
		archive_update "$suite" "$(dpkg --print-architecture)" || true
		_print_uris "$suite" "$(dpkg --print-architecture)" "$KBUILD"
	fi
}
# _print_uris SUITE ARCH PKG=VERSION... (name and krel from print_uris)
_print_uris() {
	local suite=$1 arch=$2
	shift 2
	archive_ctx "$suite" "$arch"
	apt-get "${ARCHIVE_OPTS[@]}" download --print-uris "$@" < /dev/null |
		awk -v n="$name" -v k="$krel" '{ gsub(/\047/, "", $1); print n, k, $1 } END { if (NR == 0) exit 1 }' ||
		die "kernel $name: the $arch archive does not serve $*"
}

main() {
	local want=all print=0 uris=0 name suite arch flavour krel
	while [ $# -gt 0 ]; do
		case "$1" in
		--kernel) want=$2; shift 2 ;;
		--print) print=1; shift ;;
		--uris) uris=1; shift ;;
		-h|--help) sed -n '3,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) die "unknown argument $1" ;;
		esac
	done
	install_pkgs apt dpkg
	# one resolver at a time: several checkouts may share the cache
	mkdir -p "$SM_CACHE/kernels" "$SM_BUILD/kernels"
	exec 9> "$SM_CACHE/kernels/.lock"
	flock 9
	if [ "$uris" = 1 ]; then
		while read -r name suite arch flavour; do
			print_uris "$name" "$suite" "$arch" "$flavour"
		done < <(series_select "$want")
		return 0
	fi
	while read -r name suite arch flavour; do
		resolve "$name" "$suite" "$arch" "$flavour"
		krel=$RESOLVED
		printf '%s %s %s\n' "$krel" "$suite" "$arch" > "$SM_BUILD/kernels/$name"
		if [ "$print" = 1 ]; then
			printf '%s %s %s %s\n' "$name" "$krel" "$(kernel_image "$krel")" "$(kernel_headers "$krel")"
		fi
	done < <(series_select "$want")
}

main "$@"

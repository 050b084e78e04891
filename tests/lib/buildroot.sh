# SPDX-License-Identifier: GPL-2.0
# Build roots: a Debian suite's own toolchain for building against that
# suite's kernel headers (sourced, not executed; needs apt.sh and msg/die).
#
# Debian 13's headers call x86_64-linux-gnu-gcc-14 with flags bookworm's
# gcc-12 rejects (-fmin-function-alignment=16), and their linux-kbuild tools
# link against Debian 13's libraries. So a module for a trixie kernel is built
# in a chroot made by Debian's own mmdebstrap (--variant=apt), from the same
# mirrors as tests/lib/apt.sh. The root is cached as
# $SM_CACHE/roots/SUITE-HASH (HASH: suite, packages, mirrors, this file's
# format) and made again when older than SMART_MADVISE_ROOT_MAX_AGE days
# (default 7), so it follows the suite's security updates; when that fails
# (offline), the old root is used with a warning.
# shellcheck shell=bash

BUILDROOT_FORMAT=1
# What an out-of-tree module build needs: the compiler the headers name, make,
# libc headers, perl with the modules kernel-doc loads (W=1: Pod::Usage needs
# Encode, which is in libperl, not perl-modules), and the shared libraries of
# linux-kbuild's host tools (objtool, modpost, sign-file), pahole for BTF.
BUILDROOT_PKGS=(make gcc-14 libc6-dev perl perl-modules-5.40 libelf1t64
		libssl3t64 zlib1g pahole)

# host_codename: the host's Debian codename ("bookworm").
host_codename() {
	# shellcheck disable=SC1091
	(. /etc/os-release && printf '%s\n' "${VERSION_CODENAME:-}")
}

# buildroot_sources SUITE: the deb lines of SUITE, -updates, -security and
# -backports from the host's mirrors.
buildroot_sources() {
	local suite=$1 main sec
	read -r main sec < <(_archive_mirrors)
	printf 'deb %s %s main\n' "$main" "$suite" "$main" "$suite-updates" \
		"$sec" "$suite-security" "$main" "$suite-backports"
}

# buildroot_dir SUITE: where that suite's root lives in the cache.
buildroot_dir() {
	local key
	key=$({ printf '%s\n' "$BUILDROOT_FORMAT" "$1" "${BUILDROOT_PKGS[@]}"
		buildroot_sources "$1"; } | md5sum | cut -c1-10)
	printf '%s/roots/%s-%s\n' "$SM_CACHE" "$1" "$key"
}

# buildroot_ensure SUITE: print the path of a ready root of SUITE, made (or
# made again, when stale) with mmdebstrap. Roots of SUITE with another hash
# are removed.
buildroot_ensure() {
	local suite=$1 dir age=${SMART_MADVISE_ROOT_MAX_AGE:-7} new old t0
	dir=$(buildroot_dir "$suite")
	mkdir -p "$SM_CACHE/roots"
	(
		flock 8
		if [ -f "$dir/.ready" ] && [ -z "$(find "$dir/.ready" -mtime "+$((age - 1))")" ]; then
			exit 0
		fi
		command -v mmdebstrap > /dev/null || install_pkgs mmdebstrap
		new=$dir.new.$$
		rm -rf "$new"
		t0=$SECONDS
		msg "build root: mmdebstrap --variant=apt $suite (+ ${BUILDROOT_PKGS[*]})"
		local srcs=()
		mapfile -t srcs < <(buildroot_sources "$suite")
		if ! mmdebstrap --variant=apt --mode=root --quiet \
			--include="$(IFS=,; printf '%s' "${BUILDROOT_PKGS[*]}")" \
			"$suite" "$new" "${srcs[@]}" > "$SM_CACHE/roots/$suite.log" 2>&1; then
			tail -n 20 "$SM_CACHE/roots/$suite.log" >&2
			rm -rf "$new"
			if [ -f "$dir/.ready" ]; then
				warn "mmdebstrap of $suite failed (archive unreachable?): OFFLINE FALLBACK, using the root of $(date -r "$dir/.ready" +%F)"
				exit 0
			fi
			die "mmdebstrap of $suite failed (log: $SM_CACHE/roots/$suite.log)"
		fi
		touch "$new/.ready"
		old=$dir.old.$$
		[ -d "$dir" ] && mv "$dir" "$old"
		mv "$new" "$dir"
		rm -rf "$old"
		for old in "$SM_CACHE/roots/$suite"-*; do
			[ "$old" = "$dir" ] || [ ! -d "$old" ] || rm -rf "$old"
		done
		msg "build root: $suite ready in $((SECONDS - t0))s"
	) 8> "$SM_CACHE/roots/.lock" || return 1
	printf '%s\n' "$dir"
}

# buildroot_run ROOT DIR... -- CMD...: run CMD chrooted in ROOT, with each DIR
# bind-mounted at its own path and /dev, /proc in place. The mounts live in a
# private mount namespace: they vanish with CMD, however it ends, and no other
# user of ROOT sees them. The root stays shared (flock -s) while CMD runs.
buildroot_run() {
	local root=$1 binds=() d
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		binds+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	for d in "${binds[@]}"; do
		mkdir -p "$root$d"
	done
	# shellcheck disable=SC2016 # expanded by the inner shell
	flock -s "$SM_CACHE/roots/.lock" \
	unshare --mount --propagation private -- /bin/sh -ec '
		root=$1; shift
		mount --rbind /dev "$root/dev"
		mount -t proc proc "$root/proc"
		while [ "$1" != -- ]; do mount --bind "$1" "$root$1"; shift; done
		shift
		exec chroot "$root" /usr/bin/env -i HOME=/root LC_ALL=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
	' sh "$root" "${binds[@]}" -- "$@"
}

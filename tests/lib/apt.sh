# SPDX-License-Identifier: GPL-2.0
# Debian's archive for the test harness (sourced, not executed).
#
# An archive context is one Debian suite for one architecture, with apt lists
# of its own in the cache, so that a bookworm host can look up trixie,
# trixie-backports or arm64 packages without touching its own apt state.
# Mirrors are the host's own (apt-get indextargets), so a local mirror or
# proxy keeps working; SMART_MADVISE_MIRROR="URI SECURITY-URI" overrides them.
# shellcheck shell=bash

# apt-get's options for every call that takes dpkg's lock: other jobs may
# be running apt at the same time. For apt-get under sudo or in a chroot,
# where apt_get (a function) cannot run.
APT_LOCK_OPTS=(-o DPkg::Lock::Timeout=900)
apt_get() {
	DEBIAN_FRONTEND=noninteractive apt-get "${APT_LOCK_OPTS[@]}" "$@"
}

APT_UPDATED=0
# apt_update_once: apt-get update, once per process (announced with the
# caller's msg, when it has one).
apt_update_once() {
	[ "$APT_UPDATED" -eq 1 ] && return 0
	if declare -F msg > /dev/null; then msg "apt-get update"; fi
	apt_get update -qq
	APT_UPDATED=1
}

# apt_install PKG...: install without recommends; if that fails (lists too
# old for the archive, or none yet), update the lists once and try again.
# dpkg reports on stdout even under -qq: it goes to stderr, so a function
# that prints a path (buildroot_ensure) may install on first use.
apt_install() {
	{ apt_get install -y -qq --no-install-recommends "$@" ||
	  { apt_update_once && apt_get install -y -qq --no-install-recommends "$@"; }
	} >&2
}

# The host's mirror for the main archive and for security updates; asked
# of apt once per process (archive_update runs first, in the main shell).
_ARCHIVE_MIRRORS=
_archive_mirrors() {
	if [ -n "${SMART_MADVISE_MIRROR:-}" ]; then
		printf '%s\n' "$SMART_MADVISE_MIRROR"
		return 0
	fi
	if [ -n "$_ARCHIVE_MIRRORS" ]; then
		printf '%s\n' "$_ARCHIVE_MIRRORS"
		return 0
	fi
	local main sec
	# shellcheck disable=SC2016 # apt's own $(FIELD) syntax
	main=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
		awk '$2 !~ /-(security|updates|backports)$/ && $1 ~ /\/debian\/?$/ { print $1; exit }')
	# shellcheck disable=SC2016
	sec=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
		awk '$2 ~ /-security$/ { print $1; exit }')
	[ -n "$main" ] || die "no Debian mirror in the host's apt sources (set SMART_MADVISE_MIRROR)"
	printf '%s %s\n' "$main" "${sec:-${main%/debian*}/debian-security}"
}

# archive_ctx SUITE ARCH: set ARCHIVE_OPTS to the apt options of that context.
# SUITE is a Debian codename ("trixie") or a backports suite
# ("trixie-backports", which then wins over the release it extends).
archive_ctx() {
	local suite=$1 arch=$2 base=${1%-backports} main sec dir key
	read -r main sec < <(_archive_mirrors)
	key=$(printf '%s %s %s %s' "$suite" "$arch" "$main" "$sec" | md5sum | cut -c1-8)
	dir=$SM_CACHE/apt/$suite-$arch-$key
	ARCHIVE_DIR=$dir
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/parts" "$dir/prefs"
	[ -f "$dir/status" ] || : > "$dir/status"
	{
		printf 'deb [arch=%s] %s %s main\n' "$arch" "$main" "$base"
		printf 'deb [arch=%s] %s %s-updates main\n' "$arch" "$main" "$base"
		printf 'deb [arch=%s] %s %s-security main\n' "$arch" "$sec" "$base"
		[ "$suite" = "$base" ] || printf 'deb [arch=%s] %s %s main\n' "$arch" "$main" "$suite"
	} > "$dir/sources.list"
	# the binary caches, which container images turn off, save a second
	# per apt-cache call on these lists
	ARCHIVE_OPTS=(-o "Dir::Etc::SourceList=$dir/sources.list"
		-o "Dir::Etc::SourceParts=$dir/parts"
		-o "Dir::Etc::PreferencesParts=$dir/prefs"
		-o "Dir::State::Lists=$dir/lists"
		-o "Dir::State::status=$dir/status"
		-o "Dir::Cache=$dir/cache"
		-o "Dir::Cache::pkgcache=pkgcache.bin" -o "Dir::Cache::srcpkgcache=srcpkgcache.bin"
		-o "APT::Architecture=$arch" -o "APT::Architectures=$arch"
		-o "APT::Sandbox::User=root")
	[ "$suite" = "$base" ] || ARCHIVE_OPTS+=(-o "APT::Default-Release=$suite")
}

declare -A _ARCHIVE_FRESH=()
# archive_update SUITE ARCH: refresh that context's lists, once per run
# (lists refreshed less than SMART_MADVISE_APT_MAX_AGE seconds ago, 600 by
# default, count as this run's: one make check resolves against one state of
# the archive). Fails (with the lists left as they were) when the archive
# cannot be reached.
archive_update() {
	[ -n "$_ARCHIVE_MIRRORS" ] || _ARCHIVE_MIRRORS=$(_archive_mirrors)
	archive_ctx "$1" "$2"
	[ -n "${_ARCHIVE_FRESH[$1-$2]:-}" ] && return "${_ARCHIVE_FRESH[$1-$2]}"
	local log=$ARCHIVE_DIR/update.log stamp=$ARCHIVE_DIR/updated rc=0
	if [ -f "$stamp" ] &&
	   [ $(($(date +%s) - $(stat -c %Y "$stamp"))) -lt "${SMART_MADVISE_APT_MAX_AGE:-600}" ]; then
		_ARCHIVE_FRESH[$1-$2]=0
		return 0
	fi
	apt-get "${ARCHIVE_OPTS[@]}" -o Acquire::Retries=1 -o Acquire::http::Timeout=20 \
		update < /dev/null > "$log" 2>&1 || rc=$?
	# apt-get update exits 0 even when every source failed
	grep -q '^\(E:\|W: Failed to fetch\|Err:\)' "$log" && rc=1
	if [ "$rc" = 0 ]; then touch "$stamp"; else rm -f "$stamp"; fi
	_ARCHIVE_FRESH[$1-$2]=$rc
	return $rc
}

# archive_field SUITE ARCH PKG FIELD: FIELD of PKG's candidate ("" if none).
archive_field() {
	archive_ctx "$1" "$2"
	apt-cache "${ARCHIVE_OPTS[@]}" show --no-all-versions "$3" 2>/dev/null |
		sed -n "s/^$4: //p" | head -n1
}

# archive_download SUITE ARCH DIR PKG=VERSION...: the .debs into DIR.
archive_download() {
	local suite=$1 arch=$2 dest=$3
	shift 3
	archive_ctx "$suite" "$arch"
	(cd "$dest" && apt-get "${ARCHIVE_OPTS[@]}" download -q "$@" < /dev/null)
}

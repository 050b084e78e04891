# SPDX-License-Identifier: GPL-2.0
# Host-side helpers shared by tests/vm/*.sh (sourced, not executed).
# shellcheck shell=bash disable=SC2034

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$VM_DIR/../.." && pwd)
SM_CACHE=${SMART_MADVISE_CACHE:-$HOME/.cache/smart-madvise}
SM_BUILD=${SMART_MADVISE_BUILD:-$REPO_DIR/build}

# Host packages the harness needs. Command -> package, checked by dpkg.
VM_HOST_PKGS=(qemu-system-x86 busybox-static cpio gzip gcc gcc-12 make libc6-dev
	      kmod xz-utils zstd bc flex bison libelf-dev libssl-dev dwarves
	      coreutils dpkg apt)

msg() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

need_root() {
	[ "$(id -u)" -eq 0 ] || die "run as root (apt-get installs packages)"
}

# apt-get with a lock timeout: other jobs may be running apt at the same time.
apt_get() {
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 "$@"
}

APT_UPDATED=0
apt_update_once() {
	[ "$APT_UPDATED" -eq 1 ] && return 0
	msg "apt-get update"
	apt_get update -qq
	APT_UPDATED=1
}

# Install the packages that are not installed yet.
install_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	need_root
	msg "installing: ${missing[*]}"
	if ! apt_get install -y -qq --no-install-recommends "${missing[@]}"; then
		apt_update_once
		apt_get install -y -qq --no-install-recommends "${missing[@]}"
	fi
}

install_host_deps() {
	[ "${SMART_MADVISE_NO_INSTALL:-0}" = 1 ] && return 0
	install_pkgs "${VM_HOST_PKGS[@]}"
}

# Print "SHORT KREL" for every kernel in kernels.list matching $1
# (a short name, a release, or "all").
kernels_select() {
	local want=${1:-all} short krel found=0
	while read -r short krel _; do
		case "$short" in ''|'#'*) continue ;; esac
		if [ "$want" = all ] || [ "$want" = "$short" ] || [ "$want" = "$krel" ]; then
			printf '%s %s\n' "$short" "$krel"
			found=1
		fi
	done < "$VM_DIR/kernels.list"
	[ "$found" = 1 ] || die "unknown kernel '$want' (see tests/vm/kernels.list)"
}

# Paths inside the cache for one kernel release.
kernel_root() { printf '%s/kernels/%s/root\n' "$SM_CACHE" "$1"; }
kernel_image() { printf '%s/boot/vmlinuz-%s\n' "$(kernel_root "$1")" "$1"; }
kernel_headers() { printf '%s/usr/src/linux-headers-%s\n' "$(kernel_root "$1")" "$1"; }
kernel_modules() { printf '%s/lib/modules/%s\n' "$(kernel_root "$1")" "$1"; }
kernel_stamp() { printf '%s/kernels/%s/.ready\n' "$SM_CACHE" "$1"; }

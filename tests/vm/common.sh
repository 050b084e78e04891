# SPDX-License-Identifier: GPL-2.0
# Host-side helpers shared by tests/vm/*.sh (sourced, not executed).
# shellcheck shell=bash disable=SC2034 source-path=SCRIPTDIR

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

# shellcheck source=../lib/apt.sh
. "$REPO_DIR/tests/lib/apt.sh"
# shellcheck source=../lib/buildroot.sh
. "$REPO_DIR/tests/lib/buildroot.sh"
# shellcheck source=../lib/disk.sh
. "$REPO_DIR/tests/lib/disk.sh"
# shellcheck source=../lib/qemu.sh
. "$REPO_DIR/tests/lib/qemu.sh"

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
	apt_install "${missing[@]}"
}

install_host_deps() {
	[ "${SMART_MADVISE_NO_INSTALL:-0}" = 1 ] && return 0
	install_pkgs "${VM_HOST_PKGS[@]}"
}

# series_select WANT: "NAME SUITE ARCH FLAVOUR" of the series of
# kernels.list whose name is WANT (or of all of them for "all").
series_select() {
	local want=${1:-all} name suite arch flavour found=0
	while read -r name suite arch flavour _; do
		case "$name" in ''|'#'*) continue ;; esac
		if [ "$want" = all ] || [ "$want" = "$name" ] ||
		   { [ -f "$SM_BUILD/kernels/$name" ] && [ "$want" = "$(cut -d' ' -f1 "$SM_BUILD/kernels/$name")" ]; }; then
			printf '%s %s %s %s\n' "$name" "$suite" "$arch" "$flavour"
			found=1
		fi
	done < "$VM_DIR/kernels.list"
	[ "$found" = 1 ] || die "unknown kernel '$want' (series: $(grep -v '^#' "$VM_DIR/kernels.list" | cut -f1 | tr '\n' ' '))"
}

# kernels_select WANT: "NAME RELEASE" of each selected series, as
# tests/vm/kernels.sh resolved it in this build directory.
kernels_select() {
	if [ -n "${SMART_MADVISE_KERNEL_IMAGE:-}" ]; then
		printf 'custom %s\n' "$(cat "$SMART_MADVISE_KDIR/include/config/kernel.release")"
		return 0
	fi
	local name krel
	while read -r name _; do
		[ -f "$SM_BUILD/kernels/$name" ] ||
			die "kernel $name is not resolved yet: run tests/vm/kernels.sh --kernel $name"
		read -r krel _ < "$SM_BUILD/kernels/$name"
		printf '%s %s\n' "$name" "$krel"
	done < <(series_select "$1")
}

# Paths inside the cache for one kernel release.
kernel_root() { printf '%s/kernels/%s/root\n' "$SM_CACHE" "$1"; }
# A custom kernel instead of kernels.list (make check-debug):
# SMART_MADVISE_KERNEL_IMAGE=its bzImage, SMART_MADVISE_KDIR=its build tree.
kernel_image() {
	[ -n "${SMART_MADVISE_KERNEL_IMAGE:-}" ] && { printf '%s\n' "$SMART_MADVISE_KERNEL_IMAGE"; return; }
	# 7.x: linux-binary-KREL ships it as /usr/lib/modules/KREL/vmlinuz
	local m
	m=$(kernel_modules "$1")/vmlinuz
	if [ -f "$m" ]; then
		printf '%s\n' "$m"
	else
		printf '%s/boot/vmlinuz-%s\n' "$(kernel_root "$1")" "$1"
	fi
}
kernel_headers() {
	[ -n "${SMART_MADVISE_KDIR:-}" ] && { printf '%s\n' "$SMART_MADVISE_KDIR"; return; }
	printf '%s/usr/src/linux-headers-%s\n' "$(kernel_root "$1")" "$1"
}
# Debian 13's packages ship /usr/lib/modules (merged /usr), Debian 12's /lib.
kernel_modules() {
	local r
	r=$(kernel_root "$1")
	if [ -d "$r/usr/lib/modules/$1" ]; then
		printf '%s/usr/lib/modules/%s\n' "$r" "$1"
	else
		printf '%s/lib/modules/%s\n' "$r" "$1"
	fi
}
kernel_stamp() { printf '%s/kernels/%s/.ready\n' "$SM_CACHE" "$1"; }

# kernel_arch KREL: the Debian architecture of a release (from its headers).
kernel_arch() {
	local cfg
	cfg=$(kernel_headers "$1")/.config
	if grep -q '^CONFIG_ARM64=y' "$cfg" 2>/dev/null; then
		echo arm64
	elif grep -q '^CONFIG_X86_64=y' "$cfg" 2>/dev/null; then
		echo amd64
	else
		die "kernel $1: neither x86_64 nor arm64 (no CONFIG_ARM64/CONFIG_X86_64 in $cfg)"
	fi
}

# arch_setup ARCH: set the per-architecture knobs of the harness for a
# Debian architecture ARCH_DEB: ARCH_KARCH (the kernel's ARCH=), ARCH_CC (a static C
# compiler for the guest), ARCH_CROSS (CROSS_COMPILE=, empty when native),
# ARCH_PKGS (host packages), ARCH_QEMU, ARCH_CPU (its -cpu under TCG),
# ARCH_CONSOLE (the kernel's console), ARCH_CC32 (a compiler for the
# guest's 32-bit programs, tests/progs/m32; empty where there are none),
# ARCH_RESULT_DEV (the guest's result port), ARCH_RESULT_KMODS (kernel
# modules the guest loads for that port), ARCH_DISK_DEVICE (QEMU's device
# for a test disk) and ARCH_DISK_KMODS (the guest's modules for it).
arch_setup() {
	local host
	host=$(dpkg --print-architecture)
	ARCH_DEB=$1
	case "$1" in
	amd64)
		ARCH_KARCH=x86_64 ARCH_GNU=x86_64-linux-gnu
		ARCH_QEMU=qemu-system-x86_64 ARCH_CPU=max ARCH_CONSOLE=ttyS0
		ARCH_RESULT_DEV=/dev/ttyS1 ARCH_RESULT_KMODS=''
		ARCH_DISK_DEVICE=virtio-blk-pci ARCH_DISK_KMODS='virtio_pci virtio_blk'
		ARCH_PKGS=(qemu-system-x86)
		;;
	arm64)
		# -M virt has one PL011: results go to a virtio console
		# (hvc0), whose drivers are modules in Debian's arm64 kernels.
		ARCH_KARCH=arm64 ARCH_GNU=aarch64-linux-gnu
		# pauth-impdef: the guest still signs pointers, but TCG
		# computes an implementation-defined PAC instead of QARMA5;
		# the kernel boots in 4 s instead of 14.5 s (seen, 6.1).
		ARCH_QEMU=qemu-system-aarch64 ARCH_CPU=max,pauth-impdef=on
		ARCH_CONSOLE=ttyAMA0
		ARCH_RESULT_DEV=/dev/hvc0 ARCH_RESULT_KMODS='virtio_mmio virtio_console'
		# on virtio-mmio too (loaded for the result port): no PCI needed
		ARCH_DISK_DEVICE=virtio-blk-device ARCH_DISK_KMODS='virtio_blk'
		ARCH_PKGS=(qemu-system-arm)
		;;
	*) die "unsupported architecture '$1' (amd64 or arm64)" ;;
	esac
	ARCH_CC32=''
	if [ "$1" = "$host" ]; then
		ARCH_CROSS='' ARCH_CC=gcc
		# Debian's i686 cross compiler, not gcc-multilib: that
		# conflicts with every cross compiler, so installing the
		# aarch64 one for arm64 guests would remove it.
		if [ "$1" = amd64 ]; then
			ARCH_CC32=i686-linux-gnu-gcc
			ARCH_PKGS+=(gcc-i686-linux-gnu libc6-dev-i386-cross)
		fi
	else
		ARCH_CROSS=$ARCH_GNU- ARCH_CC=$ARCH_GNU-gcc
		ARCH_PKGS+=("gcc-$ARCH_GNU" "libc6-dev-$1-cross")
	fi
}

# host_arch_only WHAT: pass on the "NAME RELEASE" lines (kernels_select)
# of the host's architecture; name the others on stderr. For what boots
# the host's architecture only (case studies) or builds with its own
# DKMS (dkms.sh).
host_arch_only() {
	local what=$1 name krel host
	host=$(dpkg --print-architecture)
	while read -r name krel; do
		if [ "$(kernel_arch "$krel")" = "$host" ]; then
			printf '%s %s\n' "$name" "$krel"
		else
			msg "$what: skipping $name ($krel): not a $host kernel"
		fi
	done
}

# guest_busybox ARCH: a static busybox for a guest of ARCH: the host's own
# for the host architecture, else Debian's busybox-static for ARCH from the
# host release's archive, cached per version (offline: the newest cached).
guest_busybox() {
	local arch=$1 suite dir ver='' tmp
	if [ "$arch" = "$(dpkg --print-architecture)" ]; then
		echo /bin/busybox
		return 0
	fi
	# shellcheck disable=SC1091 # the host's, read for its codename only
	suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
	dir=$SM_CACHE/busybox/$arch
	archive_update "$suite" "$arch" &&
		ver=$(archive_field "$suite" "$arch" busybox-static Version)
	if [ -n "$ver" ] && [ ! -x "$dir/$ver/bin/busybox" ]; then
		tmp=$dir/.fetch.$$
		rm -rf "$tmp"
		mkdir -p "$tmp/debs"
		msg "fetching busybox-static=$ver ($arch)"
		if archive_download "$suite" "$arch" "$tmp/debs" "busybox-static=$ver" >&2 &&
		   dpkg -x "$tmp"/debs/*.deb "$tmp/root"; then
			rm -rf "${dir:?}/$ver"
			mv "$tmp/root" "$dir/$ver"
		fi
		rm -rf "$tmp"
	fi
	if [ -z "$ver" ] || [ ! -x "$dir/$ver/bin/busybox" ]; then
		ver=$(find "$dir" -mindepth 3 -maxdepth 3 -path '*/bin/busybox' 2>/dev/null |
		      sed "s|^$dir/||; s|/bin/busybox\$||" | sort -V | tail -n1)
		[ -n "$ver" ] || die "no busybox-static for $arch: Debian's $suite archive cannot serve it and none is cached"
		warn "busybox-static ($arch): the archive cannot serve it, using the cached $ver"
	fi
	printf '%s\n' "$dir/$ver/bin/busybox"
}

# --- host-side builds shared by the VM suite, benchmarks and case studies ---

# Copy the source tree (without build output and VCS data) to $1.
copy_tree() {
	rm -rf "$1"
	mkdir -p "$1"
	tar -C "$REPO_DIR" --exclude=./build --exclude=./out --exclude=./.git \
		--exclude='*.ko' --exclude='*.o' -cf - . | tar -C "$1" -xf -
}

# kernel_suite KREL: the Debian suite a cached release came from ("" for a
# custom kernel or an unknown one), without -backports.
kernel_suite() {
	local f=$SM_CACHE/kernels/$1/series suite=''
	[ -n "${SMART_MADVISE_KDIR:-}" ] || [ ! -f "$f" ] || read -r suite _ < "$f"
	printf '%s\n' "${suite%-backports}"
}

# build_module KREL: build the module in $SM_BUILD/KREL/tree with W=1, with
# the toolchain of the kernel's own suite: the host's for the host's suite
# (and custom kernels), a build root (tests/lib/buildroot.sh) otherwise.
# Prints the .ko path. Any warning fails. KCFLAGS, if set, reaches the
# compiler (the benchmarks' stage builds).
# A foreign-architecture release is cross-built (ARCH=, CROSS_COMPILE=).
build_module() {
	local krel=$1 tree hdr log suite root run=()
	tree=$SM_BUILD/$krel/tree
	hdr=$(kernel_headers "$krel")
	log=$SM_BUILD/$krel/build.log
	suite=$(kernel_suite "$krel")
	if [ -n "$suite" ] && [ "$suite" != "$(host_codename)" ]; then
		root=$(buildroot_ensure "$suite") || return 1
		run=(buildroot_run "$root" "$SM_CACHE/kernels" "$SM_BUILD/$krel" --)
	fi
	arch_setup "$(kernel_arch "$krel")"
	copy_tree "$tree"
	msg "building the module for $krel ($ARCH_KARCH${ARCH_CROSS:+, cross}${root:+, in the $suite build root})"
	# KCFLAGS on make's command line: a build root's env -i drops it.
	if ! "${run[@]}" make -C "$hdr" M="$tree" ARCH="$ARCH_KARCH" CROSS_COMPILE="$ARCH_CROSS" \
		${KCFLAGS:+KCFLAGS="$KCFLAGS"} W=1 modules > "$log" 2>&1; then
		sed 's/^/    /' "$log" >&2
		warn "module build failed for $krel"
		return 1
	fi
	if grep -i 'warning' "$log" >&2; then
		warn "module build for $krel has warnings (W=1): failing"
		return 1
	fi
	[ -f "$tree/smart_madvise.ko" ] || { warn "no smart_madvise.ko built"; return 1; }
	printf '%s\n' "$tree/smart_madvise.ko"
}

# add_kmods KREL DEST NAME...: copy kernel modules and their dependencies,
# decompressed, to DEST and write DEST/load-order (dependencies first).
add_kmods() {
	local krel=$1 dest=$2 mdir name f dep
	shift 2
	mdir=$(kernel_modules "$krel")
	mkdir -p "$dest"
	local -A seen=()
	_add_kmod() {
		local n=${1//-/_} f
		[ -n "${seen[$n]:-}" ] && return 0
		seen[$n]=1
		f=$(find "$mdir/kernel" -name "$n.ko" -o -name "$n.ko.xz" -o -name "$n.ko.zst" \
			-o -name "${n//_/-}.ko" -o -name "${n//_/-}.ko.xz" -o -name "${n//_/-}.ko.zst" | head -n1)
		if [ -z "$f" ]; then
			# built in (or not there): nothing to load
			grep -q "/$n.ko$" "$mdir/modules.builtin" 2>/dev/null ||
				warn "kernel module $n not found for $krel"
			return 0
		fi
		for dep in $(modinfo -F depends "$f" | tr ',' ' '); do
			_add_kmod "$dep"
		done
		case "$f" in
		*.xz) xz -dc "$f" > "$dest/$n.ko" ;;
		*.zst) zstd -qdc "$f" > "$dest/$n.ko" ;;
		*) cp "$f" "$dest/$n.ko" ;;
		esac
		echo "$n.ko" >> "$dest/load-order"
	}
	for name in "$@"; do
		_add_kmod "$name"
	done
}

# add_host_prog ROOT PROG: copy the host's dynamically linked PROG into the
# guest root ROOT at its own path, with the libraries and the loader ldd
# names (for Debian's programs that have no static build, e.g. fio). Only
# for a guest of the host's architecture.
add_host_prog() {
	local root=$1 prog f
	prog=$(command -v "$2") || { warn "no $2 on this host"; return 1; }
	for f in "$prog" $(ldd "$prog" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
	done
}

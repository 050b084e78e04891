#!/bin/bash
# Build (or reuse) a smart-madvise debug kernel from Debian's linux-source.
#   build.sh [--variant stock|rt]            build unless cached; print the tree
#   build.sh [--variant stock|rt] --cached   print the tree if a build for this
#                       config is cached, else exit 1 (builds and installs nothing)
# Variants: stock = linux-source-6.1 with config.fragment; rt = linux-source-6.12
# (PREEMPT_RT is mainline there) with config.fragment and rt.fragment on top,
# so sleeping locks and allocations in atomic context show on RT's rules.
# Prints nothing on stdout but the build directory (usable as KDIR=, holds
# arch/x86/boot/bzImage). Cache: ${SMART_MADVISE_CACHE:-$HOME/.cache/smart-madvise}/debug-kernel
# The build is stamped with a hash of the source package version and the
# config fragment; a matching stamp means "reuse".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${SMART_MADVISE_CACHE:-$HOME/.cache/smart-madvise}/debug-kernel
jobs=${SMART_MADVISE_JOBS:-$(nproc)}
log() { echo "debug-kernel: $*" >&2; }

only_cached=0
variant=stock
while [ $# -gt 0 ]; do
	case "$1" in
	--cached) only_cached=1; shift ;;
	--variant) variant=$2; shift 2 ;;
	*) log "unknown argument $1"; exit 2 ;;
	esac
done
case $variant in
stock) series=6.1 fragments=("$here/config.fragment") ;;
rt) series=6.12 fragments=("$here/config.fragment" "$here/rt.fragment") ;;
*) log "unknown variant $variant (stock or rt)"; exit 2 ;;
esac
# The fragments merged, the last assignment of an option winning.
merged=$(mktemp)
trap 'rm -f "$merged"' EXIT
grep -hv '^#' "${fragments[@]}" | awk -F= '/=/ { v[$1] = $0; if (!($1 in o)) { o[$1] = n++; k[n - 1] = $1 } }
	END { for (i = 0; i < n; i++) print v[k[i]] }' > "$merged"

need_pkgs=("linux-source-$series" bc bison flex libelf-dev libssl-dev cpio kmod python3 xz-utils make gcc)
missing=()
[ $only_cached = 1 ] && need_pkgs=()
for p in "${need_pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]}"
	# shellcheck source=../lib/apt.sh
	. "$here/../lib/apt.sh"
	if [ "$(id -u)" = 0 ]; then s=; else s=sudo; fi
	$s apt-get "${APT_LOCK_OPTS[@]}" install -y "${missing[@]}" >&2
fi

tarball=$(ls /usr/src/linux-source-$series.tar.xz 2>/dev/null || true)
[ -n "$tarball" ] || { log "no /usr/src/linux-source-$series.tar.xz"; exit 1; }
srcver=$(dpkg-query -W -f='${Version}' "linux-source-$series" 2>/dev/null || true)
[ -n "$srcver" ] || { log "linux-source-$series is not installed"; exit 1; }
stamp=$( { echo "$srcver"; gcc --version | head -n1; cat "$merged"; } | sha256sum | cut -c1-16)
tree=$cache/linux-$series-$variant-$stamp
[ "$variant" = stock ] && tree=$cache/linux-6.1-$stamp

if [ -f "$tree/.smart-madvise-built" ]; then
	log "reusing $tree (stamp $stamp)"
	echo "$tree"
	exit 0
fi
[ $only_cached = 1 ] && exit 1

mkdir -p "$cache"
if [ ! -f "$tree/Makefile" ]; then
	log "extracting $tarball ($srcver)"
	rm -rf "$tree.tmp"
	mkdir -p "$tree.tmp"
	tar -C "$tree.tmp" --strip-components=1 -xf "$tarball"
	rm -rf "$tree"
	mv "$tree.tmp" "$tree"
fi

cd "$tree"
log "configuring (tinyconfig + ${fragments[*]##*/})"
make -s ARCH=x86_64 tinyconfig >&2
./scripts/kconfig/merge_config.sh -m .config "$merged" >&2
make -s ARCH=x86_64 olddefconfig >&2
# Verify the options that matter actually stuck (a dependency may drop them).
bad=0
for o in KASAN KASAN_GENERIC DEBUG_KMEMLEAK PROVE_LOCKING DEBUG_ATOMIC_SLEEP KPROBES \
	 KRETPROBES DYNAMIC_FTRACE DEBUG_FS MODULES MODULE_UNLOAD SERIAL_8250_CONSOLE \
	 BLK_DEV_INITRD DEVTMPFS PROC_PAGE_MONITOR SMP FUTEX MULTIUSER \
	 DEBUG_OBJECTS_RCU_HEAD PANIC_ON_OOPS TRACEPOINTS; do
	grep -q "^CONFIG_$o=y" .config || { log "config: CONFIG_$o did not stick"; bad=1; }
done
while read -r o; do
	grep -q "^CONFIG_$o=y" .config || { log "config: CONFIG_$o=y of the fragments did not stick"; bad=1; }
done < <(sed -n 's/^CONFIG_\([A-Z0-9_]*\)=y$/\1/p' "$merged")
grep -q '^# CONFIG_DEBUG_KMEMLEAK_AUTO_SCAN is not set' .config || { log "config: KMEMLEAK_AUTO_SCAN on"; bad=1; }
[ $bad = 0 ] || exit 1
log "building bzImage + modules with -j$jobs (this takes a while)"
nice -n 10 make ARCH=x86_64 -j"$jobs" bzImage modules >&2
if [ ! -f arch/x86/boot/bzImage ] || [ ! -f Module.symvers ]; then
	log "build produced no bzImage/Module.symvers"
	exit 1
fi
date -u +%FT%TZ > .smart-madvise-built
log "built $tree"
echo "$tree"

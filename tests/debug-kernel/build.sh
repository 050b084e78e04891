#!/bin/bash
# Build (or reuse) the smart-madvise debug kernel from Debian's linux-source-6.1.
#   build.sh            build unless cached; print the tree
#   build.sh --cached   print the tree if a build for this config is cached,
#                       else exit 1 (builds and installs nothing)
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
[ "${1:-}" = --cached ] && only_cached=1

need_pkgs=(linux-source-6.1 bc bison flex libelf-dev libssl-dev cpio kmod python3 xz-utils make gcc)
missing=()
[ $only_cached = 1 ] && need_pkgs=()
for p in "${need_pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]}"
	if [ "$(id -u)" = 0 ]; then s=; else s=sudo; fi
	$s apt-get -o DPkg::Lock::Timeout=900 install -y "${missing[@]}" >&2
fi

tarball=$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null || true)
[ -n "$tarball" ] || { log "no /usr/src/linux-source-6.1.tar.xz"; exit 1; }
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
[ -n "$srcver" ] || { log "linux-source-6.1 is not installed"; exit 1; }
stamp=$( { echo "$srcver"; gcc --version | head -n1; grep -v '^#' "$here/config.fragment"; } | sha256sum | cut -c1-16)
tree=$cache/linux-6.1-$stamp

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
log "configuring (tinyconfig + config.fragment)"
make -s ARCH=x86_64 tinyconfig >&2
./scripts/kconfig/merge_config.sh -m .config "$here/config.fragment" >&2
make -s ARCH=x86_64 olddefconfig >&2
# Verify the options that matter actually stuck (a dependency may drop them).
bad=0
for o in KASAN KASAN_GENERIC DEBUG_KMEMLEAK PROVE_LOCKING DEBUG_ATOMIC_SLEEP KPROBES \
	 KRETPROBES DYNAMIC_FTRACE DEBUG_FS MODULES MODULE_UNLOAD SERIAL_8250_CONSOLE \
	 BLK_DEV_INITRD DEVTMPFS PROC_PAGE_MONITOR TRANSPARENT_HUGEPAGE SMP FUTEX MULTIUSER \
	 DEBUG_OBJECTS_RCU_HEAD PANIC_ON_OOPS TRACEPOINTS; do
	grep -q "^CONFIG_$o=y" .config || { log "config: CONFIG_$o did not stick"; bad=1; }
done
for o in $(sed -n 's/^CONFIG_\([A-Z0-9_]*\)=y$/\1/p' "$here/config.fragment"); do
	grep -q "^CONFIG_$o=y" .config || { log "config: CONFIG_$o=y of config.fragment did not stick"; bad=1; }
done
grep -q '^# CONFIG_DEBUG_KMEMLEAK_AUTO_SCAN is not set' .config || { log "config: KMEMLEAK_AUTO_SCAN on"; bad=1; }
[ $bad = 0 ] || exit 1
log "building bzImage + modules with -j$jobs (this takes a while)"
nice -n 10 make ARCH=x86_64 -j"$jobs" bzImage modules >&2
[ -f arch/x86/boot/bzImage ] && [ -f Module.symvers ] || { log "build produced no bzImage/Module.symvers"; exit 1; }
date -u +%FT%TZ > .smart-madvise-built
log "built $tree"
echo "$tree"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make case-studies: the profiler's two case studies, after the CS423 "MP3"
# page-fault profiler, in QEMU guests (tests/lib/qemu.sh) of the first
# kernel of tests/vm/kernels.list:
#
#   1. two random workers ("work 1024 R A" + "work 1024 R B") versus one
#      random and one locality worker ("work 1024 R A" + "work 1024 L C"):
#      accumulated minor/major faults over time, completion times;
#   2. N = 1, 5, 11 random workers of 200 MB ("work 200 R D"): CPU
#      utilisation and fault rate against N, once with enough memory and
#      once in a small guest (-m CS_LOWMEM_MB) that swaps to zram: thrashing.
#
#   tests/case-studies/run.sh [OUTDIR]   (default build/case-studies/results)
#
# Writes the samples (CSV, as "smadvctl monitor --csv" prints them), the
# workers' reports, summary.txt and gnuplot PNGs into OUTDIR.
#
# Scaled for TCG: iterations are the course project's divided by
# CS_SCALE_DIV (default 1: A=50000 B=10000 C=10000 D=10000 accesses per
# round, 20 rounds). A study still running after CS_STUDY_LIMIT seconds
# (default 300) has its workers killed; its samples up to then count.
# Environment: CS_KERNEL (short name, default 6.1), CS_MEM_MB (3072),
# CS_LOWMEM_MB (768), CS_ZRAM_MB (2048), CS_TIMEOUT (seconds per boot,
# 1500), CS_MODULE (a prebuilt smart_madvise.ko to use).
set -euo pipefail
CS_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/vm/common.sh
. "$CS_DIR/../vm/common.sh"

WORK=$SM_BUILD/case-studies
OUT=${1:-$WORK/results}
KSHORT=${CS_KERNEL:-6.1}
MEM=${CS_MEM_MB:-3072}
LOWMEM=${CS_LOWMEM_MB:-768}
ZRAM=${CS_ZRAM_MB:-2048}
TIMEOUT=${CS_TIMEOUT:-1500}
DIV=${CS_SCALE_DIV:-1}

install_host_deps
install_pkgs gnuplot-nox gawk
"$VM_DIR/kernels.sh" --kernel "$KSHORT"
read -r _ KREL < <(kernels_select "$KSHORT" | host_arch_only "case studies") || true
[ -n "${KREL:-}" ] || die "case studies: $KSHORT is not a $(dpkg --print-architecture) kernel"
arch_setup "$(kernel_arch "$KREL")"
mkdir -p "$WORK" "$OUT"

# --- build: module, static tools, initramfs --------------------------------
TREE=$WORK/tree
copy_tree "$TREE"
if [ -n "${CS_MODULE:-}" ]; then
	KO=$CS_MODULE
else
	KO=$(build_module "$KREL") || die "module build failed"
fi
msg "building smadvctl and work (static)"
make -C "$TREE/tools" LDFLAGS=-static smadvctl work >> "$WORK/build.log" 2>&1 ||
	{ cat "$WORK/build.log" >&2; die "tools build failed"; }

ROOT=$WORK/initramfs
initramfs_root "$ROOT" "$KREL"
cp "$KO" "$ROOT/lib/modules/smart_madvise.ko"
cp "$TREE/tools/smadvctl" "$TREE/tools/work" "$ROOT/bin/"
add_kmods "$KREL" "$ROOT/lib/modules/extra" zram lzo_rle
install -m 0755 "$CS_DIR/guest-init" "$ROOT/init"

# boot NAME MEM_MB CONF: one guest run (tests/lib/qemu.sh); its result
# files land in $WORK/NAME/files and $OUT.
boot() {
	local name=$1 mem=$2 conf=$3 dir=$WORK/$1
	rm -rf "$dir"
	mkdir -p "$dir/files"
	printf '%s\n' "$conf" > "$ROOT/etc/cs.conf"
	initramfs_pack "$ROOT" "$dir/initramfs.gz"
	msg "case studies: boot '$name' with ${mem} MB (log: $dir/console.log)"
	qemu_cmd "$KREL" "$dir/initramfs.gz" "$dir" 2 "$mem"
	qemu_run "$TIMEOUT" "$dir/console.log" 's/^cs: /    cs: /p' >&2 ||
		warn "qemu for '$name' exited with $?"
	grep -q '^=== DONE' "$dir/result.txt" ||
		{ tail -n 30 "$dir/console.log" >&2; die "case study run '$name' did not finish"; }
	tr -d '\r' < "$dir/result.txt" | awk -v d="$dir/files" '
		/^=== FILE / { f = d "/" $3; printf "" > f; next }
		/^=== END/ { close(f); f = ""; next }
		f != "" { print >> f }'
	cp "$dir"/files/* "$OUT/"
}

A=$((50000 / DIV)) B=$((10000 / DIV)) C=$((10000 / DIV)) D=$((10000 / DIV))
boot normal "$MEM" "CS_STUDIES='cs1a cs1b cs2-1 cs2-5 cs2-11'
CS1_R1=$A
CS1_R2=$B
CS1_L=$C
CS2_ITERS=$D
CS_STUDY_LIMIT=${CS_STUDY_LIMIT:-300}"
mv "$OUT/vmstat" "$OUT/vmstat-normal"
boot lowmem "$LOWMEM" "CS_STUDIES='cs2-1-lowmem cs2-5-lowmem cs2-11-lowmem'
CS2_ITERS=$D
CS_ZRAM_MB=$ZRAM
CS_STUDY_LIMIT=${CS_STUDY_LIMIT:-300}"
mv "$OUT/vmstat" "$OUT/vmstat-lowmem"

msg "plotting into $OUT"
"$CS_DIR/plot.sh" "$OUT"
cat "$OUT/summary.txt"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: boot each Debian kernel of tests/vm/kernels.list in QEMU
# (tests/lib/qemu.sh) twice, one kernel and one boot at a time, and in each
# boot run its benchmarks with the configurations alternating run by run
# (tests/bench/guest/bench.sh):
#   cost    the fault-path cost suites, the multi-process workload and the
#           scale suite, under -icount (guest time = instructions executed,
#           deterministic; see tests/bench/README.md)
#   benefit the throttled-disk suites: call-time rewrites, cold-start late
#           correction, fio's mmap engine; wall clock (the disk throttle
#           runs on the host's clock, which -icount does not follow)
# Then compute min/median/max and ratios against the baseline of the same
# boot (tests/bench/analyze.py), draw the plots (gnuplot) and print the
# summary table. A kernel of another architecture (6.1-arm64) gets the
# cost boot only, with the benchmark program cross-built.
#
#   tests/bench/run.sh [--smoke] [--kernel NAME|all] [--runs N]
#                      [--part cost|benefit|all] [--no-icount] [--stages]
#                      [--out DIR] [--timeout SECONDS] [--no-plots]
#
#   --smoke    tiny sizes, 1 run + warm-up, first kernel only (unless
#              --kernel): checks that the suite runs and its output
#              parses, never a timing (`make check` calls this)
#   --runs N   measured runs per configuration after the warm-up (default 5)
#   --part P   only the cost boot or only the benefit boot (default all)
#   --no-icount  the cost boot on the wall clock, as before -icount
#   --stages   the cost boot also runs five benchmark builds of the module
#              that stop the fault path after one stage each
#              (KCFLAGS=-DSM_COST_STOP=N, src/tracker.h): the instructions
#              per fault of hook, lookup, lock, classification, evidence
#   --out DIR  where raw-*.csv, summary.csv, summary.txt and the PNGs go
#              (default build/bench/results, build/bench-smoke for --smoke;
#              a dated summary worth keeping goes to docs/results/)
#
# Environment: as tests/vm/run.sh (SMART_MADVISE_CACHE, SMART_MADVISE_BUILD,
# SMART_MADVISE_ACCEL=kvm opt-in), plus SMART_MADVISE_BENCH_MEM (guest MiB,
# default 3072), SMART_MADVISE_BENCH_IOPS / _BPS (disk throttle),
# SMART_MADVISE_BENCH_APPEND (more kernel command line for both boots),
# SMART_MADVISE_BENCH_ICOUNT_APPEND (kernel command line of the -icount
# boot only, x86 only; default clearcpuid=erms, see boot(); empty keeps
# ERMS).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/vm/common.sh
. "$BENCH_DIR/../vm/common.sh"

ORIG_ARGS="$*"
SMOKE=0
KERNEL=""
RUNS=""
OUT=""
TIMEOUT=""
PLOTS=1
PART=all
ICOUNT=1
STAGES=0

usage() { sed -n '3,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) SMOKE=1; shift ;;
	--kernel) KERNEL=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--no-plots) PLOTS=0; shift ;;
	--part) PART=$2; shift 2 ;;
	--no-icount) ICOUNT=0; shift ;;
	--stages) STAGES=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done

# SSD-like disk profile scaled for TCG (tests/lib/disk.sh).
IOPS=${SMART_MADVISE_BENCH_IOPS:-$DISK_IOPS_DEFAULT}
BPS=${SMART_MADVISE_BENCH_BPS:-$DISK_BPS_DEFAULT}
MEM=${SMART_MADVISE_BENCH_MEM:-3072}
ICOUNT_APPEND=${SMART_MADVISE_BENCH_ICOUNT_APPEND-clearcpuid=erms}

if [ "$SMOKE" = 1 ]; then
	: "${KERNEL:=6.1}" "${RUNS:=1}" "${OUT:=$SM_BUILD/bench-smoke}" "${TIMEOUT:=600}"
	ANON_PAGES=4096 ANON_ROUNDS=1 FILE_MIB=4 FILE_PASSES=4 MADV_CALLS=2000
	SCALE_LEVELS="1 20" SEQ_MIB=2 RAND_MIB=8 RAND_READS=64 DISK_MIB=48
	COLD_MIB=4 COLD_READS=128 PHASE_READS=64 TREE_FILES=16 TREE_KIB=8
	SCALE=smoke
else
	: "${KERNEL:=all}" "${RUNS:=5}" "${OUT:=$SM_BUILD/bench/results}" "${TIMEOUT:=3600}"
	# 65536 pages x 4 rounds = 262144 first touches (256 MiB resident).
	ANON_PAGES=65536 ANON_ROUNDS=4 FILE_MIB=64 FILE_PASSES=48 MADV_CALLS=300000
	SCALE_LEVELS="1 100 1000 10000" SEQ_MIB=32 RAND_MIB=256 RAND_READS=2048
	# Cold start: a 64 MiB file scanned, 4,096 random page
	# reads of the 256 MiB one, 1,024 random reads before a phase-change scan.
	COLD_MIB=64 COLD_READS=4096 PHASE_READS=1024
	# the multi-process workload's tree: 256 files of 16 KiB (4 MiB)
	TREE_FILES=256 TREE_KIB=16
	DISK_MIB=512
	SCALE=full
fi
case "$RUNS" in ''|*[!0-9]*|0) die "--runs wants a positive number" ;; esac
case "$PART" in cost|benefit|all) ;; *) die "--part wants cost, benefit or all" ;; esac

# --- host-side builds -------------------------------------------------------

# build_progs: sm_bench for the architecture of arch_setup, with its
# compiler (a cross compiler for a foreign one).
build_progs() {
	local out=$SM_BUILD/bench/progs/$ARCH_DEB
	mkdir -p "$out"
	msg "building static benchmark programs ($ARCH_DEB, $ARCH_CC)"
	"$ARCH_CC" -static -O2 -Wall -Wextra -Werror -pthread -I "$BENCH_DIR/../progs" \
		-o "$out/sm_bench" "$BENCH_DIR/sm_bench.c"
}

# The ext4 image: seq.dat, rand.dat and cold.dat of fixed content, made
# once (the name changes with the set of files).
build_disk() {
	local img=$SM_BUILD/bench/disk-v2-$DISK_MIB.img stage bench
	if [ -f "$img" ] && [ -f "$img.ok" ]; then
		printf '%s\n' "$img"
		return 0
	fi
	msg "building the ext4 disk image ($DISK_MIB MiB)"
	# its files are written here, by the host's own build of sm_bench
	arch_setup "$(dpkg --print-architecture)"
	build_progs
	bench=$SM_BUILD/bench/progs/$ARCH_DEB/sm_bench
	stage=$SM_BUILD/bench/disk-stage
	rm -rf "$stage" "$img" "$img.ok"
	mkdir -p "$stage"
	if ! { "$bench" mkfile "$stage/seq.dat" "$SEQ_MIB" &&
	       "$bench" mkfile "$stage/rand.dat" "$RAND_MIB" &&
	       "$bench" mkfile "$stage/cold.dat" "$COLD_MIB"; } > /dev/null; then
		die "writing the disk image's files failed"
	fi
	disk_mkfs "$img" "$DISK_MIB" smbench "$stage"
	rm -rf "$stage"
	touch "$img.ok"
	printf '%s\n' "$img"
}

# build_stages KREL: the module built five more times, stopping the fault
# path after stage 1..5 (SM_COST_STOP of src/tracker.h), kept as
# $SM_BUILD/bench/KREL/stages/smart_madvise-N.ko.
build_stages() {
	local krel=$1 n ko out=$SM_BUILD/bench/$1/stages
	mkdir -p "$out"
	for n in 1 2 3 4 5; do
		ko=$(KCFLAGS="-DSM_COST_STOP=$n" build_module "$krel") ||
			die "the stage-$n build of the module failed for $krel"
		cp "$ko" "$out/smart_madvise-$n.ko"
		# Each stage compiles to other code: the same module twice
		# means the define never reached the compiler.
		if [ "$n" -gt 1 ] && cmp -s "$out/smart_madvise-$((n - 1)).ko" "$ko"; then
			die "the stage-$n build of the module for $krel is the stage-$((n - 1)) one: SM_COST_STOP did not reach the compiler"
		fi
	done
}

# build_initramfs KREL KO OUT PARTS CLOCK
build_initramfs() {
	local krel=$1 ko=$2 out=$3 parts=$4 clock=$5 root
	local anon_rounds=$ANON_ROUNDS file_passes=$FILE_PASSES madv_calls=$MADV_CALLS
	# Under -icount a run repeats to a few ppm, so more work buys no
	# precision, and an emulated second costs ~10 s of host time: a
	# quarter of the wall-clock sizes.
	if [ "$clock" = icount ] && [ "$SCALE" = full ]; then
		anon_rounds=1 file_passes=12 madv_calls=100000
	fi
	root=$SM_BUILD/bench/$krel/initramfs
	initramfs_root "$root" "$krel"
	mkdir -p "$root/bench"
	cp "$ko" "$root/lib/modules/smart_madvise.ko"
	# shellcheck disable=SC2086
	add_kmods "$krel" "$root/lib/modules/extra" $ARCH_DISK_KMODS
	cp "$BENCH_DIR/guest/init" "$root/init"
	cp "$BENCH_DIR/guest/bench.sh" "$BENCH_DIR/guest/fio.sh" "$root/bench/"
	cp "$SM_BUILD/bench/progs/$ARCH_DEB/sm_bench" "$root/bin/"
	chmod 0755 "$root/init" "$root/bench/bench.sh" "$root/bench/fio.sh"
	case " $parts " in *" fio "*) add_host_prog "$root" fio ;; esac
	case " $parts " in *" stages "*)
		mkdir -p "$root/lib/modules/stages"
		cp "$SM_BUILD/bench/$krel/stages/"smart_madvise-*.ko "$root/lib/modules/stages/" ;;
	esac
	cat > "$root/etc/bench.conf" <<-EOF
	SCALE=$SCALE
	RUNS=$RUNS
	PARTS="$parts"
	CLOCK=$clock
	ANON_PAGES=$ANON_PAGES
	ANON_ROUNDS=$anon_rounds
	FILE_MIB=$FILE_MIB
	FILE_PASSES=$file_passes
	MADV_CALLS=$madv_calls
	SCALE_LEVELS="$SCALE_LEVELS"
	MAX_PROCS=16384
	RAND_READS=$RAND_READS
	COLD_READS=$COLD_READS
	PHASE_READS=$PHASE_READS
	TREE_FILES=$TREE_FILES
	TREE_KIB=$TREE_KIB
	EOF
	initramfs_pack "$root" "$out"
}

# boot KREL INITRD DISK DIR CLOCK: one QEMU (tests/lib/qemu.sh), results
# in DIR/result.txt. CLOCK icount: guest time follows the instruction
# count (1 ns per instruction, no sleeping when idle, no pacing to the
# host): the cost figures then depend on the instructions executed, not
# on the host's load. DISK "" attaches no disk.
boot() {
	local krel=$1 initrd=$2 disk=$3 dir=$4 clock=$5 smp=2
	local append=${SMART_MADVISE_BENCH_APPEND:-}
	# -icount runs all vCPUs in one host thread, and with -smp 2 QEMU 7.2
	# hangs bringing up the second CPU (seen, 6.1): one vCPU under -icount.
	[ "$clock" = icount ] && smp=1
	# -icount counts a rep stos/movs once per element: with ERMS the
	# kernel clears a page with one rep stosb, 4,096 "instructions" (more
	# than half of a 4 KiB anonymous fault, seen on 6.1). Without ERMS it
	# uses loops whose count is close to their native cycles.
	if [ "$clock" = icount ] && [ -n "$ICOUNT_APPEND" ] && [ "$ARCH_KARCH" = x86_64 ]; then
		append+="${append:+ }$ICOUNT_APPEND"
	fi
	qemu_cmd "$krel" "$initrd" "$dir" "$smp" "$MEM" "$append"
	[ "$clock" = icount ] && QEMU_CMD+=(-icount "shift=0,sleep=off,align=off")
	if [ -n "$disk" ]; then
		disk_qemu_args "$disk" "$IOPS" "$BPS" "$ARCH_DISK_DEVICE"
		QEMU_CMD+=("${DISK_ARGS[@]}")
	fi
	qemu_run "$TIMEOUT" "$dir/console.log" 's/^bench:/    bench:/p'
}

main() {
	local pkgs=(e2fsprogs python3 fio)
	[ "$PLOTS" = 1 ] && [ "$SMOKE" = 0 ] && pkgs+=(gnuplot-nox)
	install_host_deps
	install_pkgs "${pkgs[@]}"
	"$VM_DIR/kernels.sh" --kernel "$KERNEL"
	mkdir -p "$SM_BUILD/bench" "$OUT"
	local disk short krel ko dir rc raws=() failed=0
	disk=$(build_disk) || die "no disk image"
	local started
	started=$(date -u '+%Y-%m-%d %H:%M UTC')
	local boots=() b parts clock
	while read -r short krel; do
		arch_setup "$(kernel_arch "$krel")"
		# not from the loop's stdin, the list of kernels
		[ "${SMART_MADVISE_NO_INSTALL:-0}" = 1 ] || install_pkgs "${ARCH_PKGS[@]}" < /dev/null
		boots=()
		[ "$PART" = benefit ] || boots+=(cost)
		if [ "$PART" != cost ] && [ -n "$ARCH_CROSS" ]; then
			# fio is the host's binary, and an emulated foreign CPU
			# would stretch the disk-bound wall clock
			msg "bench: no benefit boot for $short ($krel): not a $(dpkg --print-architecture) kernel"
		elif [ "$PART" != cost ]; then
			boots+=(benefit)
		fi
		[ "${#boots[@]}" -gt 0 ] || continue
		build_progs
		if [ "$STAGES" = 1 ] && [ "$PART" != benefit ]; then
			build_stages "$krel"
		fi
		ko=$(build_module "$krel")
		arch_setup "$(kernel_arch "$krel")"
		for b in "${boots[@]}"; do
			dir=$SM_BUILD/bench/$krel/$b
			mkdir -p "$dir"
			if [ "$b" = cost ]; then
				parts="cost workload scale" clock=icount
				[ "$STAGES" = 1 ] && parts="stages $parts"
				[ "$ICOUNT" = 1 ] || clock=wall
				[ "$QEMU_ACCEL" = kvm ] && clock=wall
			else
				parts="benefit cold fio" clock=wall
			fi
			build_initramfs "$krel" "$ko" "$dir/initramfs.cpio.gz" "$parts" "$clock"
			msg "booting $krel for the $b benchmarks ($parts, clock $clock, timeout ${TIMEOUT}s)"
			rc=0
			local t0=$SECONDS
			if [ "$b" = cost ]; then
				boot "$krel" "$dir/initramfs.cpio.gz" "" "$dir" "$clock" || rc=$?
			else
				boot "$krel" "$dir/initramfs.cpio.gz" "$disk" "$dir" "$clock" || rc=$?
			fi
			msg "$krel: $b boot took $((SECONDS - t0)) s (qemu exit $rc)"
			tr -d '\r' < "$dir/result.txt" > "$OUT/raw-$short-$b.csv"
			if ! grep -qx BENCH_DONE "$OUT/raw-$short-$b.csv"; then
				warn "$krel: no BENCH_DONE in the $b boot (panic, hang or timeout); console tail:"
				tr -d '\r' < "$dir/console.log" | tail -n 30 >&2
				failed=1
			fi
			raws+=("$short=$OUT/raw-$short-$b.csv")
		done
	done < <(kernels_select "$KERNEL")

	local aopts=(--out "$OUT" --started "$started" --command "tests/bench/run.sh${ORIG_ARGS:+ $ORIG_ARGS}"
		     --iops "$IOPS" --bps "$BPS" --mem "$MEM")
	[ "$SMOKE" = 1 ] && aopts+=(--smoke)
	[ "$PLOTS" = 1 ] && [ "$SMOKE" = 0 ] && aopts+=(--plots)
	aopts+=(--commit "$(git -C "$REPO_DIR" describe --always --dirty 2>/dev/null || echo unknown)")
	python3 -B "$BENCH_DIR/analyze.py" "${aopts[@]}" "${raws[@]}" || failed=1
	if [ "$failed" != 0 ]; then
		echo "bench: FAILED"
		return 1
	fi
	echo "bench: ok (results in $OUT)"
}

main "$@"

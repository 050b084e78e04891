#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Turn the case-study results in DIR (CSV from "smadvctl monitor --csv",
# NAME.work worker reports) into DIR/*.dat, DIR/*.png and DIR/summary.txt.
#   tests/case-studies/plot.sh DIR
set -euo pipefail
D=${1:?usage: plot.sh DIR}
cd "$D"

# Per process: seconds since the run's first sample, cumulative minor and
# major faults since then, CPU seconds. One block per pid (gnuplot index).
series() {
	awk -F, 'NR > 1 && $3 == "process" {
		if (t0 == "") t0 = $2
		if (!($4 in m0)) { m0[$4] = $6; j0[$4] = $7; c0[$4] = $5; order[++n] = $4 }
		line[$4] = line[$4] sprintf("%.3f %d %d %.3f\n", ($2 - t0) / 1e9,
			$6 - m0[$4], $7 - j0[$4], ($5 - c0[$4]) / 1e9)
		# the total over all workers, an exited one keeping its last value
		if ($2 != tl && tl != "") tot = tot sum(tl)
		tl = $2; lm[$4] = $6 - m0[$4]; lj[$4] = $7 - j0[$4]
	}
	function sum(t,  p, a, b) {
		for (p in lm) { a += lm[p]; b += lj[p] }
		return sprintf("%.3f %d %d\n", (t - t0) / 1e9, a, b)
	}
	END {
		for (i = 1; i <= n; i++) printf "# pid %s\n%s\n\n", order[i], line[order[i]]
		printf "# total\n%s%s\n\n", tot, sum(tl)
	}' "$1"
}

# Whole run: "CPU_PERCENT FAULTS_PER_S MAJOR_PER_S WALL_S" from the samples
# (per-process deltas, first to last sample) and the wall time of the run.
rates() {
	local wall
	wall=$(awk '$1 == "wall" { printf "%.3f", $3 - $2 }' "$1.work")
	awk -F, -v wall="$wall" 'NR > 1 && $3 == "process" {
		if (!($4 in c0)) { c0[$4] = $5; m0[$4] = $6; j0[$4] = $7 }
		c[$4] = $5; m[$4] = $6; j[$4] = $7
	} END {
		for (p in c) { cpu += c[p] - c0[p]; flt += m[p] - m0[p] + j[p] - j0[p]; maj += j[p] - j0[p] }
		printf "%.1f %.0f %.0f %s\n", 100 * cpu / 1e9 / wall, flt / wall, maj / wall, wall
	}' "$1.csv"
}

# Completion times the workers printed.
times() { sed -n 's/^work: pid [0-9]* \([RLS]\) \([0-9]*\) MB \([0-9x]*\):.*: \([0-9.]*\) s$/\1 \3: \4 s/p' "$1.work" | paste -sd ';' | sed 's/;/; /g'; }

for s in cs1a cs1b; do
	[ -f "$s.csv" ] && series "$s.csv" > "$s.dat"
done

: > cs2.dat
for n in 1 5 11; do
	[ -f "cs2-$n.csv" ] || continue
	printf '%s %s %s\n' "$n" "$(rates "cs2-$n")" \
		"$( [ -f "cs2-$n-lowmem.csv" ] && rates "cs2-$n-lowmem" || echo '- - - -')" >> cs2.dat
done

gnuplot <<'GP'
set terminal pngcairo size 1200,480 font ",10" noenhanced
set output "cs1-faults.png"
set multiplot layout 1,2 title "Case study 1: accumulated page faults, two 1024 MB workers"
set xlabel "time since start (s)"
set ylabel "accumulated faults"
set key left top
set grid
set format y "%.0s%c"
set title "two random workers (R 50000 + R 10000)"
plot "cs1a.dat" index 2 using 1:2 with lines lw 2 lc "black" title "total minor", \
     "cs1a.dat" index 0 using 1:2 with lines lw 2 title "R 50000 minor", \
     "cs1a.dat" index 1 using 1:2 with lines lw 2 title "R 10000 minor", \
     "cs1a.dat" index 0 using 1:3 with lines dt 2 title "R 50000 major", \
     "cs1a.dat" index 1 using 1:3 with lines dt 2 title "R 10000 major"
set title "random + locality (R 50000 + L 10000)"
plot "cs1b.dat" index 2 using 1:2 with lines lw 2 lc "black" title "total minor", \
     "cs1b.dat" index 0 using 1:2 with lines lw 2 title "R 50000 minor", \
     "cs1b.dat" index 1 using 1:2 with lines lw 2 title "L 10000 minor", \
     "cs1b.dat" index 0 using 1:3 with lines dt 2 title "R 50000 major", \
     "cs1b.dat" index 1 using 1:3 with lines dt 2 title "L 10000 major"
unset multiplot

set terminal pngcairo size 1500,480 font ",10" noenhanced
set output "cs2-multiprogramming.png"
set multiplot layout 1,3 title "Case study 2: N random workers of 200 MB (work 200 R)"
set xlabel "N (workers)"
set xtics ("1" 1, "5" 5, "11" 11)
set xrange [0:12]
set key right bottom
set grid
set title "CPU utilisation (100 % = one CPU; the guest has 2)"
set ylabel "CPU time / wall time (%)"
set yrange [0:*]
plot "cs2.dat" using 1:2 with linespoints lw 2 pt 7 title "enough memory", \
     "cs2.dat" using 1:6 with linespoints lw 2 pt 5 title "small guest + zram swap"
set title "fault rate (minor + major)"
set ylabel "faults / s"
set key right top
set logscale y
set yrange [*:*]
set format y "%.0s%c"
plot "cs2.dat" using 1:3 with linespoints lw 2 pt 7 title "enough memory", \
     "cs2.dat" using 1:7 with linespoints lw 2 pt 5 title "small guest: all faults", \
     "cs2.dat" using 1:($8 > 0 ? $8 : 1/0) with linespoints lw 2 dt 2 pt 5 title "small guest: major faults"
set title "wall time of the run (killed runs: time until killed)"
set ylabel "seconds"
set key left top
plot "cs2.dat" using 1:5 with linespoints lw 2 pt 7 title "enough memory", \
     "cs2.dat" using 1:9 with linespoints lw 2 pt 5 title "small guest + zram swap"
unset multiplot
GP

{
	echo "Case study 1 (completion times as printed by work)"
	echo "  two random:        $(times cs1a)"
	echo "  random + locality: $(times cs1b)"
	echo "  wall time: $(awk '$1 == "wall" { printf "%.1f s", $3 - $2 }' cs1a.work) vs $(awk '$1 == "wall" { printf "%.1f s", $3 - $2 }' cs1b.work)"
	echo
	echo "Case study 2: N, then for enough memory and for the small guest:"
	echo "  CPU % of one CPU, faults/s, major faults/s, wall s"
	awk '{ printf "  N=%-3s  %6s %9s %7s %7s   |  %6s %9s %7s %7s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' cs2.dat
	echo "  workers that finished (the rest were killed at the study's time limit):"
	for n in 1 5 11; do
		for r in "cs2-$n" "cs2-$n-lowmem"; do
			[ -f "$r.work" ] && printf '    %-14s %s of %s\n' "$r" \
				"$(grep -c '^work:' "$r.work")" "$n"
		done
	done
	for f in vmstat-normal vmstat-lowmem; do
		[ -f "$f" ] && echo "  $f: $(tr '\n' ' ' < "$f")"
	done
} > summary.txt

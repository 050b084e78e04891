
reset
set terminal pngcairo size 1100,520 noenhanced
set output 'cost.png'
set title 'Fault storm time / module not loaded (median of runs, same boot)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set yrange [0:*]
set ylabel 'ratio'
set grid y
set xtics font ',9'
set arrow from graph 0, first 1.01 to graph 1, first 1.01 nohead lc rgb 'red' dt 2
plot 'cost.dat' using 3:xtic(1) title 'enable=0', '' using 4 title 'dry_run=1', \
     '' using 2 title 'enabled (tracepoint)', '' using 5 title 'enabled (kprobe)'
unset arrow


reset
set terminal pngcairo size 900,520 noenhanced
set output 'scale.png'
set title 'Storm time enabled / enable=0 vs processes already tracked'
set logscale x
set xlabel 'other tracked processes'
set ylabel 'ratio (median, bars: per-round range)'
set style data linespoints
unset style
set grid
set yrange [*:*]
plot 'scale.dat' index 0 using 1:2:3:4 with yerrorlines title '6.1.0-56-cloud-amd64', 'scale.dat' index 1 using 1:2:3:4 with yerrorlines title '6.12.117+deb12-cloud-amd64'
unset logscale x


reset
set terminal pngcairo size 900,520 noenhanced
set output 'benefit.png'
set title 'Mis-advised workloads / correctly advised best case (module off)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [0.5:*]
set ylabel 'ratio (log)'
set grid y
set xtics font ',9'
plot 'benefit.dat' using 2:xtic(1) title 'module off', '' using 3 title 'module on'

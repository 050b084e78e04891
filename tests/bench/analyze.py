#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the rows of tests/bench/guest/bench.sh into statistics, ratios
against the baseline of the same boot, the summary table and plots.

  analyze.py --out DIR [--smoke] [--plots] SHORT=raw.csv ...

Several raw files may name the same SHORT kernel (its cost boot under
-icount and its benefit boot on the wall clock); every ratio still uses
runs of one boot only.

Honesty rules enforced here:
  * run 0 of every configuration is the warm-up and is never counted;
  * a configuration with any failed or incomplete run gets no ratio at all
    ("refused"), it is never computed from the runs that happened to pass;
  * every ratio compares configurations of one boot (one kernel), and its
    range is the min and max of the per-round paired ratios.
Exit status: 0 when every kernel's output parsed and no run failed.
"""
import argparse
import csv
import os
import statistics
import subprocess
import sys

# The suites each part of bench.sh runs (meta "parts" of a boot).
PART_SUITES = {
    "cost": ["storm_anon_1t", "storm_anon_4t", "storm_file", "madvise_plain",
             "madvise_rewritten"],
    "workload": ["workload_tar"],
    "stages": ["stages_anon", "stages_file", "stages_madvise"],
    "scale": [],
    "benefit": ["seqscan_adv_random", "seqscan_adv_sequential",
                "randread_adv_sequential", "randread_adv_random"],
    "cold": ["cold_seqscan_adv_random", "cold_seqscan_adv_sequential",
             "cold_randread_adv_sequential", "cold_randread_adv_random",
             "cold_phase_adv_random", "cold_phase_readv_normal",
             "cold_phase_adv_normal"],
    "fio": ["fio_seqread_hint_random", "fio_seqread_hint_none",
            "fio_randread_hint_sequential"],
}
COST_SUITES = ["storm_anon_1t", "storm_anon_4t", "storm_file", "madvise_plain",
               "madvise_rewritten", "workload_tar"]


class Boot:
    def __init__(self, short, path):
        self.short = short
        self.path = path
        self.meta = {}
        self.mem = {}     # level -> {key: value}
        self.runs = {}    # (suite, config, run) -> {key: value}
        self.done = False
        self.errors = []
        self.parse()

    def parse(self):
        try:
            lines = open(self.path, encoding="utf-8", errors="replace").read().splitlines()
        except OSError as e:
            self.errors.append(str(e))
            return
        for ln in lines:
            ln = ln.strip()
            if not ln or ln.startswith("#"):
                continue
            if ln == "BENCH_DONE":
                self.done = True
                continue
            f = ln.split(",")
            if f[0] == "meta" and len(f) >= 3:
                self.meta[f[1]] = ",".join(f[2:])
            elif f[0] == "mem" and len(f) >= 4:
                self.mem.setdefault(int(f[1]), {})[f[2]] = ",".join(f[3:])
            elif f[0] == "row" and len(f) == 6:
                key = (f[1], f[2], int(f[3]))
                self.runs.setdefault(key, {})[f[4]] = f[5]
            else:
                self.errors.append("unparsable line: " + ln[:80])
        if not self.done:
            self.errors.append("no BENCH_DONE: the boot did not finish")

    def suites(self):
        out = {}
        for (s, c, _r) in self.runs:
            out.setdefault(s, set()).add(c)
        return out

    def config_runs(self, suite, config):
        """(valid measured runs {run: values}, number of failed runs)."""
        good, failed = {}, 0
        for (s, c, r), v in self.runs.items():
            if s != suite or c != config:
                continue
            if v.get("status") != "ok":
                failed += 1
            elif r > 0:
                good[r] = v
        return good, failed

    def expected_runs(self):
        return int(self.meta.get("runs", "0") or 0)

    def usable(self, suite, config):
        good, failed = self.config_runs(suite, config)
        return failed == 0 and len(good) >= self.expected_runs() > 0

    def values(self, suite, config, metric):
        good, _ = self.config_runs(suite, config)
        out = {}
        for r, v in good.items():
            try:
                out[r] = float(v[metric])
            except (KeyError, ValueError):
                pass
        return out


def stats(vals):
    v = sorted(vals)
    if not v:
        return None
    return (len(v), v[0], statistics.median(v), v[-1])


class Ratio:
    """Median of A over median of B, with the paired per-round range."""

    def __init__(self, boot, num, den, metric="ns"):
        self.refused = None
        for suite, config in (num, den):
            if not boot.usable(suite, config):
                good, failed = boot.config_runs(suite, config)
                self.refused = "refused: %s/%s has %d failed, %d good runs" % (
                    suite, config, failed, len(good))
                return
        a = boot.values(*num, metric)
        b = boot.values(*den, metric)
        if not a or not b or statistics.median(b) == 0:
            self.refused = "refused: no %s values" % metric
            return
        self.value = statistics.median(a.values()) / statistics.median(b.values())
        paired = [a[r] / b[r] for r in a if r in b and b[r]]
        self.lo, self.hi = (min(paired), max(paired)) if paired else (self.value, self.value)

    def text(self, digits=3):
        if self.refused:
            return self.refused
        return "%.*f [%.*f..%.*f]" % (digits, self.value, digits, self.lo, digits, self.hi)


def verdict_le(r, target, smoke):
    """meets / MISSES only when every paired round agrees; otherwise the
    noise decides and the verdict says so."""
    if smoke:
        return "smoke: not judged"
    if r.refused:
        return "no figure"
    if r.hi <= target:
        return "meets"
    if r.lo > target:
        return "MISSES"
    return "unresolved: rounds %.2f..%.2f straddle the target (median %s)" % (
        r.lo, r.hi, "meets" if r.value <= target else "misses")


def verdict_noise(r, smoke, icount=False):
    if smoke:
        return "smoke: not judged"
    if r.refused:
        return "no figure"
    if icount:
        # deterministic: 1.000 means within the 0.1 % the clock resolves
        if abs(r.value - 1) <= 0.001 and r.lo >= 0.999 and r.hi <= 1.001:
            return "meets (1.000 within 0.1 %)"
        return "MISSES (%.2f %% from 1.000)" % (100 * (r.value - 1))
    if r.lo <= 1.0 <= r.hi:
        return "meets (1.00 within noise of %.0f%%)" % (100 * max(1 - r.lo, r.hi - 1))
    return "MISSES"


def per_fault_ns(boot, suite, on, base):
    """(t_on - t_base) / faults the module counted, in (emulated) ns."""
    if not (boot.usable(suite, on) and boot.usable(suite, base)):
        return None
    t_on = statistics.median(boot.values(suite, on, "ns").values())
    t_b = statistics.median(boot.values(suite, base, "ns").values())
    f = statistics.median(boot.values(suite, on, "mod_faults").values())
    if f <= 0:
        return None
    return (t_on - t_b) / f


def handler_ns(boot, suite, cfg):
    """The module's sampled handler time: median over runs of each run's
    mean (a run whose samples caught a host preemption is outvoted), and
    the number of samples. None without data."""
    if not boot.usable(suite, cfg):
        return None
    ns = boot.values(suite, cfg, "mod_handler_ns")
    n = boot.values(suite, cfg, "mod_handler_samples")
    per = [ns[r] / n[r] for r in ns if n.get(r)]
    if not per:
        return None
    return (statistics.median(per), sum(n.values()), min(per), max(per))


def fault_ns(boot, suite, cfg):
    """Median time per fault of one configuration (ns / faults)."""
    if not boot.usable(suite, cfg):
        return None
    t = boot.values(suite, cfg, "ns")
    f = boot.values(suite, cfg, "faults")
    per = [t[r] / f[r] for r in t if f.get(r)]
    return (statistics.median(per), min(per)) if per else None


def med(boot, suite, cfg, metric):
    v = boot.values(suite, cfg, metric)
    return statistics.median(v.values()) if v else None


def flags_seen(boot, suite, cfg, key="vmflags"):
    good, _ = boot.config_runs(suite, cfg)
    return "/".join(sorted({v.get(key, "?") for v in good.values()})) or "none"


def determinism(boot, smoke, table, kern):
    """Under -icount the same configuration must give the same time: the
    spread (max - min) / median of its measured runs, per suite."""
    for suite in sorted(boot.suites()):
        parts = []
        worst = 0.0
        over = []
        for cfg in sorted(boot.suites()[suite]):
            v = list(boot.values(suite, cfg, "ns").values())
            if len(v) < 2 or not statistics.median(v):
                continue
            m = statistics.median(v)
            sp = (max(v) - min(v)) / m
            worst = max(worst, sp)
            parts.append("%s %.3f %%" % (cfg, 100 * sp))
            if sp > 0.001:
                # which run strays, and by how much (emulated us)
                far = max(v, key=lambda x: abs(x - m))
                over.append("%s: one run %+.0f us" % (cfg, (far - m) / 1000))
        if not parts:
            continue
        if smoke:
            v = "smoke: not judged"
        elif worst <= 0.001:
            v = "meets"
        else:
            v = "MISSES in %d of %d configurations (%s)" % (len(over), len(parts), ", ".join(over))
        table.append((kern, "icount determinism, %s: (max - min) / median of each configuration's "
                      "%d runs" % (suite, boot.expected_runs()),
                      "worst %.3f %% (%s)" % (100 * worst, ", ".join(parts)), "<= 0.1 %", v))


def cold(boot, smoke, table, kern, plots):
    """Cold start: advice before any fault, corrected late."""
    add = lambda fig, r, target, verdict: table.append((kern, fig, r.text(), target, verdict))
    note = lambda fig, text: table.append((kern, fig, text, "", "info"))
    cases = (
        ("cold_seqscan_adv_random", "cold_seqscan_adv_sequential", "ns", 1.25,
         "cold start: MADV_RANDOM then a full scan (time) / the same scan under MADV_SEQUENTIAL",
         "cold scan time"),
        ("cold_randread_adv_sequential", "cold_randread_adv_random", "disk_bytes", 1.3,
         "cold start: MADV_SEQUENTIAL then random page reads (bytes read) / under MADV_RANDOM",
         "cold random reads bytes"),
        # The right program re-advises MADV_NORMAL before its scan: both
        # scan from the cache MADV_RANDOM's reads left.
        ("cold_phase_adv_random", "cold_phase_readv_normal", "scan_ns", 1.3,
         "cold start, phase change: MADV_RANDOM, random reads, then a full scan (scan time) "
         "/ the same re-advised MADV_NORMAL before the scan", "phase-change scan time"),
    )
    for wrong, right, metric, target, label, plot_label in cases:
        r = Ratio(boot, (wrong, "on"), (right, "off"), metric)
        add(label + ", module on", r, "<= %g" % target, verdict_le(r, target, smoke))
        plots.setdefault("benefit", []).append((kern, plot_label, "module on", r))
        r2 = Ratio(boot, (wrong, "off"), (right, "off"), metric)
        add(label + ", module off", r2, "(far above)", "info")
        plots["benefit"].append((kern, plot_label, "module off", r2))
        if metric == "disk_bytes":
            for cfg in ("on", "off"):
                r3 = Ratio(boot, (wrong, cfg), (right, "off"), "io_read_bytes")
                note(label + ", module %s, from /proc/PID/io read_bytes" % cfg, r3.text())
        else:
            for cfg in ("on", "off"):
                r3 = Ratio(boot, (wrong, cfg), (right, "off"), "disk_bytes")
                note(label + ", module %s: bytes read ratio" % cfg, r3.text())
        for cfg in ("off", "on"):
            lc = med(boot, wrong, cfg, "mod_late_corrections")
            mid = flags_seen(boot, wrong, cfg, "vmflags_mid") if wrong.startswith("cold_phase") else ""
            note("VmFlags at the end of %s/%s%s; late corrections per run (median)" % (
                wrong, cfg, " (after the random phase: %s)" % mid if mid else ""),
                "%s; %s" % (flags_seen(boot, wrong, cfg), "n/a" if lc is None else "%g" % lc))
    r = Ratio(boot, ("cold_phase_adv_random", "on"), ("cold_phase_adv_normal", "off"), "scan_ns")
    note("cold start, phase change, module on: scan time / under MADV_NORMAL throughout "
         "(whose random phase reads around, caching most of the file before the scan)", r.text())
    for suite, lab in (("cold_seqscan_adv_sequential", "scan under MADV_SEQUENTIAL"),
                       ("cold_randread_adv_random", "random reads under MADV_RANDOM"),
                       ("cold_phase_adv_normal", "random reads then scan under MADV_NORMAL")):
        r = Ratio(boot, (suite, "on"), (suite, "off"))
        add("cold start, correctly advised %s: on / off (time)" % lab, r, "<= 1.01",
            verdict_le(r, 1.01, smoke))
        lc = med(boot, suite, "on", "mod_late_corrections")
        note("cold start, correctly advised %s, module on: VmFlags at the end; late corrections "
             "per run (median)" % lab,
             "%s; %s" % (flags_seen(boot, suite, "on"), "n/a" if lc is None else "%g" % lc))


def fio(boot, smoke, table, kern):
    """fio's mmap engine (Debian's fio 3.33): the hint it really sets, and
    bandwidth and bytes, module off and on."""
    add = lambda fig, r, target, verdict: table.append((kern, fig, r.text(), target, verdict))
    note = lambda fig, text: table.append((kern, fig, text, "", "info"))
    have = boot.suites()
    ver = boot.meta.get("fio_version", "fio")
    for suite, lab in (("fio_seqread_hint_random", "rw=read fadvise_hint=random"),
                       ("fio_seqread_hint_none", "rw=read fadvise_hint=0"),
                       ("fio_randread_hint_sequential", "rw=randread fadvise_hint=sequential")):
        if suite not in have:
            continue
        name = "%s mmap engine, %s" % (ver, lab)
        for cfg in ("off", "on"):
            bw = med(boot, suite, cfg, "bw_kib")
            by = med(boot, suite, cfg, "disk_bytes")
            lc = med(boot, suite, cfg, "mod_late_corrections")
            note("%s, module %s: bandwidth, bytes read, VmFlags fio set / at the end, late "
                 "corrections" % (name, cfg),
                 "%s MiB/s, %s MiB, %s / %s, %s" % (
                     "?" if bw is None else "%.1f" % (bw / 1024),
                     "?" if by is None else "%.1f" % (by / 1048576),
                     flags_seen(boot, suite, cfg, "vmflags_first"), flags_seen(boot, suite, cfg),
                     "n/a" if lc is None else "%g" % lc))
        r = Ratio(boot, (suite, "on"), (suite, "off"), "bw_kib")
        # bandwidth: higher is better, so the target is a floor
        if smoke:
            v = "smoke: not judged"
        elif r.refused:
            v = "no figure"
        elif r.lo >= 0.99:
            v = "meets"
        elif r.hi < 0.99:
            v = "MISSES"
        else:
            v = "unresolved: rounds %.2f..%.2f straddle the target (median %s)" % (
                r.lo, r.hi, "meets" if r.value >= 0.99 else "misses")
        add("%s: bandwidth on / off" % name, r, ">= 0.99", v)
        r = Ratio(boot, (suite, "on"), (suite, "off"), "disk_bytes")
        add("%s: bytes read on / off" % name, r, "<= 1.01", verdict_le(r, 1.01, smoke))


STAGE_NAMES = [
    ("stage1", "hook called"),
    ("stage2", "process lookup (+ per-CPU count, 1-in-64 timing)"),
    ("stage3", "lock taken and dropped"),
    ("stage4", "classification"),
    ("stage5", "process counts, mapping lookup"),
    ("on", "evidence (process or mapping), late-correction check, stats (the rest: full build)"),
]


def stages(boot, smoke, table, kern):
    """Instructions per fault of each stage of the fault path, by
    difference of the -icount times of builds that stop after it."""
    for suite, lab in (("stages_anon", "anon first-touch storm"),
                       ("stages_file", "cached file re-fault storm")):
        if suite not in boot.suites():
            continue
        base = med(boot, suite, "none", "ns")
        faults = med(boot, suite, "on", "mod_faults") or med(boot, suite, "none", "faults")
        if base is None or not faults:
            table.append((kern, "fault path breakdown, %s" % lab, "refused: no data", "", "no figure"))
            continue
        prev, parts, ok = base, [], True
        for cfg, name in STAGE_NAMES:
            t = med(boot, suite, cfg, "ns") if boot.usable(suite, cfg) else None
            if t is None:
                ok = False
                parts.append("%s: refused" % name)
                continue
            parts.append("%s %+.0f" % (name, (t - prev) / faults))
            prev = t
        total = (prev - base) / faults if ok else float("nan")
        table.append((kern, "fault path breakdown, %s: instructions per fault of each stage "
                      "(-icount, builds with SM_COST_STOP; not loaded: %.0f per fault)"
                      % (lab, base / faults),
                      "; ".join(parts) + "; total %+.0f" % total, "", "info"))
    suite = "stages_madvise"
    if suite in boot.suites():
        t = {cfg: med(boot, suite, cfg, "ns") if boot.usable(suite, cfg) else None
             for cfg in ("none", "stage1", "on")}
        calls = med(boot, suite, "none", "calls")
        if None in t.values() or not calls:
            table.append((kern, "madvise path breakdown", "refused: no data", "", "no figure"))
        else:
            table.append((kern, "madvise path breakdown: instructions per call "
                          "(-icount; not loaded: %.0f per call)" % (t["none"] / calls),
                          "hook on do_madvise (ftrace or kprobe), returning at once %+.0f; "
                          "the handler %+.0f; total %+.0f"
                          % ((t["stage1"] - t["none"]) / calls, (t["on"] - t["stage1"]) / calls,
                             (t["on"] - t["none"]) / calls), "", "info"))


def analyze(boot, smoke, table, figs, plots):
    k = boot.short
    kern = boot.meta.get("kernel", k)
    add = lambda fig, r, target, verdict: table.append((kern, fig, r.text(), target, verdict))
    note = lambda fig, text: table.append((kern, fig, text, "", "info"))
    have = boot.suites()
    icount = boot.meta.get("clock") == "icount"
    clk = " [icount]" if icount else (" [wall clock]" if boot.meta.get("clock") else "")

    if icount:
        determinism(boot, smoke, table, kern)
    stages(boot, smoke, table, kern)

    for suite, label in (("storm_anon_1t", "anon first-touch storm, 1 thread" + clk),
                         ("storm_anon_4t", "anon first-touch storm, 4 threads" + clk),
                         ("storm_file", "cached file re-fault storm" + clk),
                         ("workload_tar", "multi-process workload (busybox tar, gzip, sha256sum pipeline; "
                          "find, xargs sha256sum and cat)" + clk)):
        if suite not in have:
            continue
        target = 1.005 if suite == "workload_tar" else 1.01
        r = Ratio(boot, (suite, "on"), (suite, "none"))
        add(label + ": enabled / not loaded", r, "<= %g" % target, verdict_le(r, target, smoke))
        plots.setdefault("cost", []).append((kern, suite, "on", r))
        r = Ratio(boot, (suite, "off"), (suite, "none"))
        add(label + ": enable=0 / not loaded", r, "1.000" if icount else "1.00 within noise",
            verdict_noise(r, smoke, icount))
        # nothing is armed at enable=0 either: the second baseline, for
        # kernels whose not-loaded runs move with history (6.12)
        r = Ratio(boot, (suite, "on"), (suite, "off"))
        add(label + ": enabled / enable=0", r, "(<= %g)" % target, verdict_le(r, target, smoke))
        plots["cost"].append((kern, suite, "off", r))
        ran = boot.suites().get(suite, set())
        for cfg, what in (("dry", "enable=1 dry_run=1"), ("kprobe", "enabled, fault_hook=kprobe")):
            if cfg not in ran:
                continue	# not a configuration of this suite (a failure would be listed)
            r = Ratio(boot, (suite, cfg), (suite, "none"))
            add(label + ": %s / not loaded" % what, r, "(<= 1.01)", verdict_le(r, 1.01, smoke))
            plots["cost"].append((kern, suite, cfg, r))
        for cfg in ("on", "kprobe"):
            if cfg not in ran:
                continue
            ns = per_fault_ns(boot, suite, cfg, "none")
            hook = boot.meta.get("fault_hook_default", "tracepoint") if cfg == "on" else "kprobe"
            note(label + ": probe cost per fault (%s), (t_on - t_not_loaded) / faults counted, emulated ns" % hook,
                 "refused" if ns is None else "%.0f ns" % ns)
            own = handler_ns(boot, suite, cfg)
            if own is not None:
                note(label + ": handler time per fault, module's own sampled timing (%s), emulated ns" % hook,
                     "%.0f ns [%.0f..%.0f] (%d samples)" % (own[0], own[2], own[3], own[1]))
                # wall time per fault is CPU time per fault for one thread only
                base = fault_ns(boot, suite, "none") if suite != "storm_anon_4t" else None
                if base:
                    # least-disturbed runs: host noise only ever adds time
                    est = 1 + own[2] / base[1]
                    v = "smoke: not judged" if smoke else (
                        "meets (estimate)" if est <= 1.01 else "MISSES (estimate)")
                    table.append((kern, label + ": enabled (%s) / not loaded, estimated as "
                                  "1 + handler time / fault time, fastest runs" % hook,
                                  "%.3f (handler %.0f ns, fault %.0f ns not loaded)"
                                  % (est, own[2], base[1]), "<= 1.01", v))

    for suite, label in (("madvise_plain", "madvise loop, no rewrite" + clk),
                         ("madvise_rewritten", "madvise loop, every call rewritten" + clk)):
        if suite not in have:
            continue
        r = Ratio(boot, (suite, "on"), (suite, "none"))
        add(label + ": time enabled / not loaded", r, "<= 1.05", verdict_le(r, 1.05, smoke))
        if boot.usable(suite, "on") and boot.usable(suite, "none"):
            t_on = statistics.median(boot.values(suite, "on", "ns").values())
            t_b = statistics.median(boot.values(suite, "none", "ns").values())
            calls = statistics.median(boot.values(suite, "on", "mod_madvise_calls").values())
            if calls > 0:
                note(label + ": probe cost per madvise call, emulated ns",
                     "%.0f ns (%d calls counted)" % ((t_on - t_b) / calls, calls))

    # Scale: the same storm with 1 .. 10,000 other processes tracked.
    levels = sorted(int(s.split("_")[1]) for s in boot.suites() if s.startswith("scale_"))
    if levels:
        base = Ratio(boot, ("scale_%d" % levels[0], "on"), ("scale_%d" % levels[0], "off"))
        t1 = ("scale_%d" % levels[0], "on")
        for lv in levels:
            s = "scale_%d" % lv
            tracked = boot.mem.get(lv, {}).get("processes_tracked", "?")
            r = Ratio(boot, (s, "on"), (s, "off"))
            ns = per_fault_ns(boot, s, "on", "off")
            note("scale %d (%s tracked): enabled / enable=0" % (lv, tracked),
                 r.text() + ("" if ns is None else "; %.0f ns/fault" % ns))
            own = handler_ns(boot, s, "on")
            own1 = handler_ns(boot, "scale_%d" % levels[0], "on")
            if own:
                note("scale %d: handler time per fault, module's own sampled timing" % lv,
                     "%.0f ns [%.0f..%.0f] (%d samples)" % (own[0], own[2], own[3], own[1]))
            if own and own1 and lv != levels[0]:
                hv = own[2] / own1[2]
                if smoke:
                    v = "smoke: not judged"
                elif hv <= 1.05:
                    v = "meets"
                elif own[2] <= own1[3]:
                    v = "unresolved: inside the %d-process runs' spread %.0f..%.0f ns" % (
                        levels[0], own1[2], own1[3])
                else:
                    v = "MISSES"
                table.append((kern, "cost per fault, %d vs %d tracked (module's own handler timing, "
                              "fastest run of each level; medians %.0f / %.0f ns)"
                              % (lv, levels[0], own[0], own1[0]),
                              "%.3f (%.0f ns / %.0f ns)" % (hv, own[2], own1[2]), "<= 1.05", v))
            plots.setdefault("scale", []).append((kern, lv, r))
            if lv != levels[0]:
                rr = Ratio(boot, (s, "on"), t1)
                if r.refused or base.refused:
                    norm, v = "refused", "no figure"
                else:
                    norm_v = r.value / base.value
                    on_l, off_l = boot.values(s, "on", "ns"), boot.values(s, "off", "ns")
                    s1 = "scale_%d" % levels[0]
                    on_1, off_1 = boot.values(s1, "on", "ns"), boot.values(s1, "off", "ns")
                    paired = [(on_l[i] / off_l[i]) / (on_1[i] / off_1[i]) for i in on_l
                              if i in off_l and i in on_1 and i in off_1]
                    fake = Ratio.__new__(Ratio)
                    fake.refused, fake.value = None, norm_v
                    fake.lo, fake.hi = (min(paired), max(paired)) if paired else (norm_v, norm_v)
                    norm = "%s (raw on(%d)/on(%d) time ratio %s)" % (fake.text(), lv, levels[0], rr.text())
                    v = verdict_le(fake, 1.05, smoke)
                table.append((kern, "cost per fault, %d vs %d tracked (on/off ratio normalised)"
                              % (lv, levels[0]), norm, "<= 1.05", v))

    # Memory per tracked process.
    if levels:
        m = boot.mem.get(levels[-1], {})
        m0 = boot.mem.get(levels[0], {})
        try:
            objsize = int(m["object_size"])
            slabsize = int(m["slab_size"])
            verdict = "smoke: not judged" if smoke else ("meets" if slabsize <= 192 else "MISSES")
            table.append((kern, "memory per tracked process (slab object incl. padding)",
                          "%d B (object %d B)" % (slabsize, objsize), "<= 192 B", verdict))
            order = int(m.get("order", "0") or 0)
            dslabs = int(m["slab_slabs"]) - int(m0["slab_slabs"])
            dproc = int(m["processes_tracked"]) - int(m0["processes_tracked"])
            if dproc > 0:
                note("memory per tracked process from slab pages delta (cache shared with: %s)"
                     % (m.get("slab_aliases", "?")),
                     "%.0f B (%d slabs for %d processes)" % (dslabs * 4096 * (1 << order) / dproc,
                                                              dslabs, dproc))
        except (KeyError, ValueError):
            table.append((kern, "memory per tracked process", "no slab data", "<= 192 B", "no figure"))
        for key in sorted(x for x in m if x.startswith("cache_")):
            f = m[key].split()
            if len(f) == 3:
                note("slab cache %s at %d tracked: slab size / object size / objects"
                     % (key[6:], levels[-1]), "%s B / %s B / %s" % tuple(f))

    if "seqscan_adv_random" in have:
        # Benefit.
        r = Ratio(boot, ("seqscan_adv_random", "on"), ("seqscan_adv_sequential", "off"))
        add("seq scan under MADV_RANDOM, module on / MADV_SEQUENTIAL best (time)", r, "<= 1.10",
            verdict_le(r, 1.10, smoke))
        plots.setdefault("benefit", []).append((kern, "seq scan time", "module on", r))
        r2 = Ratio(boot, ("seqscan_adv_random", "off"), ("seqscan_adv_sequential", "off"))
        far = "smoke: not judged" if smoke else ("no figure" if r2.refused else
                                                 ("meets (far above)" if r2.value >= 2 else "MISSES (not far above)"))
        add("seq scan under MADV_RANDOM, module off / best (time)", r2, "far above 1.10", far)
        plots["benefit"].append((kern, "seq scan time", "module off", r2))
        for num, lab in ((("seqscan_adv_random", "on"), "module on"), (("seqscan_adv_random", "off"), "module off")):
            r = Ratio(boot, num, ("seqscan_adv_sequential", "off"), "disk_bytes")
            note("seq scan under MADV_RANDOM, %s / best (bytes read)" % lab, r.text())
        r = Ratio(boot, ("randread_adv_sequential", "on"), ("randread_adv_random", "off"), "disk_bytes")
        add("random reads under MADV_SEQUENTIAL, module on / MADV_RANDOM best (bytes read)", r,
            "<= 1.2", verdict_le(r, 1.2, smoke))
        plots["benefit"].append((kern, "random reads bytes", "module on", r))
        r2 = Ratio(boot, ("randread_adv_sequential", "off"), ("randread_adv_random", "off"), "disk_bytes")
        add("random reads under MADV_SEQUENTIAL, module off / best (bytes read)", r2, "(far above)", "info")
        plots["benefit"].append((kern, "random reads bytes", "module off", r2))
        for num, lab in ((("randread_adv_sequential", "on"), "module on"), (("randread_adv_sequential", "off"), "module off")):
            r = Ratio(boot, num, ("randread_adv_random", "off"))
            note("random reads under MADV_SEQUENTIAL, %s / best (time)" % lab, r.text())
        for suite, lab in (("seqscan_adv_sequential", "seq scan under MADV_SEQUENTIAL"),
                           ("randread_adv_random", "random reads under MADV_RANDOM")):
            r = Ratio(boot, (suite, "on"), (suite, "off"))
            add("correctly advised %s: on / off (time)" % lab, r, "<= 1.01", verdict_le(r, 1.01, smoke))
        # The advice really in force (VmFlags of the mapping), per case.
        for suite in ("seqscan_adv_random", "randread_adv_sequential"):
            for cfg in ("off", "on"):
                good, _ = boot.config_runs(suite, cfg)
                flags = sorted({v.get("vmflags", "?") for v in good.values()})
                note("VmFlags after madvise, %s/%s" % (suite, cfg), "/".join(flags) or "none")

    if "cold_seqscan_adv_random" in have:
        cold(boot, smoke, table, kern, plots)
    if any(x.startswith("fio_") for x in have):
        fio(boot, smoke, table, kern)

    for fig in figs:
        pass


def write_csvs(boots, out):
    with open(os.path.join(out, "summary.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["kernel", "suite", "config", "metric", "n", "failed", "min", "median", "max"])
        for b in boots:
            kern = b.meta.get("kernel", b.short)
            for suite in sorted(b.suites()):
                for cfg in sorted(b.suites()[suite]):
                    good, failed = b.config_runs(suite, cfg)
                    metrics = sorted({m for v in good.values() for m in v if m not in ("status", "vmflags")})
                    for m in metrics:
                        st = stats(list(b.values(suite, cfg, m).values()))
                        if st:
                            w.writerow([kern, suite, cfg, m, st[0], failed, "%g" % st[1],
                                        "%g" % st[2], "%g" % st[3]])


def short_kernel(kern):
    """The release without its flavour and Debian suffix: "6.1.0-N", "6.12.N"."""
    return kern.split("+")[0].replace("-cloud-amd64", "")


def plot(plots, out):
    """gnuplot PNGs from small data files next to them."""
    made = []
    gp = []
    if plots.get("cost"):
        with open(os.path.join(out, "cost.dat"), "w") as fh:
            fh.write("# label on off dry kprobe (ratio to not loaded)\n")
            rows = {}
            for kern, suite, cfg, r in plots["cost"]:
                rows.setdefault((kern, suite), {})[cfg] = "NaN" if r.refused else "%.4f" % r.value
            for (kern, suite), v in rows.items():
                fh.write('"%s\\n%s" %s %s %s %s\n' % (short_kernel(kern),
                                                     suite.replace("storm_", "").replace("_", " "),
                                                     v.get("on", "NaN"), v.get("off", "NaN"),
                                                     v.get("dry", "NaN"), v.get("kprobe", "NaN")))
        gp.append("""
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
plot 'cost.dat' using 3:xtic(1) title 'enable=0', '' using 4 title 'dry_run=1', \\
     '' using 2 title 'enabled (tracepoint)', '' using 5 title 'enabled (kprobe)'
unset arrow
""" % {"o": out})
        made.append("cost.png")
    if plots.get("scale"):
        kerns = []
        with open(os.path.join(out, "scale.dat"), "w") as fh:
            for kern in dict.fromkeys(k for k, _, _ in plots["scale"]):
                kerns.append(kern)
                fh.write('# %s\n' % kern)
                for k, lv, r in plots["scale"]:
                    if k == kern and not r.refused:
                        fh.write("%d %.4f %.4f %.4f\n" % (lv, r.value, r.lo, r.hi))
                fh.write("\n\n")
        lines = ", ".join("'scale.dat' index %d using 1:2:3:4 with yerrorlines title '%s'"
                          % (i, k) for i, k in enumerate(kerns))
        gp.append("""
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
plot %(l)s
unset logscale x
""" % {"o": out, "l": lines})
        made.append("scale.png")
    if plots.get("benefit"):
        with open(os.path.join(out, "benefit.dat"), "w") as fh:
            rows = {}
            for kern, what, cfg, r in plots["benefit"]:
                rows.setdefault((kern, what), {})[cfg] = "NaN" if r.refused else "%.4f" % r.value
            for (kern, what), v in rows.items():
                fh.write('"%s\\n%s" %s %s\n' % (short_kernel(kern), what,
                                               v.get("module off", "NaN"), v.get("module on", "NaN")))
        gp.append("""
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
""" % {"o": out})
        made.append("benefit.png")
    if not gp:
        return []
    script = os.path.join(out, "plots.gp")
    with open(script, "w") as fh:
        fh.write("\n".join(gp))
    try:
        # relative paths only: the script is committed with the plots
        subprocess.run(["gnuplot", "plots.gp"], check=True, cwd=out)
    except (OSError, subprocess.CalledProcessError) as e:
        print("bench: gnuplot failed: %s" % e, file=sys.stderr)
        return []
    return made


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--plots", action="store_true")
    ap.add_argument("--started", default="")
    ap.add_argument("--command", default="tests/bench/run.sh")
    ap.add_argument("--iops", default="")
    ap.add_argument("--bps", default="")
    ap.add_argument("--mem", default="")
    ap.add_argument("--commit", default="")
    ap.add_argument("raw", nargs="+")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    boots = [Boot(*x.split("=", 1)) for x in a.raw]
    ok = True
    for b in boots:
        for e in b.errors:
            print("bench: %s: %s" % (b.short, e), file=sys.stderr)
            ok = False
        expect = [x for p in b.meta.get("parts", "cost workload scale benefit").split()
                  for x in PART_SUITES.get(p, [])]
        missing = [x for x in expect if x not in b.suites()]
        if missing:
            print("bench: %s: suites missing: %s" % (b.short, " ".join(missing)), file=sys.stderr)
            ok = False
        nfail = sum(1 for v in b.runs.values() if v.get("status") != "ok")
        if nfail:
            print("bench: %s: %d failed run(s)" % (b.short, nfail), file=sys.stderr)
            ok = False
    table, plots = [], {}
    for b in boots:
        analyze(b, a.smoke, table, [], plots)
    write_csvs(boots, a.out)
    with open(os.path.join(a.out, "ratios.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["kernel", "figure", "value [paired min..max]", "target", "verdict"])
        w.writerows(table)
    made = plot(plots, a.out) if a.plots else []

    lines = []
    lines.append("Command: %s" % a.command)
    if a.started:
        lines.append("Started: %s" % a.started)
    if a.commit:
        lines.append("Commit: %s" % a.commit)
    for b in boots:
        m = b.meta
        lines.append("Kernel %s, boot of %s, clock %s (%s): module %s, late_support %s, "
                     "default fault hook %s, %s vCPUs, %s kB RAM, THP %s, "
                     "fault_around_bytes %s, read_ahead_kb %s, %s runs + 1 warm-up per configuration, "
                     "CPU flag erms: %s, dmesg clean: %s" % (m.get("kernel", b.short), m.get("parts", "?"),
                                          m.get("clock", "wall"), m.get("clocksource", "?"),
                                          m.get("module_version", "?"), m.get("late_support", "?"),
                                          m.get("fault_hook_default", "?"), m.get("cpus", "?"),
                                          m.get("mem_kb", "?"), m.get("thp", "?"),
                                          m.get("fault_around_bytes", "?"), m.get("read_ahead_kb", "?"),
                                          m.get("runs", "?"), m.get("cpu_erms", "?"),
                                          m.get("dmesg_clean", "?")))
    if a.iops:
        lines.append("Guest: TCG, -m %s MiB; cost boot -smp 1 under -icount shift=0,sleep=off,align=off "
                     "(or -smp 2 on the wall clock), benefit boot -smp 2 with a virtio-blk ext4 disk, "
                     "QEMU throttling.iops-total=%s throttling.bps-total=%s" % (a.mem, a.iops, a.bps))
    lines.append("")
    lines.append("| kernel | figure | value [paired min..max] | target | verdict |")
    lines.append("|---|---|---|---|---|")
    for row in table:
        lines.append("| " + " | ".join(str(x) for x in row) + " |")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(a.out, "summary.txt"), "w") as fh:
        fh.write(text)
    print()
    print(text)
    if made:
        print("plots: " + " ".join(os.path.join(a.out, p) for p in made))
    if a.smoke:
        # the line tests/check.sh counts: one test per kernel booted
        print("bench-smoke: %d passed, %d failed" % ((len(boots), 0) if ok else (0, len(boots))))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

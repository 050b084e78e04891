#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Parse the `smadvctl metrics` expositions a guest run wrote to its TAP
stream (tests/vm/cases/71-smadvctl.sh: "PROM-BEGIN <kernel>", "PROM| <line>"
..., "PROM-END", each line prefixed "# " by the runner) with Prometheus's
reference Python parser, prometheus_client, and check the conventions.

Usage: tests/tools/guest-metrics.py RESULT-FILE...
       (e.g. build/*/result.txt after tests/vm/run.sh)
Prints TAP; exits 1 if a block does not parse or breaks a convention, or if
no block was found.
"""
import re
import sys

from prometheus_client.parser import text_string_to_metric_families


def blocks(path):
    cur, kernel = None, None
    with open(path, encoding="utf-8", errors="strict", newline="") as f:
        for raw in f:
            line = raw.rstrip("\r\n").replace("\r", "")
            if line.startswith("# "):
                line = line[2:]
            if line.startswith("PROM-BEGIN"):
                cur, kernel = [], line[len("PROM-BEGIN"):].strip()
            elif line == "PROM-END" and cur is not None:
                yield kernel, "".join(cur)
                cur = None
            elif cur is not None and line.startswith("PROM| "):
                cur.append(line[len("PROM| "):] + "\n")
            elif cur is not None and line == "PROM|":
                cur.append("\n")


def check(text):
    fams = list(text_string_to_metric_families(text))
    names = {f.name: f for f in fams}
    assert len(names) == len(fams), "a family appears twice"
    nsamples = 0
    for f in fams:
        assert f.name.startswith("smart_madvise_"), f.name
        assert f.documentation, "no HELP for " + f.name
        assert f.type in ("counter", "gauge", "summary"), (f.name, f.type)
        for s in f.samples:
            nsamples += 1
            if f.type != "summary":
                assert (f.type == "counter") == s.name.endswith("_total"), s.name
            assert s.value >= 0, s
            if "pid" in s.labels:
                assert re.fullmatch(r"[1-9][0-9]*", s.labels["pid"]), s.labels
                assert "comm" in s.labels, s.labels
    for need in ("smart_madvise_info", "smart_madvise_faults",
                 "smart_madvise_rewrites", "smart_madvise_verdict",
                 "smart_madvise_all_faults", "smart_madvise_window_size",
                 "smart_madvise_late", "smart_madvise_late_supported",
                 "smart_madvise_late_corrections", "smart_madvise_mappings",
                 "smart_madvise_all_late_corrections",
                 "smart_madvise_tracked_mappings"):
        assert need in names, "missing family " + need
    per_pid = [s for s in names["smart_madvise_faults"].samples]
    assert per_pid, "no per-process samples"
    return len(fams), nsamples


def main(paths):
    n = bad = 0
    for path in paths:
        for kernel, text in blocks(path):
            n += 1
            try:
                nf, ns = check(text)
                print("ok %d - %s: %d families, %d samples parsed by prometheus_client"
                      % (n, kernel, nf, ns))
            except Exception as e:  # parser errors are ValueError and others
                bad += 1
                print("not ok %d - %s: %r" % (n, kernel, e))
    if n == 0:
        print("not ok 1 - no PROM-BEGIN block in %s" % " ".join(paths))
        return 1
    print("1..%d" % n)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

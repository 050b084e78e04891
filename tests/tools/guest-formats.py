#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check smadvctl's machine output (--json, metrics) with Python's json and
prometheus_client's parser, the references, instead of a parser of our own.

  guest-formats.py RESULT-FILE...
      The outputs the guest cases copied into their TAP stream with sm_embed
      (tests/vm/guest/lib.sh): "FORMAT-BEGIN NAME KERNEL", "FORMAT| LINE"...,
      "FORMAT-END", each line prefixed "# " by the runner; e.g.
      build/*/result.txt after tests/vm/run.sh. Every file must hold every
      block of BLOCKS: a missing one fails, so this cannot pass vacuously.
  guest-formats.py --check WHAT FILE
      FILE as block WHAT (a name of BLOCKS), or as a bare format: json,
      jsonl, prom (tests/tools/run.sh: smadvctl on a fake tree).

Prints TAP and "N passed, N failed"; exits 1 on any failure.
"""
import json
import re
import sys

VERDICTS = ("unknown", "sequential", "random", "mixed")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def need(cond, why):
    if not cond:
        raise ValueError(why)


# --- the formats -----------------------------------------------------------

def _no_constant(name):
    raise ValueError("%s is not JSON (RFC 8259)" % name)


def _no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    need(not dup, "duplicate key(s) %s" % dup)
    return dict(pairs)


def load_json(text):
    """One RFC 8259 value: json.loads without its NaN/Infinity extension,
    and refusing duplicate keys (it would keep the last silently)."""
    return json.loads(text, parse_constant=_no_constant,
                      object_pairs_hook=_no_duplicate_keys)


def load_jsonl(text):
    """One JSON value per non-empty line, at least one."""
    vals = [load_json(line) for line in text.split("\n") if line.strip()]
    need(vals, "no JSON value")
    return vals


def load_prom(text):
    """The text exposition format 0.0.4 by prometheus_client, plus what its
    parser lets pass and the Prometheus server refuses or our conventions
    forbid: a family interleaved with another or typed after its samples,
    a second HELP or TYPE, a duplicate series, a bad or reserved label
    name; every family has HELP and TYPE, counters end in _total and gauges
    do not (checked on the TYPE lines: the parser appends _total to a
    counter's samples itself)."""
    # imported here: the JSON checks work without python3-prometheus-client
    from prometheus_client.parser import text_string_to_metric_families
    fams = list(text_string_to_metric_families(text))
    decl, sampled = {}, set()
    for line in text.splitlines():
        parts = line.split(None, 3)
        if len(parts) >= 3 and parts[0] == "#" and parts[1] in ("HELP", "TYPE"):
            d = decl.setdefault(parts[2], {"HELP": 0, "TYPE": 0, "type": None})
            d[parts[1]] += 1
            need(d[parts[1]] == 1, "second %s for %s" % (parts[1], parts[2]))
            if parts[1] == "TYPE":
                d["type"] = parts[3] if len(parts) == 4 else ""
                need(not sampled & {parts[2] + x for x in ("", "_sum", "_count", "_bucket")},
                     "TYPE after samples of %s" % parts[2])
        elif parts and not parts[0].startswith("#"):
            sampled.add(re.match(r"[^{\s]*", line.strip()).group())
    for name, d in decl.items():
        need(d["HELP"] and d["TYPE"], "%s has no %s" % (name, "TYPE" if d["HELP"] else "HELP"))
        if d["type"] == "counter":
            need(name.endswith("_total"), "counter %s does not end in _total" % name)
        elif d["type"] == "gauge":
            need(not name.endswith("_total"), "gauge %s ends in _total" % name)
    seen, series = set(), set()
    for f in fams:
        need(f.name not in seen,
             "family %s appears twice (interleaved, or TYPE after samples)" % f.name)
        seen.add(f.name)
        # the parser makes an untyped family of a sample no TYPE declared
        need(f.type != "unknown", "%s has no HELP and TYPE before its samples"
             % (f.samples[0].name if f.samples else f.name))
        for s in f.samples:
            for k in s.labels:
                need(LABEL.fullmatch(k) and not k.startswith("__"),
                     "invalid or reserved label name %r in %s" % (k, s.name))
            key = (s.name, frozenset(s.labels.items()))
            need(key not in series, "duplicate series %s%s" % (s.name, s.labels))
            series.add(key)
    return fams


FORMATS = {"json": load_json, "jsonl": load_jsonl, "prom": load_prom}
SHOWN = {"json": "JSON", "jsonl": "JSON lines", "prom": "Prometheus text format"}


# --- what each output must hold ---------------------------------------------

def is_count(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def check_status(d):
    need(isinstance(d, dict), "not an object")
    need(d.get("loaded") is True, "loaded is not true: %r" % d.get("loaded"))
    for k in ("version", "tool_version"):
        need(isinstance(d.get(k), str) and d[k], "no %s" % k)
    t, st = d.get("tunables"), d.get("stats")
    need(isinstance(t, dict) and isinstance(st, dict), "no tunables or stats object")
    for k in ("enable", "window_size", "threshold"):
        need(is_count(t.get(k)), "tunable %s is not a count: %r" % (k, t.get(k)))
    need(all(isinstance(v, (int, str)) and not isinstance(v, bool) for v in t.values()),
         "a tunable is neither a number nor a string")
    need("faults" in st, "no faults in stats")
    need(all(isinstance(v, int) and not isinstance(v, bool) for v in st.values()),
         "a stat is not an integer")
    return "loaded, version %s, %d tunables, %d stats" % (d["version"], len(t), len(st))


def check_status_unloaded(d):
    need(isinstance(d, dict) and sorted(d) == ["error", "loaded"],
         "keys are not loaded, error: %r" % d)
    need(d["loaded"] is False, "loaded is not false")
    need(isinstance(d["error"], str) and d["error"], "no error text")
    return "loaded false, the error named"


def check_process(p):
    need(isinstance(p, dict), "a process is not an object")
    need(isinstance(p.get("pid"), int) and p["pid"] > 0, "bad pid %r" % p.get("pid"))
    need(isinstance(p.get("comm"), str), "pid %d: comm is not a string" % p["pid"])
    for k in ("faults", "sequential", "random", "rewrites", "late"):
        need(is_count(p.get(k)), "pid %d: %s is not a count" % (p["pid"], k))
    need(p["sequential"] + p["random"] <= p["faults"],
         "pid %d: sequential + random > faults" % p["pid"])
    need(p.get("verdict") in VERDICTS, "pid %d: verdict %r" % (p["pid"], p.get("verdict")))
    r = p.get("faults_per_sec", 0)
    need(r is None or (isinstance(r, (int, float)) and r >= 0),
         "pid %d: faults_per_sec %r" % (p["pid"], r))


def check_top(lines):
    for i, d in enumerate(lines):
        need(isinstance(d, dict), "line %d is not an object" % (i + 1))
        need(isinstance(d.get("version"), str) and is_count(d.get("time")),
             "line %d: no version or time" % (i + 1))
        need(isinstance(d.get("stats"), dict), "line %d: no stats" % (i + 1))
        procs = d.get("processes")
        need(isinstance(procs, list) and procs, "line %d: no processes" % (i + 1))
        for p in procs:
            check_process(p)
        pids = [p["pid"] for p in procs]
        need(len(set(pids)) == len(pids), "line %d: a pid twice" % (i + 1))
    # no rate without a previous snapshot
    need(all(p["faults_per_sec"] is None for p in lines[0]["processes"]),
         "faults_per_sec in the first snapshot")
    return "%d snapshot(s), each with version, time, stats and processes" % len(lines)


MODES = ("applied", "dry_run", "late", "late_dry_run")


def check_events(d):
    need(isinstance(d, list) and d, "not a non-empty array")
    keys = ["applied", "asked", "comm", "dry_run", "late", "length", "mode", "pid",
            "seq_permille", "start", "time_ns"]
    for e in d:
        need(isinstance(e, dict) and sorted(e) == keys, "event keys %r" % sorted(e))
        for k in ("time_ns", "start", "length", "seq_permille"):
            need(is_count(e[k]), "%s is not a count" % k)
        need(e["pid"] > 0 and e["length"] > 0 and e["seq_permille"] <= 1000,
             "pid, length or seq_permille out of range: %r" % e)
        need(e["mode"] in MODES, "mode %r" % e["mode"])
        need(e["dry_run"] is e["mode"].endswith("dry_run") and
             e["late"] is e["mode"].startswith("late"),
             "dry_run and late disagree with mode %r" % e["mode"])
    return "%d event(s) with every field, dry_run and late agreeing with mode" % len(d)


def check_metrics(fams):
    names = {f.name: f for f in fams}
    nsamples = 0
    for f in fams:
        need(f.name.startswith("smart_madvise_"), "family %s" % f.name)
        need(f.type in ("counter", "gauge", "summary"), "%s is a %s" % (f.name, f.type))
        for s in f.samples:
            nsamples += 1
            need(s.timestamp is None, "%s has a timestamp" % s.name)
            need(s.value >= 0, "%s%s = %r" % (s.name, s.labels, s.value))
            if "pid" in s.labels:
                need(re.fullmatch(r"[1-9][0-9]*", s.labels["pid"]) and "comm" in s.labels,
                     "%s: labels %r" % (s.name, s.labels))
    for n in ("smart_madvise_info", "smart_madvise_faults",
              "smart_madvise_rewrites", "smart_madvise_verdict",
              "smart_madvise_all_faults", "smart_madvise_window_size",
              "smart_madvise_late", "smart_madvise_late_supported",
              "smart_madvise_late_corrections", "smart_madvise_mappings",
              "smart_madvise_all_late_corrections",
              "smart_madvise_tracked_mappings"):
        need(n in names, "missing family " + n)
    need(names["smart_madvise_faults"].samples, "no per-process samples")
    return "%d families, %d samples; HELP, TYPE, _total on counters only" % (len(fams), nsamples)


# name -> (format, what produced it, check of the parsed value)
BLOCKS = {
    "status": ("json", "smadvctl status --json", check_status),
    "status-unloaded": ("json", "smadvctl status --json, module not loaded",
                        check_status_unloaded),
    "top": ("jsonl", "smadvctl top --json", check_top),
    "events": ("json", "smadvctl events --json", check_events),
    "metrics": ("prom", "smadvctl metrics", check_metrics),
    "metrics-o": ("prom", "smadvctl metrics -o FILE", check_metrics),
}
FORMAT_OF_TAG = {"JSON": "json", "JSONL": "jsonl", "PROM": "prom"}


def check(what, text):
    """Parse text as block (or bare format) what; returns what it proved."""
    if what in FORMATS:
        FORMATS[what](text)
        return "valid %s" % SHOWN[what]
    fmt, _, fn = BLOCKS[what]
    return "valid %s; %s" % (SHOWN[fmt], fn(FORMATS[fmt](text)))


def blocks(path):
    """(tag, name, kernel, text or error) of each block of a result file;
    the stream is bytes, and only a block's lines must be UTF-8."""
    cur = None
    with open(path, "rb") as f:
        for raw in f:
            line = raw.rstrip(b"\r\n").replace(b"\r", b"")
            if line.startswith(b"# "):
                line = line[2:]
            if cur is not None:
                tag, name, kernel, lines = cur
                if line == tag.encode() + b"-END":
                    try:
                        yield tag, name, kernel, b"".join(lines).decode("utf-8")
                    except UnicodeDecodeError as e:
                        yield tag, name, kernel, e
                    cur = None
                    continue
                if line.startswith(tag.encode() + b"| ") or line == tag.encode() + b"|":
                    lines.append(line[len(tag) + 2:] + b"\n")
                    continue
                # a guest line inside a block: its copy was cut short
                yield tag, name, kernel, ValueError("block ends without %s-END at %r"
                                                    % (tag, line[:60]))
                cur = None
            head = line.split(b" ")
            tag = head[0][:-len(b"-BEGIN")].decode("ascii", "replace")
            if head[0].endswith(b"-BEGIN") and tag in FORMAT_OF_TAG:
                if len(head) != 3:
                    yield tag, "?", "?", ValueError("malformed %r" % line[:60])
                    continue
                cur = (tag, head[1].decode("utf-8", "replace"),
                       head[2].decode("utf-8", "replace"), [])
    if cur is not None:
        yield cur[0], cur[1], cur[2], ValueError("block ends without %s-END" % cur[0])


class Tap:
    def __init__(self):
        self.n = self.bad = 0

    def result(self, ok, what):
        self.n += 1
        self.bad += not ok
        print("%s %d - %s" % ("ok" if ok else "not ok", self.n, what))

    def finish(self):
        print("1..%d" % self.n)
        print("%d passed, %d failed" % (self.n - self.bad, self.bad))
        return 1 if self.bad or not self.n else 0


def check_results(paths, tap):
    if not paths:
        tap.result(False, "no result file given")
    for path in paths:
        found, label_of_file = set(), None
        try:
            for tag, name, kernel, text in blocks(path):
                if label_of_file is None and name != "?":
                    label_of_file = kernel
                label = path if name == "?" else "%s: %s" % (
                    kernel, BLOCKS[name][1] if name in BLOCKS else name)
                found.add(name)
                try:
                    if isinstance(text, Exception):
                        raise text
                    need(name in BLOCKS, "no such block (known: %s)" % " ".join(BLOCKS))
                    need(FORMAT_OF_TAG[tag] == BLOCKS[name][0],
                         "embedded as %s, it is %s" % (tag, BLOCKS[name][0]))
                    tap.result(True, "%s: %s" % (label, check(name, text)))
                except Exception as e:  # the parsers raise ValueError and others
                    tap.result(False, "%s: %s" % (label, e))
        except OSError as e:
            tap.result(False, "%s: %s" % (path, e))
            continue
        for name in BLOCKS:
            if name not in found:
                tap.result(False, "%s: no %s block (%s) in %s"
                           % (label_of_file or path, name, BLOCKS[name][1], path))


def main(argv):
    tap = Tap()
    if argv[:1] == ["--check"]:
        if len(argv) != 3 or (argv[1] not in BLOCKS and argv[1] not in FORMATS):
            print("usage: %s --check {%s} FILE" % (sys.argv[0], ",".join(
                list(BLOCKS) + list(FORMATS))), file=sys.stderr)
            return 2
        what, path = argv[1], argv[2]
        try:
            with open(path, "rb") as f:
                raw = f.read()
            # the guest checks this itself: its copy cannot show it
            need(not raw or raw.endswith(b"\n"), "no newline at the end")
            tap.result(True, "%s: %s" % (path, check(what, raw.decode("utf-8"))))
        except Exception as e:
            tap.result(False, "%s as %s: %s" % (path, what, e))
    else:
        check_results(argv, tap)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
# bench/stats.py: arithmetic for bench/run.sh: latency percentiles over the
# drivers' files, CPU deltas between two /proc snapshots, and the drivers'
# combined rate.
import sys


def pct(v, p):
    if not v:
        return 0.0
    return v[min(len(v) - 1, int(p / 100.0 * (len(v) - 1) + 0.5))]


def cmd_lat(files):
    v = []
    for f in files:
        with open(f) as fh:
            v.extend(int(x) for x in fh if x.strip())
    v.sort()
    print("n=%d p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.2f" % (
        len(v), pct(v, 50) / 1e3, pct(v, 95) / 1e3, pct(v, 99) / 1e3,
        (v[-1] if v else 0) / 1e3))


def kv(line):
    return dict(x.split("=", 1) for x in line.split() if "=" in x)


def cmd_drivers(files):
    first, last, acked, c = [], [], 0, {}
    for f in files:
        with open(f) as fh:
            for line in fh:
                if line.startswith("driver "):
                    d = kv(line)
                    if float(d["first"]) > 0:
                        first.append(float(d["first"]))
                        last.append(float(d["last"]))
                    acked += int(d["acked"])
                    for k in ("stored", "duplicate", "rejected", "retry_replies",
                              "failed", "other"):
                        c[k] = c.get(k, 0) + int(d[k])
    el = max(last) - min(first) if first else 0
    print("acked=%d elapsed=%.3f docs_per_s=%.1f %s" % (
        acked, el, acked / el if el > 0 else 0,
        " ".join("%s=%d" % kv_ for kv_ in sorted(c.items()))))


def load_snap(f):
    s = {}
    with open(f) as fh:
        for line in fh:
            role, pid, own, child = line.split()
            s[(role, pid)] = (int(own), int(child))
    return s


def cmd_cpu(before, after, hz):
    """seconds of CPU per role; pg_total includes reaped backends (cutime
    of the postmaster)"""
    b, a, out = load_snap(before), load_snap(after), {}
    hz = float(hz)
    for (role, pid), (own, child) in a.items():
        o0, c0 = b.get((role, pid), (0, 0))
        d = own - o0
        out[role] = out.get(role, 0) + d
        if role == "postmaster":
            out["pg_reaped"] = out.get("pg_reaped", 0) + child - c0
    pg = sum(v for k, v in out.items() if k.startswith("pg") or k == "postmaster")
    machine = out.pop("machine", 0)
    ours = sum(out.values())
    print(" ".join("%s=%.2f" % (k, v / hz) for k, v in sorted(out.items())) +
          " pg_total=%.2f others_on_machine=%.2f" % (pg / hz, max(0, machine - ours) / hz))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"lat": lambda: cmd_lat(args), "drivers": lambda: cmd_drivers(args),
     "cpu": lambda: cmd_cpu(*args)}[cmd]()

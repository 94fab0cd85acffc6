#!/usr/bin/env python3
# bench/stats.py: arithmetic for bench/run.sh: latency percentiles over the
# drivers' files, CPU deltas between two /proc snapshots, and the drivers'
# combined rate, table bytes and WAL per document.
import os
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
    """(role, pid) -> (own, child, own in the kernel, child in the kernel)
    ticks; the machine's line has no kernel split"""
    s = {}
    with open(f) as fh:
        for line in fh:
            f_ = line.split()
            role, pid, ticks = f_[0], f_[1], [int(x) for x in f_[2:]]
            s[(role, pid)] = tuple(ticks + [0] * (4 - len(ticks)))
    return s


def cmd_cpu(before, after, hz):
    """seconds of CPU per role; pg_total includes reaped backends (cutime
    of the postmaster); pg_kernel is the part of pg_total spent in the
    kernel (stime)"""
    b, a, out = load_snap(before), load_snap(after), {}
    hz = float(hz)
    pg_kernel = 0
    for (role, pid), (own, child, own_k, child_k) in a.items():
        o0, c0, ok0, ck0 = b.get((role, pid), (0, 0, 0, 0))
        out[role] = out.get(role, 0) + own - o0
        is_pg = role.startswith("pg") or role == "postmaster"
        if is_pg:
            pg_kernel += own_k - ok0
        if role == "postmaster":
            out["pg_reaped"] = out.get("pg_reaped", 0) + child - c0
            pg_kernel += child_k - ck0
    pg = sum(v for k, v in out.items() if k.startswith("pg") or k == "postmaster")
    machine = out.pop("machine", 0)
    ours = sum(out.values())
    print(" ".join("%s=%.2f" % (k, v / hz) for k, v in sorted(out.items())) +
          " pg_total=%.2f pg_kernel=%.2f others_on_machine=%.2f" % (
              pg / hz, pg_kernel / hz, max(0, machine - ours) / hz))


def load_bytes(f):
    """table -> (total, indexes, toast); None when the file is missing"""
    if not os.path.exists(f):
        return None
    s = {}
    with open(f) as fh:
        for line in fh:
            t, total, idx, toast = line.split()
            s[t] = (int(total), int(idx), int(toast))
    return s


def delta(b0, b1, t):
    if b0 is None or b1 is None or t not in b1:
        return None
    return tuple(x1 - x0 for x0, x1 in zip(b0.get(t, (0, 0, 0)), b1[t]))


def cmd_bytes(docs, p0, p1, pwal, c0, c1, cwal):
    """bytes per acknowledged document: each table's growth (heap, TOAST and
    indexes; of which indexes) and the WAL written, for planq's phase and
    for COPY, 2 connections of the same rows"""
    n = int(docs)
    pb0, pb1, cb0, cb1 = (load_bytes(f) for f in (p0, p1, c0, c1))
    if n <= 0 or pb1 is None:
        print("bytes per document: n/a")
        return

    def per(v, i):
        return "n/a" if v is None else "%.0f" % (v[i] / n)
    print("bytes per document (%d acked): each table's growth "
          "(pg_total_relation_size: heap + TOAST + indexes), of which "
          "indexes and TOAST; WAL" % n)
    row = "  %-20s %8s %8s %8s | %8s %8s %8s"
    print(row % ("table", "planq", "indexes", "TOAST", "COPY", "indexes",
                 "TOAST"))
    tot = {"p": [0, 0, 0], "c": [0, 0, 0]}
    for t in pb1:
        p, c = delta(pb0, pb1, t), delta(cb0, cb1, t)
        for k, v in (("p", p), ("c", c)):
            if v is not None:
                tot[k] = [a + b for a, b in zip(tot[k], v)]
        print(row % ((t,) + tuple(per(p, i) for i in range(3)) +
                     tuple(per(c, i) for i in range(3))))
    ct = tot["c"] if cb1 is not None else None
    print(row % (("total",) + tuple(per(tot["p"], i) for i in range(3)) +
                 tuple(per(ct, i) for i in range(3))))
    print(row % ("WAL", "%.0f" % (int(pwal) / n), "", "",
                 "%.0f" % (int(cwal) / n) if cwal else "n/a", "", ""))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"lat": lambda: cmd_lat(args), "drivers": lambda: cmd_drivers(args),
     "cpu": lambda: cmd_cpu(*args), "bytes": lambda: cmd_bytes(*args)}[cmd]()

#!/usr/bin/python3
"""tests/chaos/verdict.py: judges a chaos campaign (tests/chaos/chaos.sh)
from what the sender heard (sender.py's log), what vanishing clients sent
(vanish.py's log), the database at the end (chaos.sh's dump: sha256, id,
outcome, reason, plan id, plan fingerprint), the plan rows each sample
gave before any fault, and planqd's RSS over the run.

Prints "ok CHECK" or "FAIL CHECK: why" for each part of the invariant, and
"# …" lines with the run's numbers.  The invariant:

  - every document got a final answer (stored, duplicate, rejected,
    spooled), and no message was answered twice;
  - every document answered stored, duplicate or spooled is in the
    database exactly once (by sha256), a plan with all its rows (the
    same rows as the first store of its sample), and the ids in the
    replies are the database's;
  - every rejection has its reason, in the reply and in the database; a
    bad message is rejected with the reason the protocol documents and
    never stored; a plan is only ever rejected as quarantined;
  - the answers of one document, and of the same bytes sent as several
    documents, never disagree (stored or duplicate against rejected);
  - the database holds no bytes that nobody sent;
  - planqd's RSS stayed under the bound.
"""
import argparse
import collections
import json
import sys

ACK = ("stored", "duplicate", "spooled")
FINAL = ("stored", "duplicate", "rejected", "spooled")
# the one reason a plan may be rejected for in a campaign: its workers were
# killed under it (worker_kill) max_crashes times.  Never "timed out": the
# campaign's locks outlast 3 x job_timeout, and waiting on the database
# must not count against a document (tests/faults/test_slow_db.sh).
QUARANTINE = "worker crashed on this document"


class Verdict:
    def __init__(self):
        self.failed = 0

    def check(self, name, bad, show=5):
        """bad: the list of what breaks the check (empty: ok)."""
        if not bad:
            print(f"ok {name}")
            return
        self.failed += 1
        more = f" (and {len(bad) - show} more)" if len(bad) > show else ""
        print(f"FAIL {name}: {len(bad)}: " + "; ".join(str(b) for b in bad[:show]) + more)


def read_jsonl(path):
    try:
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def read_db(path):
    rows = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            sha, doc_id, outcome, reason, plan_id, fp = line.rstrip("\n").split("\t")
            rows.setdefault(sha, []).append({
                "id": int(doc_id), "outcome": outcome, "reason": reason,
                "plan_id": plan_id, "fingerprint": fp})
    return rows


def read_reference(path, db):
    """The fingerprint of each sample's plan stored before any fault."""
    ref, shas = {}, set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            sample, sha = line.rstrip("\n").split("\t")
            rows = db.get(sha, [])
            ref[sample] = rows[0]["fingerprint"] if rows else None
            shas.add(sha)
    return ref, shas


class Run:
    """The sender's log, by document."""

    def __init__(self, events):
        self.docs = {}
        self.replies = collections.defaultdict(list)   # key -> replies
        self.unmatched = []
        self.end = None
        self.stop = None
        self.count = collections.Counter()
        for ev in events:
            kind = ev["ev"]
            self.count[kind] += 1
            if kind == "doc":
                self.docs[ev["key"]] = ev
            elif kind == "reply":
                self.replies[ev["key"]].append(ev)
                self.count["status " + str(ev["status"])] += 1
            elif kind == "unmatched":
                self.unmatched.append(ev["reply"])
            elif kind == "end":
                self.end = ev
            elif kind == "stop":
                self.stop = ev

    def finals(self, key):
        return [r for r in self.replies[key] if r["status"] in FINAL]

    def by_sha(self):
        shas = collections.defaultdict(list)
        for key, doc in self.docs.items():
            if doc["kind"] != "bad":
                shas[doc["sha"]].append(key)
        return shas


def check_answers(v, run):
    unanswered = run.end["unanswered"] if run.end else ["(the sender did not finish)"]
    v.check("every document got a final answer", unanswered)
    twice = [r["id"] for rs in run.replies.values() for r in rs if r.get("twice")]
    v.check("no message was answered twice", twice)
    bad_unmatched = [u for u in run.unmatched
                     if u.get("status") != "rejected" or not str(u.get("reason") or "")
                     .startswith("envelope is not valid JSON")]
    not_json = sum(1 for d in run.docs.values() if d.get("variant") == "not_json")
    if len(run.unmatched) > not_json:
        bad_unmatched.append(f"{len(run.unmatched)} such replies for {not_json} messages")
    v.check("replies without an id are the rejections of messages that are no JSON",
            bad_unmatched)
    no_reason = [r["id"] for rs in run.replies.values() for r in rs
                 if r["status"] == "rejected" and not r.get("reason")]
    no_reason += [u for u in run.unmatched if not u.get("reason")]
    v.check("every rejection has its reason", no_reason)


def check_bad_messages(v, run, db):
    wrong = []
    for key, doc in run.docs.items():
        if doc["kind"] != "bad" or doc.get("variant") == "not_json":
            continue
        for r in run.finals(key):
            if r["status"] != "rejected" or not str(r.get("reason") or "").startswith(doc["expect"]):
                wrong.append(f"{key} ({doc['variant']}): {r['status']} {r.get('reason')!r}")
        if doc["sha"] in db:
            wrong.append(f"{key} ({doc['variant']}) is in the database")
    v.check("bad messages are rejected with the documented reason, never stored", wrong)


def check_agreement(v, run):
    wrong = []
    for sha, keys in run.by_sha().items():
        statuses = {r["status"] for k in keys for r in run.finals(k)}
        if "rejected" in statuses and statuses & {"stored", "duplicate"}:
            wrong.append(f"{sha[:12]} ({', '.join(keys[:3])}): {sorted(statuses)}")
    v.check("the answers for the same bytes agree", wrong)


def check_acknowledged(v, run, db, ref):
    missing, wrong_id, wrong_rows, rejected_plans = [], [], [], []
    for sha, keys in run.by_sha().items():
        finals = [r for k in keys for r in run.finals(k)]
        kinds = {run.docs[k]["kind"] for k in keys}
        rows = db.get(sha, [])
        if any(r["status"] in ACK for r in finals) and len(rows) != 1:
            missing.append(f"{sha[:12]} ({keys[0]}): {len(rows)} rows")
            continue
        for r in finals:
            if r["status"] in ("stored", "duplicate") and rows and \
                    (r.get("document_id") != rows[0]["id"] or rows[0]["outcome"] != "stored"):
                wrong_id.append(f"{r['id']}: answered {r['status']} document "
                                f"{r.get('document_id')}, database {rows[0]['id']} "
                                f"{rows[0]['outcome']}")
        if kinds & {"plan", "dup"}:
            rejected_plans += [f"{r['id']}: {r.get('reason')}" for r in finals
                               if r["status"] == "rejected" and
                               QUARANTINE not in str(r.get("reason"))]
            if rows and rows[0]["outcome"] != "stored" and \
                    QUARANTINE not in rows[0]["reason"]:
                rejected_plans.append(f"{sha[:12]}: {rows[0]['reason']}")
        if not rows or rows[0]["outcome"] != "stored":
            continue
        if kinds & {"nonplan"}:
            wrong_rows.append(f"{sha[:12]}: a non-plan stored as a plan")
            continue
        sample = run.docs[keys[0]].get("sample")
        if rows[0]["fingerprint"] != ref.get(sample):
            wrong_rows.append(f"{sha[:12]} ({keys[0]}, {sample}): plan rows differ "
                              f"from the sample's first store")
    v.check("every document answered stored, duplicate or spooled is in the "
            "database exactly once", missing)
    v.check("stored and duplicate answers name the database's row", wrong_id)
    v.check("every stored plan has all its rows", wrong_rows)
    v.check("plans are only ever rejected as quarantined", rejected_plans)


def check_database(v, run, db, extra_shas):
    sent = {d["sha"] for d in run.docs.values()} | extra_shas
    v.check("the database holds no bytes that nobody sent",
            [sha[:12] for sha in db if sha not in sent])
    v.check("every rejected document in the database has its reason",
            [f"{sha[:12]} id {r['id']}" for sha, rows in db.items() for r in rows
             if r["outcome"] == "rejected" and not r["reason"]])
    v.check("one row per sha256", [sha[:12] for sha, rows in db.items() if len(rows) > 1])
    recorded = []
    for key, replies in run.replies.items():
        for r in replies:
            if r["status"] == "rejected" and r.get("document_id"):
                rows = db.get(run.docs[key]["sha"], [])
                if not rows or rows[0]["id"] != r["document_id"] or \
                        rows[0]["outcome"] != "rejected":
                    recorded.append(f"{r['id']}: document {r['document_id']}")
    v.check("rejections with a document_id are recorded as such", recorded)


def check_rss(v, path, max_mb):
    peak = collections.defaultdict(int)
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                _, pid, rss = line.split()
                peak[pid] = max(peak[pid], int(rss))
    except FileNotFoundError:
        pass
    top = max(peak.values(), default=0)
    print(f"# planqd RSS: max {top / 1024:.1f} MB over {len(peak)} planqd processes"
          f" (largest per process: {', '.join(f'{p / 1024:.0f}' for p in sorted(peak.values())[-5:])} MB)")
    v.check(f"planqd's RSS stayed under {max_mb} MB",
            [f"{top / 1024:.1f} MB"] if top > max_mb * 1024 or not peak else [])


def summary(run, vanished):
    kinds = collections.Counter(d["kind"] for d in run.docs.values())
    finals = collections.Counter()
    for key in run.docs:
        f = run.finals(key)
        finals[f[0]["status"] if f else "none"] += 1
    quarantined = sum(1 for rs in run.replies.values() for r in rs
                      if r["status"] == "rejected" and "worker crashed" in str(r.get("reason")))
    print(f"# documents sent: {len(run.docs)} ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})"
          f"; attempts {run.count['send']}, timeouts {run.count['timeout']}, "
          f"retry answers {run.count['status retry']}")
    print(f"# first final answers: {', '.join(f'{k} {n}' for k, n in sorted(finals.items()))}"
          f"; quarantine answers {quarantined}; replies without id {len(run.unmatched)}")
    busy = {int(k): t for k, t in (run.stop or {}).get("inflight_seconds", {}).items()}
    total = sum(busy.values()) or 1
    top = max(busy, default=0)
    print(f"# in flight: mean {sum(k * t for k, t in busy.items()) / total:.1f} documents; "
          f"{top} for {busy.get(top, 0):.0f} s ({100 * busy.get(top, 0) / total:.0f}% of "
          f"{total:.0f} s)")
    print(f"# vanishing clients: {len(vanished)} "
          f"({', '.join(f'{m} {n}' for m, n in sorted(collections.Counter(x.get('mode') for x in vanished).items()))})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sender", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--reference", required=True)
    ap.add_argument("--vanish", required=True)
    ap.add_argument("--rss", required=True)
    ap.add_argument("--rss-max-mb", type=float, default=256)
    args = ap.parse_args()
    run = Run(read_jsonl(args.sender))
    vanished = read_jsonl(args.vanish)
    db = read_db(args.db)
    ref, ref_shas = read_reference(args.reference, db)
    v = Verdict()
    summary(run, vanished)
    v.check("each sample's reference plan is stored with rows",
            [s for s, fp in ref.items() if not fp])
    check_answers(v, run)
    check_bad_messages(v, run, db)
    check_agreement(v, run)
    check_acknowledged(v, run, db, ref)
    check_database(v, run, db, ref_shas | {x["sha"] for x in vanished if "sha" in x})
    check_rss(v, args.rss, args.rss_max_mb)
    return 1 if v.failed else 0


if __name__ == "__main__":
    sys.exit(main())

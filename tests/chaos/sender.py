#!/usr/bin/python3
"""tests/chaos/sender.py: the chaos campaign's client (tests/chaos/chaos.sh).

Keeps up to INFLIGHT (64) documents in flight on one ZeroMQ DEALER socket,
starting at most RATE new ones a second, until told to stop, and logs
every event as one JSON line, every reply included, so that
tests/chaos/verdict.py can judge the run afterwards.  With the database up
planqd answers faster than RATE and few documents wait; whenever a fault
holds answers back, the 64 are in flight within a second and stay so until
it passes (the "stop" line says how long each number was in flight).
Uncapped, the sender makes planqd store a thousand documents a second on
two cores: a 30-minute run would leave 30 GB of database behind.

  {"ev":"doc","key","kind","sha","sample"|"variant"}   a document made
  {"ev":"send","key","id"}                             an attempt sent
  {"ev":"reply","id","key","status","reason","document_id","plan_id"}
  {"ev":"unmatched", "reply"}                          a reply with no id
  {"ev":"end","unanswered":[keys]}

Documents (drawn from SEED, so a seed makes the same ones): plans (a
sample with a unique comment), duplicates (the bytes of an earlier plan,
as a new document), non-plans (minutes, a speech, an error page, binary
junk, bytes in no charset, each made unique), and bad messages (frames,
envelope, body) that planqd must reject with a readable reason.

Every attempt has its own id (KEY.N): a reply answers exactly one message,
so two replies to one id would be planqd answering a message twice.  A
document with no reply after TIMEOUT seconds is sent again, and one
answered "retry" after a backoff (0.5 s doubling to 5 s), until a final
answer (stored, duplicate, rejected, spooled).

Why not planq_client or `planq send`: both keep only a document's final
outcome and drop late replies to ids they have finished with, which are
exactly what this campaign must see, and neither sends bad envelopes.
"""
import argparse
import hashlib
import json
import os
import random
import sys
import time

import zmq

BACKOFF_FIRST = 0.5
BACKOFF_MAX = 5.0
FINAL = ("stored", "duplicate", "rejected", "spooled")


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Maker:
    """Draws the documents of a run from its seed."""

    def __init__(self, seed, samples, notplans, max_body):
        self.rng = random.Random(seed)
        self.seed = seed
        self.samples = [(os.path.basename(p), read(p)) for p in samples]
        self.notplans = [(os.path.basename(p), read(p)) for p in notplans]
        self.max_body = max_body
        self.n = 0
        self.plans = []       # (sha, body, sample) of plans made so far

    def envelope(self, key, attempt):
        return json.dumps({"v": 1, "id": f"{key}.{attempt}",
                           "source_url": f"https://chaos.invalid/{key}",
                           "fetched_at": "2024-04-01T00:00:00Z"}).encode()

    def bad(self, key, body):
        """A message planqd must refuse: (variant, frames(attempt), reason
        prefix)."""
        def env(attempt, **extra):
            e = {"v": 1, "id": f"{key}.{attempt}"}
            e.update(extra)
            return json.dumps(e).encode()
        variants = [
            ("one_frame", lambda a: [env(a)], "message has 1 frame"),
            ("three_frames", lambda a: [env(a), body, b"x"],
             "message has 3 frames"),
            ("no_v", lambda a: [json.dumps({"id": f"{key}.{a}"}).encode(), body],
             'envelope has no "v"'),
            ("v2", lambda a: [env(a, v=2), body],
             "unsupported protocol version v=2"),
            ("url_number", lambda a: [env(a, source_url=7), body],
             'envelope "source_url" must be a string'),
            ("nul", lambda a: [env(a, note="a\u0000b"), body],
             'envelope "note" contains a NUL character'),
            ("empty_body", lambda a: [env(a), b""], "document body is empty"),
            ("oversize", lambda a: [env(a), body * (self.max_body // len(body) + 1)],
             "document is"),
            ("not_json", lambda a: [b'{"v":1,"id":"' + f"{key}.{a}".encode(), body],
             "envelope is not valid JSON"),
        ]
        return self.rng.choice(variants)

    def next(self):
        self.n += 1
        key = f"d{self.n:06d}"
        tag = f"\n<!-- chaos seed {self.seed} doc {self.n} -->\n".encode()
        kind = self.rng.choices(["plan", "dup", "nonplan", "bad"],
                                weights=[0.55, 0.15, 0.15, 0.15])[0]
        if kind == "dup" and not self.plans:
            kind = "plan"
        doc = {"key": key, "kind": kind}
        if kind == "plan":
            name, body = self.rng.choice(self.samples)
            body = body + tag
            doc["sample"] = name
            self.plans.append((hashlib.sha256(body).hexdigest(), body, name))
        elif kind == "dup":
            _, body, name = self.rng.choice(self.plans)
            doc["sample"] = name
        elif kind == "nonplan":
            name, body = self.rng.choice(self.notplans)
            body = body + tag
            doc["variant"] = name
        else:
            body = b"bad message " + tag
            variant, frames, reason = self.bad(key, body)
            doc["variant"] = variant
            doc["expect"] = reason
            doc["frames"] = frames
        doc["body"] = body
        doc["sha"] = hashlib.sha256(body).hexdigest()
        return doc


class Sender:
    def __init__(self, args, maker, log):
        self.args = args
        self.maker = maker
        self.log = log
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.RCVHWM, 0)
        self.sock.connect(args.endpoint)
        self.t0 = time.monotonic()
        self.inflight = {}    # key -> doc
        self.by_id = {}       # attempt id -> key
        self.answered = set()  # attempt ids with a reply

    def now(self):
        return round(time.monotonic() - self.t0, 3)

    def write(self, **ev):
        ev["t"] = self.now()
        self.log.write(json.dumps(ev, ensure_ascii=False) + "\n")

    def start(self, doc):
        self.write(ev="doc", key=doc["key"], kind=doc["kind"], sha=doc["sha"],
                   **{k: doc[k] for k in ("sample", "variant", "expect")
                      if k in doc})
        doc["attempts"] = 0
        doc["retries"] = 0
        self.inflight[doc["key"]] = doc
        self.transmit(doc)

    def transmit(self, doc):
        doc["attempts"] += 1
        aid = f"{doc['key']}.{doc['attempts']}"
        if "frames" in doc:
            frames = doc["frames"](doc["attempts"])
        else:
            frames = [self.maker.envelope(doc["key"], doc["attempts"]),
                      doc["body"]]
        self.by_id[aid] = doc["key"]
        doc["due"] = time.monotonic() + self.args.timeout
        doc["waiting"] = True
        try:
            self.sock.send_multipart(frames, flags=zmq.NOBLOCK)
            self.write(ev="send", key=doc["key"], id=aid)
        except zmq.Again:
            self.write(ev="send_blocked", key=doc["key"], id=aid)
            return
        if doc.get("variant") == "not_json":
            # its reply cannot name it (no id to salvage): counted, not
            # awaited (verdict.py pairs the unmatched replies with these)
            del self.inflight[doc["key"]]

    def on_reply(self, frames):
        try:
            rep = json.loads(frames[-1])
            rid = rep.get("id")
        except (ValueError, AttributeError):
            self.write(ev="bad_reply", reply=repr(frames)[:500])
            return
        key = self.by_id.get(rid) if isinstance(rid, str) else None
        if key is None:
            self.write(ev="unmatched", reply=rep)
            return
        status = rep.get("status")
        self.write(ev="reply", id=rid, key=key, status=status,
                   reason=rep.get("reason"), document_id=rep.get("document_id"),
                   plan_id=rep.get("plan_id"), twice=rid in self.answered)
        self.answered.add(rid)
        doc = self.inflight.get(key)
        if doc is None:
            return            # a late reply: the document has its answer
        if status in FINAL:
            del self.inflight[key]
        elif status == "retry":
            doc["waiting"] = False
            doc["due"] = time.monotonic() + min(
                BACKOFF_MAX, BACKOFF_FIRST * 2 ** doc["retries"])
            doc["retries"] += 1

    def resend_due(self):
        now = time.monotonic()
        for doc in list(self.inflight.values()):
            if now >= doc["due"]:
                if doc["waiting"]:
                    self.write(ev="timeout", key=doc["key"],
                               id=f"{doc['key']}.{doc['attempts']}")
                self.transmit(doc)

    def may_start(self):
        """Room in flight, and under the rate (0: no cap)."""
        if len(self.inflight) >= self.args.inflight:
            return False
        return self.args.rate <= 0 or \
            self.maker.n < self.args.rate * (time.monotonic() - self.t0)

    def account(self):
        """Seconds spent with each number of documents in flight."""
        now = time.monotonic()
        n = len(self.inflight)
        self.busy[n] = self.busy.get(n, 0.0) + now - self.last_t
        self.last_t = now

    def run(self):
        stop_at = None
        poller = zmq.Poller()
        poller.register(self.sock, zmq.POLLIN)
        self.busy, self.last_t = {}, time.monotonic()
        while True:
            self.account()
            if stop_at is None and os.path.exists(self.args.stop_file):
                stop_at = time.monotonic() + self.args.drain_seconds
                self.write(ev="stop", inflight=len(self.inflight),
                           inflight_seconds={str(k): round(v, 1) for k, v in
                                             sorted(self.busy.items())})
            if stop_at is None:
                while self.may_start():
                    self.start(self.maker.next())
            elif not self.inflight or time.monotonic() > stop_at:
                break
            for _ in range(256):
                if not poller.poll(0 if _ else 100):
                    break
                self.on_reply(self.sock.recv_multipart())
            self.resend_due()
        self.write(ev="end", documents=self.maker.n,
                   unanswered=sorted(self.inflight))
        self.sock.close(0)
        self.ctx.term()
        return 0 if not self.inflight else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--stop-file", required=True)
    ap.add_argument("--samples", nargs="+", required=True)
    ap.add_argument("--notplans", nargs="+", required=True)
    ap.add_argument("--inflight", type=int, default=64)
    ap.add_argument("--rate", type=float, default=100.0,
                    help="new documents per second at most (0: no cap)")
    ap.add_argument("--timeout", type=float, default=15.0)
    ap.add_argument("--drain-seconds", type=float, default=240.0)
    ap.add_argument("--max-body", type=int, default=65536)
    args = ap.parse_args()
    maker = Maker(args.seed, args.samples, args.notplans, args.max_body)
    with open(args.log, "w", buffering=1, encoding="utf-8") as log:
        return Sender(args, maker, log).run()


if __name__ == "__main__":
    sys.exit(main())

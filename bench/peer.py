#!/usr/bin/python3
"""bench/peer.py: the bench's peer, what a user would write to load the
crawlers' documents without planq: a small Python program (Debian's
python3-zmq and python3-psycopg) that speaks planq's wire protocol
(docs/PROTOCOL.md) on a ZeroMQ ROUTER socket, parses each document with
`planq parse` (planq's parser; that command has no batch or streaming
mode, so one process per document, as a user of the command line would
run it) and stores the document and its plan's rows in the same schema
(sql/B014_baseline.sql and later), one transaction per document, with plain
INSERTs (psycopg's executemany for the child rows).  It answers stored,
duplicate or rejected like planqd, so bench/driver.c counts its replies.

Processes: the main one owns the socket and hands each document to one
of --procs worker processes (a pipe each, one document at a time per
worker); each worker has its own database connection and answers
through its pipe.  Not a daemon: no spool, no supervision, no batches;
a document it cannot place (the database gone, `planq parse` failing) is
answered "retry" and the error printed on stderr.

What it stores, next to what planq's worker stores for the same bytes
(tests/integration/test_bench_peer.sh compares them):
  - the same documents, plans and rows, its warnings' codes, the
    current version of each (org, year) chosen the same way (final >
    proposal > draft, then the newest published_on, then the highest
    document id);
  - plans.parsed_sha256 is planq_plan_digest() of the JSON `planq parse`
    printed, which is the worker's JSON (real numbers to 15 digits);
  - the columns migrations 013 and 016 keep for the views (counts, main
    budgets, planq_norm_title of each initiative's title, its issue's
    number and title and its strategy's code and title), computed here
    from the parsed plan as planq_store_plans computes them from the row
    arrays;
  - documents.charset is NULL: `planq parse` does not say which charset
    it decoded the bytes from;
  - a plan the schema refuses is stored as a rejected document whose
    reason is the server's message, without planq's naming of the part.

    /usr/bin/python3 bench/peer.py --listen tcp://127.0.0.1:5571 \\
        --db "$PLANQ_DB" --planq bin/planq --procs 2

On SIGTERM or SIGINT it answers what it holds, stops its workers and
prints its CPU time (its own and its reaped children's, the `planq
parse` processes included) to stderr as one line "peer cpu: …".
"""

import argparse
import collections
import datetime
import decimal
import hashlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys

import psycopg
import zmq

PARSE_PREFIX = "planq parse: -: "


# ---- the envelope and the parse ----------------------------------------

def envelope_fields(env):
    """The documents columns planq takes from an envelope."""
    def text(*keys):
        """the first of env's keys that holds a string"""
        return next((env[k] for k in keys if isinstance(env.get(k), str)),
                    None)
    return {
        "client_id": text("client_id", "client", "id"),
        "source_url": text("source_url", "url"),
        "fetched_at": fetched_at(env.get("fetched_at")),
        "content_type": text("content_type"),
    }


def fetched_at(value):
    """An ISO 8601 string or epoch seconds as a datetime; None otherwise."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    if not isinstance(value, str):
        return None
    try:
        t = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=datetime.timezone.utc)


def parse(planq, body, content_type):
    """("plan", json_text, plan) or ("rejected", reason, None)."""
    cmd = [planq, "parse"]
    if content_type:
        cmd += ["--content-type", content_type]
    p = subprocess.run(cmd + ["-"], input=body, capture_output=True,
                       check=False)
    err = p.stderr.decode("utf-8", "replace").strip()
    if p.returncode == 1 and err.startswith(PARSE_PREFIX):
        return "rejected", "undecodable: " + err[len(PARSE_PREFIX):], None
    if p.returncode != 0:
        raise RuntimeError("planq parse exited %d: %s" % (p.returncode, err))
    text = p.stdout.decode("utf-8")
    plan = json.loads(text, parse_float=decimal.Decimal)
    if plan.get("is_plan") is False:
        return "rejected", "not a plan: " + str(plan.get("reason")), None
    return "plan", text, plan


# ---- a plan as rows ---------------------------------------------------

def get(obj, key):
    """obj[key] for an object, else None (what ->> gives)."""
    return obj.get(key) if isinstance(obj, dict) else None


def items(obj, key):
    """The list obj[key], or no items."""
    v = get(obj, key)
    return v if isinstance(v, list) else []


def coalesce(*values):
    return next((v for v in values if v is not None), None)


def plan_row(plan):
    """The plans row's columns (the org's canonical name when it has one)."""
    org, head = get(plan, "org"), get(plan, "head")
    org_name = get(org, "canonical_name")
    if not isinstance(org_name, str):
        org_name = get(org, "name")
    warnings = get(plan, "warnings")
    return {
        "title": get(plan, "title"), "org_name": org_name,
        "org_kind": get(org, "kind"), "fiscal_year": get(plan, "fiscal_year"),
        "fiscal_year_label": get(plan, "fiscal_year_label"),
        "stage": get(plan, "stage"), "head_role": get(head, "role"),
        "head_name": get(head, "name"),
        "published_on": get(plan, "published_on"),
        "page_id": get(plan, "page_id"),
        "org_printed_name": coalesce(get(org, "printed_name"), org_name),
        "warning_codes": [get(w, "code") for w in warnings]
        if isinstance(warnings, list) else None,
    }


# ---- the transaction ---------------------------------------------------

SQL_DOC = """INSERT INTO documents (sha256, raw, envelope, client_id,
    source_url, fetched_at, content_type, charset, outcome, reason,
    parser_version)
VALUES (%(sha256)s, %(raw)s, %(envelope)s::jsonb, %(client_id)s,
    %(source_url)s, %(fetched_at)s, %(content_type)s, NULL, %(outcome)s,
    %(reason)s, %(parser_version)s)
ON CONFLICT (sha256) DO NOTHING RETURNING id"""

SQL_PLAN = """INSERT INTO plans (document_id, title, org_name, org_kind,
    fiscal_year, fiscal_year_label, stage, head_role, head_name,
    published_on, page_id, parsed_sha256, parser_version, org_printed_name,
    warning_codes, issue_count, strategy_count, initiative_count,
    main_total_yen, initiatives_without_amount)
VALUES (%(document_id)s, %(title)s, %(org_name)s, %(org_kind)s,
    %(fiscal_year)s, %(fiscal_year_label)s, %(stage)s, %(head_role)s,
    %(head_name)s, %(published_on)s, %(page_id)s,
    planq_plan_digest(%(parsed)s::jsonb), %(parser_version)s,
    %(org_printed_name)s, %(warning_codes)s, %(issue_count)s,
    %(strategy_count)s, %(initiative_count)s, %(main_total_yen)s,
    %(initiatives_without_amount)s)
RETURNING id, org_name, fiscal_year"""

SQL_TEXT = """INSERT INTO plan_texts (plan_id, kind, ordinal, body)
VALUES (%s, %s, %s, %s)"""
SQL_ISSUE = """INSERT INTO issues (plan_id, ordinal, number, title, summary)
VALUES (%s, %s, %s, %s, %s) RETURNING id"""
SQL_STRATEGY = """INSERT INTO strategies (issue_id, ordinal, code, title, body)
VALUES (%s, %s, %s, %s, %s) RETURNING id"""
SQL_INITIATIVE = """INSERT INTO initiatives (plan_id, issue_id, strategy_id,
    seq, ordinal, code, title, body, norm_title, main_budget_label,
    main_amount_yen, issue_number, issue_title, strategy_code,
    strategy_title)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, planq_norm_title(%s), %s, %s, %s, %s,
    %s, %s)
RETURNING id"""
SQL_BUDGET = """INSERT INTO budgets (initiative_id, ordinal, label, amount_yen)
VALUES (%s, %s, %s, %s)"""
SQL_REFORM = """INSERT INTO reforms (plan_id, ordinal, title, ref, body)
VALUES (%s, %s, %s, %s, %s)"""
SQL_ONE = {
    "evaluation": ("evaluations", ("achievements", "challenges")),
    "council_reflection": ("council_reflections",
                           ("total_yen", "fixed_yen", "priority_yen",
                            "base_yen", "ratio_percent")),
    "contact": ("contacts", ("office", "phone", "fax", "address")),
}

# the current version of an (org, year), as planq chooses it, under the
# same advisory lock key as planq's functions
SQL_LOCK = """SELECT pg_advisory_xact_lock(hashtext('planq.plan_key'),
    hashtext(%(org)s || '/' || %(year)s::text))"""
SQL_BEST = """SELECT id FROM plans WHERE org_name = %(org)s
    AND fiscal_year = %(year)s
    ORDER BY stage_rank DESC, published_on DESC NULLS LAST, document_id DESC
    LIMIT 1"""
SQL_UNSET = """UPDATE plans SET is_current = false WHERE org_name = %(org)s
    AND fiscal_year = %(year)s AND is_current AND id <> %(best)s"""
SQL_SET = "UPDATE plans SET is_current = true WHERE id = %(best)s AND NOT is_current"

SQL_EXISTING = """SELECT d.id, d.outcome, d.reason, p.id FROM documents d
    LEFT JOIN plans p ON p.document_id = d.id WHERE d.sha256 = %s"""
SQL_EVENT = """INSERT INTO ingest_events (kind, document_id, source_url, reason)
VALUES ('duplicate', %s, %s, %s)"""


def many(cur, sql, rows, returning=False):
    """executemany; with returning, the ids in order."""
    if not rows:
        return []
    cur.executemany(sql, rows, returning=returning)
    if not returning:
        return []
    ids = []
    while True:
        ids.append(cur.fetchone()[0])
        if not cur.nextset():
            return ids


def store_issues(cur, plan_id, plan):
    """issues, their strategies, initiatives (a strategy's before the
    issue's own, numbered 1… over the plan) and budgets."""
    issues = items(plan, "issues")
    issue_ids = many(cur, SQL_ISSUE, [
        (plan_id, i + 1, get(s, "number"), get(s, "title"), get(s, "summary"))
        for i, s in enumerate(issues)], returning=True)
    strat_rows, strat_of = [], []
    for issue_id, issue in zip(issue_ids, issues):
        for k, s in enumerate(items(issue, "strategies")):
            strat_rows.append((issue_id, k + 1, get(s, "code"),
                               get(s, "title"), get(s, "body")))
            strat_of.append(s)
    strat_ids = many(cur, SQL_STRATEGY, strat_rows, returning=True)
    strat_id = {id(s): sid for s, sid in zip(strat_of, strat_ids)}
    init_rows, init_of = [], []
    for issue_id, issue in zip(issue_ids, issues):
        lists = [(strat_id[id(s)], s, items(s, "initiatives"))
                 for s in items(issue, "strategies")]
        lists.append((None, None, items(issue, "initiatives")))
        for strategy_id, strat, inits in lists:
            for k, t in enumerate(inits):
                main = (items(t, "budgets") or [None])[0]
                init_rows.append((plan_id, issue_id, strategy_id,
                                  len(init_rows) + 1, k + 1, get(t, "code"),
                                  get(t, "title"), get(t, "body"),
                                  get(t, "title"), get(main, "label"),
                                  get(main, "amount_yen"),
                                  get(issue, "number"), get(issue, "title"),
                                  get(strat, "code"), get(strat, "title")))
                init_of.append(t)
    init_ids = many(cur, SQL_INITIATIVE, init_rows, returning=True)
    many(cur, SQL_BUDGET, [
        (init_id, k + 1, get(b, "label"), get(b, "amount_yen"))
        for init_id, t in zip(init_ids, init_of)
        for k, b in enumerate(items(t, "budgets"))])


def plan_counts(plan):
    """What the plans row keeps for the views (migration 013): its counts,
    the sum of the main budgets (each initiative's first) and the
    initiatives whose main budget has no amount."""
    issues = items(plan, "issues")
    strategies = [s for i in issues for s in items(i, "strategies")]
    inits = [t for s in strategies for t in items(s, "initiatives")]
    inits += [t for i in issues for t in items(i, "initiatives")]
    mains = [get((items(t, "budgets") or [None])[0], "amount_yen")
             for t in inits]
    return {"issue_count": len(issues), "strategy_count": len(strategies),
            "initiative_count": len(inits),
            "main_total_yen": sum(a for a in mains if a is not None),
            "initiatives_without_amount": sum(a is None for a in mains)}


def store_plan(cur, doc_id, text, plan):
    """The plan's row and every row of its parts; its plan id."""
    row = plan_row(plan)
    row.update(plan_counts(plan), document_id=doc_id, parsed=text,
               parser_version=PARSER_VERSION)
    plan_id, org, year = cur.execute(SQL_PLAN, row).fetchone()
    many(cur, SQL_TEXT, [
        (plan_id, kind, k + 1, body)
        for kind, key in (("goal", "goals"), ("mission", "missions"),
                          ("policy", "policies"))
        for k, body in enumerate(items(plan, key))])
    store_issues(cur, plan_id, plan)
    many(cur, SQL_REFORM, [
        (plan_id, k + 1, get(r, "title"), get(r, "ref"), get(r, "body"))
        for k, r in enumerate(items(plan, "reforms"))])
    for key, (table, cols) in SQL_ONE.items():
        o = get(plan, key)
        if isinstance(o, dict):
            cur.execute("INSERT INTO %s (plan_id, %s) VALUES (%s)" % (
                table, ", ".join(cols), ", ".join(["%s"] * (len(cols) + 1))),
                [plan_id] + [get(o, c) for c in cols])
    if org is not None and year is not None:
        key = {"org": org, "year": year}
        cur.execute(SQL_LOCK, key)
        key["best"] = cur.execute(SQL_BEST, key).fetchone()[0]
        cur.execute(SQL_UNSET, key)
        cur.execute(SQL_SET, key)
    return plan_id


def store(conn, doc, parsed):
    """One transaction: the document, and its plan when it has one; or a
    duplicate's event.  The reply's fields."""
    kind, text, plan = parsed
    with conn.transaction(), conn.cursor() as cur:
        row = cur.execute(SQL_DOC, dict(
            doc, outcome="stored" if kind == "plan" else "rejected",
            reason=None if kind == "plan" else text,
            parser_version=PARSER_VERSION)).fetchone()
        if row is None:
            return duplicate(cur, doc)
        if kind != "plan":
            return "rejected", row[0], None, text
        return "stored", row[0], store_plan(cur, row[0], text, plan), None


def duplicate(cur, doc):
    doc_id, outcome, reason, plan_id = cur.execute(
        SQL_EXISTING, (doc["sha256"],)).fetchone()
    cur.execute(SQL_EVENT, (doc_id, doc["source_url"], reason))
    if outcome == "stored":
        return "duplicate", doc_id, plan_id, None
    return "rejected", doc_id, None, reason


def handle(conn, planq, envelope, body):
    """The reply (a dict) to one document."""
    try:
        env = json.loads(envelope)
    except ValueError:
        env = None
    if not isinstance(env, dict) or env.get("v") != 1:
        return {"id": None, "status": "rejected", "document_id": None,
                "plan_id": None, "reason": "envelope is not a v1 JSON object"}
    reply = {"id": env.get("id"), "document_id": None, "plan_id": None,
             "reason": None}
    if not body:
        return dict(reply, status="rejected", reason="document body is "
                    "empty; send the fetched bytes as the second frame")
    doc = envelope_fields(env)
    doc.update(sha256=hashlib.sha256(body).digest(), raw=body,
               envelope=envelope.decode("utf-8"))
    parsed = parse(planq, body, doc["content_type"])
    try:
        status, doc_id, plan_id, reason = store(conn, doc, parsed)
    except (psycopg.DataError, psycopg.IntegrityError) as e:
        if parsed[0] != "plan":
            raise
        why = "the database refused the parsed plan: %s" % str(e).strip()
        status, doc_id, plan_id, reason = store(
            conn, doc, ("rejected", why, None))
    return dict(reply, status=status, document_id=doc_id, plan_id=plan_id,
                reason=reason)


# ---- the processes -----------------------------------------------------

def worker(pipe, dsn, planq):
    """A worker process: documents in through the pipe, replies out."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    conn = connect(dsn)
    while True:
        msg = pipe.recv()
        if msg is None:
            break
        route, envelope, body = msg
        try:
            reply = handle(conn, planq, envelope, body)
        except Exception as e:  # answered "retry", and said on stderr
            print("peer: %s: %s" % (type(e).__name__, e), file=sys.stderr,
                  flush=True)
            reply = {"id": envelope_id(envelope), "status": "retry",
                     "reason": str(e).strip()}
            if conn.broken:
                conn = connect(dsn)
        pipe.send((route, json.dumps(reply, ensure_ascii=False).encode()))
    conn.close()


def connect(dsn):
    """A session in autocommit mode: store() opens each transaction."""
    return psycopg.connect(dsn, autocommit=True, application_name="planq-peer")


def envelope_id(envelope):
    try:
        return json.loads(envelope).get("id")
    except (ValueError, AttributeError):
        return None


def split(frames):
    """(route frames, envelope, body) of a ROUTER message, or None: the
    routing id, then a REQ peer's empty delimiter if any, then two frames."""
    if len(frames) == 4 and frames[1] == b"":
        return frames[:2], frames[2], frames[3]
    if len(frames) == 3:
        return frames[:1], frames[1], frames[2]
    return None


class Peer:
    """The main process: the socket, the waiting documents, the workers."""

    def __init__(self, args):
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.ROUTER)
        self.sock.bind(args.listen)
        self.waiting = collections.deque()
        self.pipes, self.procs, self.idle = [], [], []
        for _ in range(args.procs):
            mine, theirs = multiprocessing.Pipe()
            p = multiprocessing.Process(target=worker,
                                        args=(theirs, args.db, args.planq))
            p.start()
            self.pipes.append(mine)
            self.procs.append(p)
            self.idle.append(mine)
        self.poller = zmq.Poller()
        self.poller.register(self.sock, zmq.POLLIN)
        for pipe in self.pipes:
            self.poller.register(pipe.fileno(), zmq.POLLIN)
        self.stopping = False

    def receive(self):
        while True:
            try:
                frames = self.sock.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            msg = split(frames)
            if msg is None:
                reply = {"id": None, "status": "rejected",
                         "reason": "message has %d frames; send exactly 2 "
                                   "frames" % (len(frames) - 1)}
                self.sock.send_multipart(frames[:1] + [json.dumps(reply).encode()])
            else:
                self.waiting.append(msg)

    def dispatch(self):
        while self.idle and self.waiting:
            self.idle.pop().send(self.waiting.popleft())

    def answered(self, pipe):
        route, reply = pipe.recv()
        self.sock.send_multipart(route + [reply])
        self.idle.append(pipe)

    def run(self):
        while not (self.stopping and not self.waiting
                   and len(self.idle) == len(self.pipes)):
            for what, _ in self.poller.poll(1000):
                if what is self.sock:
                    if not self.stopping:
                        self.receive()
                else:
                    self.answered(next(p for p in self.pipes
                                       if p.fileno() == what))
            self.dispatch()
        for pipe, p in zip(self.pipes, self.procs):
            pipe.send(None)
            p.join()
        self.sock.close(linger=1000)
        self.ctx.term()


def parser_version():
    """The parser's version (PARSER_VERSION in parse/parse.h, beside this
    script): planq stores it beside every document, and `planq parse`
    does not print it."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "..", "parse", "parse.h")
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#define PARSER_VERSION"):
                return line.split('"')[1]
    sys.exit("peer: no PARSER_VERSION in %s" % path)


def main():
    global PARSER_VERSION
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listen", required=True, help="ZeroMQ endpoint to bind")
    ap.add_argument("--db", default=os.environ.get("PLANQ_DB", ""),
                    help="libpq connection string (default $PLANQ_DB)")
    ap.add_argument("--planq", default="planq", help="the planq binary")
    ap.add_argument("--procs", type=int, default=2,
                    help="worker processes = database connections")
    ap.add_argument("--parser-version", default=None,
                    help="stored in documents and plans (default: "
                         "parse/parse.h's PARSER_VERSION)")
    args = ap.parse_args()
    PARSER_VERSION = args.parser_version or parser_version()
    multiprocessing.set_start_method("fork")
    peer = Peer(args)

    def stop(_sig, _frame):
        peer.stopping = True
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("peer: listening on %s, %d processes" % (args.listen, args.procs),
          file=sys.stderr, flush=True)
    peer.run()
    t = os.times()
    print("peer cpu: self=%.2f children=%.2f" % (
        t.user + t.system, t.children_user + t.children_system),
        file=sys.stderr, flush=True)


PARSER_VERSION = None

if __name__ == "__main__":
    main()

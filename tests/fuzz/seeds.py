#!/usr/bin/python3
"""tests/fuzz/seeds.py: writes the seed corpora of the fuzz targets other
than the parser (tests/fuzz/corpus_<reader>/seed_*), so that each seed says
what it is.  Run from the repository root: /usr/bin/python3 tests/fuzz/seeds.py
Inputs the fuzzers found are kept beside the seeds and are not written
here: regression_* (each made a target fail before its fix) and found_*
(libFuzzer's -merge=1 of a 5-minute run: each one reaches code the others
do not).  Messages are frames joined by 0x1e (fuzz.h).
"""
import os
import struct
import zlib

SEP = b"\x1e"
ROOT = "tests/fuzz"


def write(target, name, data):
    d = os.path.join(ROOT, "corpus_" + target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed_" + name), "wb") as f:
        f.write(data)


def frames(*parts):
    return SEP.join(parts)


def sample(name):
    with open(os.path.join("samples", name), "rb") as f:
        return f.read()


PLAN = sample("04_fragment_council_md.txt")
ENV = b'{"v":1,"id":"c1-000001","source_url":"https://www.city.osaka.lg.jp/x.html",' \
      b'"fetched_at":"2018-06-07T09:12:00Z","content_type":"text/plain; charset=utf-8"}'


def front():
    # first byte: max_body = 1 + byte * 64
    mb = b"\x40"
    write("front", "document", mb + frames(ENV, b"body bytes"))
    write("front", "one_frame", mb + ENV)
    write("front", "three_frames", mb + frames(b'{"v":1,"id":"t"}', b"x", b"y"))
    write("front", "req_delimiter", mb + frames(b"", ENV, b"body"))
    write("front", "empty_envelope", mb + frames(b"", b"body"))
    write("front", "not_json", mb + frames(b'{"v":1,"id":"a"', b"body"))
    write("front", "not_object", mb + frames(b'[1,2]', b"body"))
    write("front", "no_v", mb + frames(b'{"id":"nv"}', b"body"))
    write("front", "v2", mb + frames(b'{"v":2,"id":"v2"}', b"body"))
    write("front", "v_string", mb + frames(b'{"v":"1","id":"vs"}', b"body"))
    write("front", "v_real", mb + frames(b'{"v":1.0,"id":"vr"}', b"body"))
    write("front", "v_real_bad", mb + frames(b'{"v":1.5,"id":"vb"}', b"body"))
    write("front", "id_number", mb + frames(b'{"v":1,"id":7}', b"body"))
    write("front", "url_long", mb + frames(b'{"v":1,"id":"l","source_url":"' +
                                          b"u" * 4097 + b'"}', b"body"))
    write("front", "nul_in_id", mb + frames(b'{"v":1,"id":"a\\u0000b"}', b"body"))
    write("front", "nul_nested", mb + frames(
        b'{"v":1,"id":"n","extra":{"k":["x","\\u0000"]}}', b"body"))
    write("front", "duplicate_key", mb + frames(b'{"v":1,"v":1,"id":"d"}', b"body"))
    write("front", "empty_body", mb + frames(ENV, b""))
    write("front", "oversize", b"\x00" + frames(b'{"v":1,"id":"o"}', b"xx"))
    write("front", "unicode_id", mb + frames(
        '{"v":1,"id":"北区-計画","source_url":"https://例え.jp/"}'.encode(), PLAN[:200]))


def workerlink():
    ident = b"w0.1-4242"
    write("workerlink", "ready", frames(ident, b"READY"))
    write("workerlink", "storing", frames(ident, b"STORING"))
    write("workerlink", "fatal", frames(ident, b"FATAL",
                                        b"cannot use the database: no schema"))
    # the head: id, document, plan, outcome, reason, warnings (bit mask)
    for name, outcome, reason, doc, plan, warnings, text in (
            ("done_stored", 0, 0, 12, 7, 0, b""),
            ("done_stored_warned", 0, 0, 12, 7, 0x1011, b""),
            ("done_duplicate", 1, 0, 12, 7, 0, b""),
            ("done_rejected", 2, 6, 13, 0, 0, b"not a plan: no issues"),
            ("done_retry", 3, 9, 0, 0, 0, b"database unavailable (timeout)"),
            ("done_quarantined", 2, 7, 14, 0, 0,
             "worker crashed on this document 3 times: signal 9 — 隔離".encode())):
        head = struct.pack("<QqqbbI", 5, doc, plan, outcome, reason, warnings)
        write("workerlink", name, frames(ident, b"DONE", head, text))
    write("workerlink", "done_short_head", frames(ident, b"DONE", b"\x05" * 20, b""))
    write("workerlink", "unknown_type", frames(ident, b"JOB", b"x"))
    write("workerlink", "long_identity", frames(b"w" * 64, b"READY"))


def config():
    with open("deploy/planqd.conf.example", "rb") as f:
        write("config", "example", f.read())
    write("config", "every_key", b"""\
listen = tcp://127.0.0.1:5570
listen = ipc:///run/planq/front.sock
db = host=/run/postgresql dbname=planq
workers = 4
log_level = notice
max_body = 8M
queue_max = 64
queue_max_bytes = 64M
job_timeout = 120
drain_timeout = 30
max_crashes = 3
batch_max = 16
batch_max_bytes = 4MB
batch_wait_ms = 5
batch_wait_busy_pct = 90
runtime_dir = /run/planq
worker_path = /usr/lib/planq/planq-worker
spool_dir = /var/lib/planq/spool
spool_max_bytes = 1G
spool_max_records = 1000000
db_retry_seconds = 5
db_timeout = 60
metrics_listen = 127.0.0.1:9570
control_socket = /run/planq/control.sock
curve_secret_file = /etc/planq/curve/planqd_secret
curve_clients_dir = /etc/planq/curve/clients
allow_plaintext = 0
worker_sandbox = 1
worker_max_memory = 1g
""")
    write("config", "size_first_line", b"64k\nworkers = 2\n")
    write("config", "bad_value", b"workers = 0\n")
    write("config", "unknown_key", b"# comment\n\nworkrs = 2\n")
    write("config", "no_equals", b"workers 2\n")
    write("config", "crlf", b"workers = 3\r\nlog_level = debug\r\n")
    write("config", "too_many_listen", b"".join(
        b"listen = tcp://127.0.0.1:%d\n" % (5570 + i) for i in range(9)))


def record(env, body, crc=None):
    payload = env + body
    c = zlib.crc32(payload) if crc is None else crc
    return b"PQS1" + struct.pack("<III", len(payload), len(env), c) + payload


def spool():
    env = b'{"v":1,"id":"s1"}'
    a = record(env, b"first document")
    b = record(b'{"v":1,"id":"s2"}', b"second document")
    c = record(b'{"v":1,"id":"s3"}', PLAN[:300])
    write("spool", "three_records", a + b + c)
    write("spool", "torn_tail", a + b + c[:len(c) // 2])
    bad = bytearray(b)
    bad[20] ^= 0xff
    write("spool", "corrupt_middle", a + bytes(bad) + c)
    long_len = b"PQS1" + struct.pack("<III", 1 << 30, 10, 0) + b"short"
    write("spool", "length_past_end", a + long_len + c)
    write("spool", "valid_crc_nonsense", a + record(b"\xff\x00not json", b"\x00\x01"))
    write("spool", "envlen_past_payload", a + b"PQS1" + struct.pack(
        "<III", 4, 9, zlib.crc32(b"abcd")) + b"abcd" + c)
    write("spool", "header_only", b"PQS1" + struct.pack("<III", 0, 0, 0))
    write("spool", "empty_record", record(b"", b""))
    write("spool", "garbage_then_record", b"garbage PQS1 PQS" + a)
    write("spool", "nested_record", record(env, a))


def jobmsg():
    def head(i, kind):
        return struct.pack("<QB", i, kind)
    one = [head(1, 0), ENV, PLAN, b""]
    write("jobmsg", "one_plan", frames(b"JOB", *one))
    write("jobmsg", "quarantine", frames(b"JOB", head(2, 1), ENV, b"\x00\xff",
                                         b"worker crashed on this document 3 times: signal 11"))
    two = one + [head(3, 0), b'{"v":1,"id":"x"}', b"\xff\xfe\xfd not text", b""]
    write("jobmsg", "two_documents", frames(b"JOB", *two))
    write("jobmsg", "bad_envelope", frames(b"JOB", head(4, 0), b"not json", PLAN[:120], b""))
    write("jobmsg", "bad_kind", frames(b"JOB", head(5, 7), ENV, b"x", b""))
    write("jobmsg", "short_head", frames(b"JOB", b"\x01\x02", ENV, b"x", b""))
    write("jobmsg", "missing_frame", frames(b"JOB", head(6, 0), ENV, b"x"))
    write("jobmsg", "not_job", frames(b"DONE", head(7, 0), ENV, b"x", b""))


if __name__ == "__main__":
    front()
    workerlink()
    config()
    spool()
    jobmsg()

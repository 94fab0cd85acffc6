"""Unit tests of planq_client.Client against a scripted server.

The server is a real ZeroMQ ROUTER socket on loopback, run in a thread and
told per test how to answer (late, twice, out of order, garbage, "retry",
not at all), so that the client's Lazy Pirate loop can be driven through
cases a healthy planqd never produces.  The same behaviour against a real
planqd and PostgreSQL is in tests/integration/test_client.sh.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sys
import tempfile
import threading
import time
import unittest
from typing import Callable, List, Optional

import zmq

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from planq_client import Client, Document, Reply, iso8601  # noqa: E402
from planq_client.client import as_document  # noqa: E402

Handler = Callable[["Server", bytes, dict, bytes], None]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server(threading.Thread):
    """A ROUTER on a random loopback port; ``handler`` decides the answers.
    ``seen`` records (envelope, body) of every message received and
    ``peers`` the routing id it came from."""

    def __init__(self, handler: Handler) -> None:
        super().__init__(daemon=True)
        self.handler = handler
        self.endpoint = f"tcp://127.0.0.1:{free_port()}"
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.ROUTER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.bind(self.endpoint)
        self.seen: List[dict] = []
        self.peers: List[bytes] = []
        self.stop = threading.Event()
        self.later: List[tuple] = []      # (when, peer, frames)
        self.answered: set = set()
        self.max_unanswered = 0
        self.start()

    def reply(self, peer: bytes, obj, delay: float = 0.0) -> None:
        frame = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        self.later.append((time.monotonic() + delay, peer, [frame]))

    def run(self) -> None:
        while not self.stop.is_set():
            now = time.monotonic()
            for item in [x for x in self.later if x[0] <= now]:
                self.later.remove(item)
                self.sock.send_multipart([item[1]] + item[2])
                try:
                    self.answered.add(json.loads(item[2][0])["id"])
                except (ValueError, KeyError, TypeError):
                    pass
            if self.sock.poll(10):
                frames = self.sock.recv_multipart()
                peer, env, body = frames[0], frames[1], frames[2]
                e = json.loads(env)
                self.seen.append(e)
                self.peers.append(peer)
                unanswered = {x["id"] for x in self.seen} - self.answered
                self.max_unanswered = max(self.max_unanswered, len(unanswered))
                self.handler(self, peer, e, body)
        self.sock.close()
        self.ctx.term()

    def close(self) -> None:
        self.stop.set()
        self.join(5)


def stored(srv: Server, peer: bytes, env: dict, body: bytes) -> None:
    srv.reply(peer, {"id": env["id"], "status": "stored", "document_id": len(srv.seen),
                     "plan_id": 100 + len(srv.seen), "reason": None})


class ClientTest(unittest.TestCase):
    def serve(self, handler: Handler) -> Server:
        srv = Server(handler)
        self.addCleanup(srv.close)
        return srv

    def client(self, srv: Optional[Server] = None, endpoint: Optional[str] = None,
               **kw) -> Client:
        c = Client(endpoint or srv.endpoint, **kw)  # type: ignore[union-attr]
        self.addCleanup(c.close)
        return c

    def test_send_one_envelope_and_reply(self) -> None:
        srv = self.serve(stored)
        c = self.client(srv, timeout=5)
        when = dt.datetime(2024, 5, 1, 9, 12, 44, tzinfo=dt.timezone.utc)
        r = c.send(b"\x82\xa0bytes", source_url="https://x.test/a",
                   content_type="text/html; charset=shift_jis", fetched_at=when)
        self.assertEqual((r.status, r.document_id, r.plan_id, r.reason),
                         ("stored", 1, 101, None))
        self.assertTrue(r.ok)
        self.assertEqual(r.source_url, "https://x.test/a")
        env = srv.seen[0]
        self.assertEqual(env["v"], 1)
        self.assertEqual(env["id"], r.id)
        self.assertEqual(env["fetched_at"], "2024-05-01T09:12:44Z")
        self.assertEqual(env["content_type"], "text/html; charset=shift_jis")
        self.assertRegex(r.id, r"^[A-Za-z0-9._-]+-%d-\d+$" % os.getpid())

    def test_absent_fields_are_not_sent(self) -> None:
        srv = self.serve(stored)
        self.client(srv, timeout=5).send(b"x")
        self.assertEqual(sorted(srv.seen[0]), ["id", "v"])

    def test_many_in_flight_matched_by_id_in_completion_order(self) -> None:
        # answers in reverse order once all 5 have arrived, plus noise
        def handler(srv: Server, peer: bytes, env: dict, body: bytes) -> None:
            if len(srv.seen) < 5:
                return
            srv.reply(peer, b"not json")
            srv.reply(peer, {"status": "stored"})                 # no id
            srv.reply(peer, {"id": "someone-else", "status": "stored"})
            srv.reply(peer, {"id": env["id"]})                      # no status
            for e in reversed(srv.seen):
                srv.reply(peer, {"id": e["id"], "status": "duplicate",
                                 "document_id": int(e["source_url"][-1])})
        srv = self.serve(handler)
        c = self.client(srv, concurrency=5, timeout=5)
        docs = [Document(body=b"%d" % i, source_url=f"u{i}") for i in range(5)]
        replies = list(c.send_many(docs))
        self.assertEqual([r.source_url for r in replies], ["u4", "u3", "u2", "u1", "u0"])
        for r in replies:
            self.assertEqual(r.document_id, int(r.source_url[-1]))
        self.assertEqual(len(srv.seen), 5)

    def test_concurrency_bounds_what_is_in_flight(self) -> None:
        srv = self.serve(lambda s, p, e, b: s.reply(p, {"id": e["id"], "status": "stored"}, 0.05))
        c = self.client(srv, concurrency=3, timeout=5)
        got = list(c.send_many(b"doc%d" % i for i in range(12)))
        self.assertEqual(len(got), 12)
        self.assertEqual(len(srv.seen), 12)
        self.assertEqual(srv.max_unanswered, 3)

    def test_iterable_is_read_lazily(self) -> None:
        pulled: List[int] = []

        def gen():
            for i in range(10):
                pulled.append(i)
                yield b"d%d" % i
        srv = self.serve(lambda s, p, e, b: s.reply(p, {"id": e["id"], "status": "stored"}, 0.05))
        c = self.client(srv, concurrency=2, timeout=5)
        it = c.send_many(gen())
        next(it)
        self.assertLessEqual(len(pulled), 3)
        self.assertEqual(len(list(it)), 9)

    def test_resend_on_silence_same_id_fresh_socket(self) -> None:
        def handler(srv: Server, peer: bytes, env: dict, body: bytes) -> None:
            if len(srv.seen) >= 2:      # the first send is met with silence
                srv.reply(peer, {"id": env["id"], "status": "stored", "document_id": 7})
        srv = self.serve(handler)
        c = self.client(srv, timeout=0.3, retries=2)
        r = c.send(b"body")
        self.assertEqual((r.status, r.document_id), ("stored", 7))
        self.assertEqual([e["id"] for e in srv.seen], [r.id, r.id])
        self.assertNotEqual(srv.peers[0], srv.peers[1], "resent on a new socket")

    def test_late_and_repeated_replies_are_ignored(self) -> None:
        def handler(srv: Server, peer: bytes, env: dict, body: bytes) -> None:
            srv.reply(peer, {"id": env["id"], "status": "stored", "document_id": 1})
            srv.reply(peer, {"id": env["id"], "status": "duplicate", "document_id": 1})
        srv = self.serve(handler)
        c = self.client(srv, timeout=5)
        got = list(c.send_many([b"a", b"b"]))
        self.assertEqual([r.status for r in got], ["stored", "stored"])

    def test_no_reply_at_all_fails_everything_at_once(self) -> None:
        srv = self.serve(lambda *a: None)          # a server that never answers
        c = self.client(srv, concurrency=2, timeout=0.2, retries=1)
        got = list(c.send_many([b"a", b"b", b"c", b"d"]))
        self.assertEqual([r.status for r in got], ["failed"] * 4)
        self.assertEqual(got[0].reason, "no reply after 2 tries (timeout 0.2 s)")
        dead = f"no reply from {srv.endpoint} in 0.4 s"
        self.assertEqual(got[1].reason, dead)
        self.assertEqual([r.reason for r in got[2:]], [f"not sent: {dead}"] * 2)

    def test_retry_is_backed_off_then_fails(self) -> None:
        srv = self.serve(lambda s, p, e, b: s.reply(p, {"id": e["id"], "status": "retry",
                                                        "reason": "overloaded"}))
        c = self.client(srv, timeout=5, retries=1)
        r = c.send(b"x")
        self.assertEqual(r.status, "failed")
        self.assertEqual(r.reason, "still retry after 2 attempts: overloaded")
        self.assertEqual(len(srv.seen), 2)

    def test_retry_then_stored(self) -> None:
        def handler(srv: Server, peer: bytes, env: dict, body: bytes) -> None:
            status = "retry" if len(srv.seen) == 1 else "spooled"
            srv.reply(peer, {"id": env["id"], "status": status})
        srv = self.serve(handler)
        r = self.client(srv, timeout=5).send(b"x")
        self.assertEqual((r.status, r.ok, len(srv.seen)), ("spooled", True, 2))

    def test_unknown_status_fails_the_document(self) -> None:
        srv = self.serve(lambda s, p, e, b: s.reply(p, {"id": e["id"], "status": "maybe"}))
        r = self.client(srv, timeout=5).send(b"x")
        self.assertEqual((r.status, r.reason), ("failed", "unexpected status 'maybe' from server"))

    def test_rejected_reason_passed_on(self) -> None:
        srv = self.serve(lambda s, p, e, b: s.reply(p, {"id": e["id"], "status": "rejected",
                                                        "document_id": 3, "plan_id": None,
                                                        "reason": "not a plan: minutes"}))
        r = self.client(srv, timeout=5).send(b"x")
        self.assertEqual((r.status, r.document_id, r.plan_id, r.reason, r.ok),
                         ("rejected", 3, None, "not a plan: minutes", False))

    def test_bad_arguments(self) -> None:
        for kw in ({"concurrency": 0}, {"timeout": 0}, {"retries": -1},
                   {"server_key": "x" * 40}):
            with self.assertRaises(ValueError, msg=kw):
                Client("tcp://127.0.0.1:1", **kw)
        with self.assertRaises(ValueError):
            Client("")
        srv = self.serve(stored)
        c = self.client(srv, timeout=5)
        with self.assertRaises(TypeError):
            c.send("text, not bytes")  # type: ignore[arg-type]

    def test_curve_key_files(self) -> None:
        d = tempfile.mkdtemp()
        self.addCleanup(lambda: [os.remove(os.path.join(d, f)) for f in os.listdir(d)]
                        and os.rmdir(d))
        pub, sec = zmq.curve_keypair()
        spub, _ = zmq.curve_keypair()
        with open(os.path.join(d, "c_secret"), "w") as f:
            f.write('curve\n    public-key = "%s"\n    secret-key = "%s"\n'
                    % (pub.decode(), sec.decode()))
        with open(os.path.join(d, "c"), "w") as f:
            f.write('curve\n    public-key = "%s"\n' % pub.decode())
        c = Client("tcp://127.0.0.1:1", server_key=spub.decode(),
                   client_cert=os.path.join(d, "c_secret"))
        c.close()
        with self.assertRaisesRegex(ValueError, "holds no secret key"):
            Client("tcp://127.0.0.1:1", server_key=spub.decode(),
                   client_cert=os.path.join(d, "c"))
        with self.assertRaisesRegex(ValueError, "neither a 40-character Z85 key"):
            Client("tcp://127.0.0.1:1", server_key=os.path.join(d, "c_secret") + "x",
                   client_cert=os.path.join(d, "c_secret"))


class HelpersTest(unittest.TestCase):
    def test_iso8601(self) -> None:
        self.assertIsNone(iso8601(None))
        self.assertEqual(iso8601("2018-06-07T09:12:00Z"), "2018-06-07T09:12:00Z")
        self.assertEqual(iso8601(1700000000), "2023-11-14T22:13:20Z")
        self.assertEqual(iso8601(dt.datetime(2020, 1, 2, 3, 4, 5)), "2020-01-02T03:04:05Z")
        jst = dt.timezone(dt.timedelta(hours=9))
        self.assertEqual(iso8601(dt.datetime(2020, 1, 2, 9, 0, tzinfo=jst)), "2020-01-02T00:00:00Z")
        with self.assertRaises(TypeError):
            iso8601(True)  # type: ignore[arg-type]

    def test_as_document(self) -> None:
        self.assertEqual(as_document(b"x").body, b"x")
        d = as_document({"body": b"y", "url": "http://u", "content_type": "text/html"})
        self.assertEqual((d.source_url, d.content_type), ("http://u", "text/html"))
        with self.assertRaises(ValueError):
            as_document({"url": "no body"})
        with self.assertRaises(TypeError):
            as_document(42)  # type: ignore[arg-type]

    def test_reply_ok(self) -> None:
        self.assertTrue(Reply("a", "duplicate").ok)
        self.assertFalse(Reply("a", "failed").ok)


class ScrapyItemTest(unittest.TestCase):
    def test_item_from_response(self) -> None:
        from scrapy.http import HtmlResponse, TextResponse
        from planq_client.scrapy import item_from_response
        body = "<p>港区</p>".encode("cp932")
        r = HtmlResponse("http://x.test/a.html", body=body,
                         headers={"Content-Type": "text/html; charset=Shift_JIS"})
        item = item_from_response(r)
        self.assertEqual(item["url"], "http://x.test/a.html")
        self.assertEqual(item["body"], body)
        self.assertIsInstance(item["body"], bytes)
        self.assertEqual(item["content_type"], "text/html; charset=Shift_JIS")
        self.assertRegex(item["fetched_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        item = item_from_response(TextResponse("http://x.test/b", body=b"plain"))
        self.assertIsNone(item["content_type"])


if __name__ == "__main__":
    unittest.main()

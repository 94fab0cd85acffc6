"""The planq wire protocol v1 client (docs/PROTOCOL.md, docs/CLIENT.md).

Design: one DEALER socket carries up to ``concurrency`` documents at once,
matched to their replies by ``id`` (the Lazy Pirate pattern of the ZeroMQ
guide, the same loop as ``planq send`` in tools/cmd_send.c):

* a document that gets no reply within ``timeout`` makes the client close
  the socket (LINGER 0), open a fresh one and resend everything still
  waiting, with the same ids; after ``retries`` resends it is ``failed``;
* a ``retry`` answer is resent after 0.5 s, doubling to 10 s, and after
  ``retries`` + 1 such answers the document is ``failed``;
* when a document runs out of tries and nothing at all came back since it
  was first sent, the server is taken for dead and every document in flight
  or not yet sent is ``failed`` with ``not sent: no reply from …`` at once;
* replies that are not JSON objects with a string ``id`` and ``status``,
  or whose ``id`` is unknown or already finished, are logged and dropped.

:class:`Flight` is that loop as an engine a caller drives (the Scrapy
pipeline's sender thread does); :meth:`Client.send_many` and
:meth:`Client.send` drive it for an iterable.  Nothing here is thread-safe:
one thread owns a :class:`Client`.
"""
from __future__ import annotations

import datetime as _dt
import itertools
import json
import logging
import os
import socket as _socket
import time
from dataclasses import dataclass, field
from typing import (Any, Dict, Iterable, Iterator, List, Mapping, Optional,
                    Tuple, Union)

import zmq
from zmq.utils import z85

log = logging.getLogger("planq_client")

#: Statuses that end a document's journey (``retry`` does not).
FINAL_STATUSES = ("stored", "duplicate", "rejected", "spooled")
#: Final statuses that count as success, as ``planq send``'s exit status 0.
OK_STATUSES = ("stored", "duplicate", "spooled")
#: The status this client gives a document it could not get answered.
FAILED = "failed"

BACKOFF_FIRST = 0.5
BACKOFF_MAX = 10.0
MAX_REPLY_BYTES = 4 * 1024 * 1024
CONNECT_WAIT = 1.0   # with several endpoints: wait for one to connect

Body = Union[bytes, bytearray, memoryview]
FetchedAt = Union[str, _dt.datetime, int, float, None]


@dataclass(frozen=True)
class Reply:
    """The final outcome of one document.

    ``status`` is one of ``stored``, ``duplicate``, ``rejected``,
    ``spooled`` (the server's final answers) or ``failed`` (this client
    gave up: no reply, still ``retry``, an unknown status; ``reason`` says
    which).  ``document_id`` and ``plan_id`` are set when the server sent
    them.  ``source_url`` is the one the document was sent with, so replies,
    which come in completion order, can be told apart.
    """

    id: str
    status: str
    document_id: Optional[int] = None
    plan_id: Optional[int] = None
    reason: Optional[str] = None
    source_url: Optional[str] = None

    @property
    def ok(self) -> bool:
        """True for ``stored``, ``duplicate`` and ``spooled``."""
        return self.status in OK_STATUSES


@dataclass
class Document:
    """One document to send: the bytes exactly as fetched, and the
    optional envelope fields.  ``id`` is generated when not given."""

    body: Body
    source_url: Optional[str] = None
    content_type: Optional[str] = None
    fetched_at: FetchedAt = None
    id: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict)


DocumentLike = Union[Document, Body, Mapping[str, Any]]


def iso8601(value: FetchedAt) -> Optional[str]:
    """``fetched_at`` as planqd stores it: an ISO 8601 string.

    A datetime (naive ones are taken as UTC) or epoch seconds (int or
    float) become ``YYYY-MM-DDTHH:MM:SSZ``; planqd refuses a number in the
    envelope, and stores a string such as ``"1700000000"`` as NULL.
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TypeError("fetched_at must be a str, datetime or epoch seconds")
    if isinstance(value, (int, float)):
        value = _dt.datetime.fromtimestamp(value, tz=_dt.timezone.utc)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        value = value.astimezone(_dt.timezone.utc)
        text = value.isoformat(timespec="seconds")
        return text.replace("+00:00", "Z")
    raise TypeError("fetched_at must be a str, datetime or epoch seconds")


def as_document(item: DocumentLike) -> Document:
    """A :class:`Document` from bytes, a Document, or a mapping with
    ``body`` and optional ``source_url`` (or ``url``), ``content_type``,
    ``fetched_at`` and ``id``."""
    if isinstance(item, Document):
        return item
    if isinstance(item, (bytes, bytearray, memoryview)):
        return Document(body=item)
    if isinstance(item, Mapping):
        if "body" not in item:
            raise ValueError("a document mapping needs a 'body'")
        return Document(body=item["body"],
                        source_url=item.get("source_url", item.get("url")),
                        content_type=item.get("content_type"),
                        fetched_at=item.get("fetched_at"),
                        id=item.get("id"))
    raise TypeError(f"cannot send a {type(item).__name__}: give bytes, a "
                    "Document or a mapping with 'body'")


def _z85_or_file(text: str, what: str, want_secret: bool) -> Tuple[bytes, Optional[bytes]]:
    """(public, secret) keys from a 40-character Z85 key or a zcert file."""
    if len(text) == 40 and not os.path.exists(text) and not want_secret:
        try:
            z85.decode(text)
        except ValueError as exc:
            raise ValueError(f"{what} {text} is not a Z85 key") from exc
        return text.encode("ascii"), None
    keys: Dict[str, str] = {}
    try:
        with open(text, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                for k in ("public-key", "secret-key"):
                    if line.startswith(k) and "=" in line:
                        keys[k] = line.split("=", 1)[1].strip().strip('"')
    except OSError as exc:
        raise ValueError(f"{what} {text} is neither a 40-character Z85 key "
                         f"nor a readable certificate file ({exc.strerror})") from exc
    if "public-key" not in keys:
        raise ValueError(f"{what} {text} is neither a 40-character Z85 key "
                         "nor a certificate file written by 'planq keygen'")
    secret = keys.get("secret-key")
    if want_secret and (secret is None or secret == "0" * 40):
        raise ValueError(f"{what} {text} holds no secret key: give the "
                         "NAME_secret file written by 'planq keygen NAME'")
    return keys["public-key"].encode("ascii"), (secret.encode("ascii") if secret else None)


def _id_prefix() -> str:
    host = "".join(c if c.isalnum() or c in ".-" else "_"
                   for c in _socket.gethostname())[:40] or "planq"
    return f"{host}-{os.getpid()}"


@dataclass
class _Pending:
    doc: Document
    envelope: bytes
    body: bytes
    first_sent: float
    due: float
    waiting: bool = True       # False: answered retry, resend at due
    silences: int = 0
    retried: int = 0
    tag: Any = None


class Flight:
    """The documents in flight on one DEALER socket.

    A caller :meth:`start`\\ s documents while :meth:`has_room`, and calls
    :meth:`pump` to wait for replies and timers; each call returns the
    documents that reached a final outcome as ``(tag, Reply)`` pairs.
    """

    def __init__(self, client: "Client") -> None:
        self.client = client
        self.pending: Dict[str, _Pending] = {}
        self.finished_ids: set = set()
        self.last_rx = float("-inf")
        self.dead_reason: Optional[str] = None

    # -- documents ------------------------------------------------------
    def has_room(self) -> bool:
        """True while fewer than ``concurrency`` documents are in flight."""
        return len(self.pending) < self.client.concurrency

    def __len__(self) -> int:
        return len(self.pending)

    def start(self, item: DocumentLike, tag: Any = None) -> Optional[Tuple[Any, Reply]]:
        """Sends one document.  Returns ``(tag, Reply)`` at once when it
        cannot be sent (the server was found dead), else None."""
        doc = as_document(item)
        if not isinstance(doc.body, (bytes, bytearray, memoryview)):
            raise TypeError("body must be the fetched bytes, not "
                            f"{type(doc.body).__name__}")
        doc_id = doc.id or self.client._next_id()
        if self.dead_reason is not None:
            return tag, Reply(doc_id, FAILED, reason=f"not sent: {self.dead_reason}",
                              source_url=doc.source_url)
        if doc_id in self.pending:
            raise ValueError(f"id {doc_id!r} is already in flight")
        env: Dict[str, Any] = {"v": 1, "id": doc_id}
        env.update(doc.extra)
        for key, val in (("source_url", doc.source_url),
                         ("content_type", doc.content_type),
                         ("fetched_at", iso8601(doc.fetched_at))):
            if val is not None:
                env[key] = val
        now = time.monotonic()
        p = _Pending(doc, json.dumps(env, ensure_ascii=False).encode("utf-8"),
                     bytes(doc.body), now, now + self.client.timeout, tag=tag)
        self.pending[doc_id] = p
        self._transmit(doc_id, p, now)
        return None

    def _transmit(self, doc_id: str, p: _Pending, now: float) -> None:
        self.client._send_frames(p.envelope, p.body)
        p.waiting = True
        p.due = now + self.client.timeout

    def _finish(self, doc_id: str, reply: Reply) -> Tuple[Any, Reply]:
        p = self.pending.pop(doc_id)
        self.finished_ids.add(doc_id)
        return p.tag, reply

    def _fail(self, doc_id: str, reason: str) -> Tuple[Any, Reply]:
        p = self.pending[doc_id]
        return self._finish(doc_id, Reply(doc_id, FAILED, reason=reason,
                                          source_url=p.doc.source_url))

    # -- the loop -------------------------------------------------------
    def next_wait(self) -> Optional[float]:
        """Seconds until the next timer, None with nothing in flight."""
        if not self.pending:
            return None
        return max(0.0, min(p.due for p in self.pending.values()) - time.monotonic())

    def pump(self, max_wait: Optional[float] = None) -> List[Tuple[Any, Reply]]:
        """Waits for replies until the next timer (at most ``max_wait``
        seconds), handles them and any timers due, and returns what
        finished."""
        done: List[Tuple[Any, Reply]] = []
        wait = self.next_wait()
        if wait is None:
            wait = max_wait if max_wait is not None else 0.0
        elif max_wait is not None:
            wait = min(wait, max_wait)
        sock = self.client._socket()
        if sock.poll(int(max(0.0, wait) * 1000)):
            self._drain(sock, done)
        self._timers(done)
        return done

    def _drain(self, sock: zmq.Socket, done: List[Tuple[Any, Reply]]) -> None:
        while True:
            try:
                frames = sock.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            self.last_rx = time.monotonic()
            r = _parse_reply(frames)
            if r is not None:
                self._on_reply(r, done)

    def _on_reply(self, r: Dict[str, Any], done: List[Tuple[Any, Reply]]) -> None:
        doc_id, status = r["id"], r["status"]
        p = self.pending.get(doc_id)
        if p is None:
            if doc_id in self.finished_ids:
                log.debug("ignoring a late reply for %s", doc_id)
            else:
                log.warning("ignoring a reply for unknown id %.100r", doc_id)
            return
        reason = r.get("reason") if isinstance(r.get("reason"), str) and r.get("reason") else None
        if status == "retry":
            if not p.waiting:
                return          # the answer to an earlier send: already waiting
            p.retried += 1
            if p.retried > self.client.retries:
                done.append(self._fail(doc_id, f"still retry after {p.retried} attempts"
                                       + (f": {reason}" if reason else "")))
                return
            delay = min(BACKOFF_FIRST * 2 ** (p.retried - 1), BACKOFF_MAX)
            log.info("%s answered retry (%s); resending in %.1f s", doc_id,
                     reason or "no reason", delay)
            p.waiting = False
            p.due = time.monotonic() + delay
            return
        if status not in FINAL_STATUSES:
            done.append(self._fail(doc_id, f"unexpected status '{status[:100]}' from server"))
            return
        done.append(self._finish(doc_id, Reply(
            doc_id, status, _int_or_none(r.get("document_id")),
            _int_or_none(r.get("plan_id")), reason, p.doc.source_url)))

    def _timers(self, done: List[Tuple[Any, Reply]]) -> None:
        now = time.monotonic()
        resend = False
        for doc_id, p in list(self.pending.items()):
            if p.due > now or doc_id not in self.pending:
                continue
            if not p.waiting:
                self._transmit(doc_id, p, now)
                continue
            p.silences += 1
            if p.silences <= self.client.retries:
                resend = True
                continue
            why = f"no reply after {p.silences} tries (timeout {self.client.timeout:g} s)"
            if self.last_rx < p.first_sent:
                self.dead_reason = (f"no reply from {self.client.endpoint} in "
                                    f"{self.client.timeout * (self.client.retries + 1):g} s")
                log.error("%s; giving up on the remaining documents", self.dead_reason)
                done.append(self._fail(doc_id, why))
                for other in list(self.pending):
                    done.append(self._fail(other, self.dead_reason))
                return
            done.append(self._fail(doc_id, why))
        if resend and self.pending:
            self.client._reopen()
            n = 0
            for doc_id, p in self.pending.items():
                if p.waiting:
                    self._transmit(doc_id, p, now)
                    n += 1
            log.info("no reply from %s within %g s; reconnected and resent %d "
                     "document(s)", self.client.endpoint, self.client.timeout, n)


def _int_or_none(v: Any) -> Optional[int]:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str) and v.isdigit():
        return int(v)
    return None


def _parse_reply(frames: List[bytes]) -> Optional[Dict[str, Any]]:
    """The reply object of a message, or None (logged) if it is unusable:
    the first non-empty frame must be a JSON object with string ``id`` and
    ``status`` (a leading empty delimiter is tolerated)."""
    data = next((f for f in frames if f), b"")
    excerpt = data[:80].decode("utf-8", "replace")
    try:
        r = json.loads(data)
    except ValueError:
        log.warning("ignoring a reply that is not a JSON object: %r", excerpt)
        return None
    if not isinstance(r, dict):
        log.warning("ignoring a reply that is not a JSON object: %r", excerpt)
        return None
    for key in ("id", "status"):
        if not isinstance(r.get(key), str) or not r[key]:
            log.warning("ignoring a reply without %r: %r", key, excerpt)
            return None
    return r


class Client:
    """A client of planqd's wire protocol v1.

    :param endpoint: planqd's ZeroMQ endpoint, or several separated by
        commas (documents are dealt round-robin over those connected, as
        ``planq send --to A,B`` does).
    :param concurrency: documents in flight at once.
    :param timeout: seconds to wait for a reply before resending.
    :param retries: resends after silence, and separately after ``retry``.
    :param server_key: CurveZMQ: planqd's public key, as a 40-character Z85
        string or the public certificate file from ``planq keygen``.
    :param client_cert: CurveZMQ: this client's ``NAME_secret`` file from
        ``planq keygen NAME``.  Both or neither.

    Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, endpoint: str, concurrency: int = 8, timeout: float = 30.0,
                 retries: int = 3, server_key: Optional[str] = None,
                 client_cert: Optional[str] = None) -> None:
        if not endpoint or any(not e for e in endpoint.split(",")):
            raise ValueError(f"bad endpoint {endpoint!r}")
        if not 1 <= concurrency <= 10000:
            raise ValueError("concurrency must be from 1 to 10000")
        if not 0.001 <= timeout <= 86400:
            raise ValueError("timeout must be from 0.001 to 86400 seconds")
        if not 0 <= retries <= 1000:
            raise ValueError("retries must be from 0 to 1000")
        if (server_key is None) != (client_cert is None):
            raise ValueError("CurveZMQ needs both server_key (planqd's public "
                             "key) and client_cert (this client's NAME_secret)")
        self.endpoint = endpoint
        self.concurrency = concurrency
        self.timeout = float(timeout)
        self.retries = retries
        self._curve: Optional[Tuple[bytes, bytes, bytes]] = None
        if server_key is not None and client_cert is not None:
            server_pub, _ = _z85_or_file(server_key, "server_key", False)
            pub, sec = _z85_or_file(client_cert, "client_cert", True)
            assert sec is not None
            self._curve = (server_pub, pub, sec)
        self._prefix = _id_prefix()
        self._seq = itertools.count()
        self._ctx = zmq.Context()
        self._sock: Optional[zmq.Socket] = None
        self._connect()

    # -- the socket -----------------------------------------------------
    def _connect(self) -> None:
        s = self._ctx.socket(zmq.DEALER)
        s.setsockopt(zmq.LINGER, 0)
        s.setsockopt(zmq.SNDHWM, 0)
        s.setsockopt(zmq.MAXMSGSIZE, MAX_REPLY_BYTES)
        if "," in self.endpoint:
            s.setsockopt(zmq.IMMEDIATE, 1)
        if self._curve is not None:
            s.curve_serverkey, s.curve_publickey, s.curve_secretkey = self._curve
        try:
            for e in self.endpoint.split(","):
                s.connect(e)
        except zmq.ZMQError as exc:
            s.close()
            raise ValueError(f"cannot connect to {self.endpoint}: {exc}") from exc
        self._sock = s

    def _socket(self) -> zmq.Socket:
        assert self._sock is not None, "the client is closed"
        return self._sock

    def _reopen(self) -> None:
        self._socket().close()
        self._connect()

    def _send_frames(self, envelope: bytes, body: bytes) -> None:
        sock = self._socket()
        try:
            sock.send_multipart([envelope, body], zmq.NOBLOCK)
        except zmq.Again:
            # with several endpoints (IMMEDIATE) nothing is queued until one
            # instance is connected: wait a little for that
            if sock.poll(int(CONNECT_WAIT * 1000), zmq.POLLOUT):
                try:
                    sock.send_multipart([envelope, body], zmq.NOBLOCK)
                    return
                except zmq.Again:
                    pass
            log.warning("cannot queue a message to %s; the reply clock will "
                        "resend it", self.endpoint)

    def _next_id(self) -> str:
        return f"{self._prefix}-{next(self._seq)}"

    def close(self) -> None:
        """Closes the socket; documents still in flight are forgotten."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self._ctx.term()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- sending --------------------------------------------------------
    def flight(self) -> Flight:
        """A :class:`Flight` on this client's socket, for callers that feed
        documents as they come (see planq_client.scrapy)."""
        return Flight(self)

    def send_many(self, documents: Iterable[DocumentLike]) -> Iterator[Reply]:
        """Sends every document, up to ``concurrency`` at a time, and
        yields one :class:`Reply` per document as each finishes (completion
        order: match them by ``id`` or ``source_url``).  The iterable is
        read lazily.  If the server is found dead, the documents in flight
        and every one not yet sent are yielded as ``failed`` at once."""
        flight = self.flight()
        it = iter(documents)
        exhausted = False
        while True:
            while not exhausted and flight.has_room():
                try:
                    item = next(it)
                except StopIteration:
                    exhausted = True
                    break
                early = flight.start(item)
                if early is not None:
                    yield early[1]
            if not flight.pending:
                if exhausted:
                    return
                continue
            for _, reply in flight.pump():
                yield reply

    def send(self, body: Body, source_url: Optional[str] = None,
             content_type: Optional[str] = None,
             fetched_at: FetchedAt = None) -> Reply:
        """Sends one document and returns its final :class:`Reply`."""
        doc = Document(body=body, source_url=source_url,
                       content_type=content_type, fetched_at=fetched_at)
        for reply in self.send_many([doc]):
            return reply
        raise AssertionError("send_many yielded nothing")  # pragma: no cover

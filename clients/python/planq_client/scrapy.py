"""A Scrapy item pipeline that sends every crawled page to planqd.

In a Scrapy project (docs/CLIENT.md)::

    # settings.py
    ITEM_PIPELINES = {"planq_client.scrapy.PlanqPipeline": 300}
    PLANQ_ENDPOINT = "tcp://planq.internal:5570"

    # the spider
    from planq_client.scrapy import item_from_response
    def parse(self, response):
        yield item_from_response(response)

Design: Scrapy runs on Twisted's reactor, which must never wait.  The
pipeline owns one sender thread, which owns the :class:`~planq_client.Client`
(a ZeroMQ socket belongs to one thread).  ``process_item`` puts the item on
a queue and returns a Deferred; the thread keeps up to
``PLANQ_CONCURRENCY`` documents in flight (the client's Lazy Pirate loop:
resend on silence, back off on ``retry``) and fires each Deferred on the
reactor thread with ``reactor.callFromThread`` when the document's final
reply comes.  The callback records the outcome on the item
(``planq_status``, ``planq_document_id``, ``planq_plan_id``,
``planq_reason``) and counts it in the crawl's stats (``planq/stored``,
``planq/duplicate``, …).  ``close_spider`` returns a Deferred that fires
once the thread has answered everything in flight and stopped, so the
crawl ends only after its last document is settled.

Settings: ``PLANQ_ENDPOINT`` (default ``$PLANQ_ENDPOINT``, else
``tcp://127.0.0.1:5570``), ``PLANQ_CONCURRENCY`` (8), ``PLANQ_TIMEOUT``
(30 s), ``PLANQ_RETRIES`` (3), ``PLANQ_SERVER_KEY`` and
``PLANQ_CLIENT_CERT`` (CurveZMQ, both or neither).
"""
from __future__ import annotations

import datetime as _dt
import logging
import os
import queue
import threading
from typing import Any, Dict, Optional, Tuple

from .client import Client, Document, Reply

log = logging.getLogger("planq_client.scrapy")

IDLE_WAIT = 0.05        # the thread's longest wait for replies between queue checks
_STOP = object()


def item_from_response(response: Any) -> Dict[str, Any]:
    """The item a spider yields for a fetched page: ``url``, ``body`` (the
    bytes exactly as fetched), ``content_type`` (the response's
    Content-Type header, or None) and ``fetched_at`` (now, ISO 8601 UTC)."""
    ctype = response.headers.get(b"Content-Type") if response.headers else None
    if isinstance(ctype, bytes):
        ctype = ctype.decode("latin-1")
    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
    return {"url": response.url, "body": bytes(response.body),
            "content_type": ctype or None,
            "fetched_at": now.isoformat().replace("+00:00", "Z")}


class _Sender(threading.Thread):
    """The thread that owns the client and its socket."""

    def __init__(self, client: Client, reactor: Any, inbox: "queue.Queue[Any]") -> None:
        super().__init__(name="planq-sender", daemon=True)
        self.client = client
        self.reactor = reactor
        self.inbox = inbox

    def run(self) -> None:
        flight = self.client.flight()
        stopping = False
        try:
            while not stopping or len(flight):
                # take new documents while there is room, without waiting
                # when documents are in flight (their replies must be read)
                while not stopping and flight.has_room():
                    try:
                        got = self.inbox.get(block=not len(flight))
                    except queue.Empty:
                        break
                    if got is _STOP:
                        stopping = True
                        break
                    doc, deferred = got
                    early = flight.start(doc, tag=deferred)
                    if early is not None:
                        self._fire(*early)
                for deferred, reply in flight.pump(max_wait=IDLE_WAIT):
                    self._fire(deferred, reply)
        except Exception as exc:  # keep the crawl going: fail what is left
            log.exception("planq sender thread failed")
            for p in list(flight.pending.values()):
                self._fire(p.tag, Reply("", "failed", reason=f"client error: {exc}",
                                        source_url=p.doc.source_url))
            self._drain_failed(f"client error: {exc}")
        finally:
            self.client.close()

    def _drain_failed(self, reason: str) -> None:
        while True:
            try:
                got = self.inbox.get_nowait()
            except queue.Empty:
                return
            if got is not _STOP:
                self._fire(got[1], Reply("", "failed", reason=reason,
                                         source_url=got[0].source_url))

    def _fire(self, deferred: Any, reply: Reply) -> None:
        self.reactor.callFromThread(deferred.callback, reply)


class PlanqPipeline:
    """Sends each item's ``body`` to planqd and records the outcome on it."""

    def __init__(self, endpoint: str, concurrency: int = 8, timeout: float = 30.0,
                 retries: int = 3, server_key: Optional[str] = None,
                 client_cert: Optional[str] = None, stats: Any = None) -> None:
        self.options: Dict[str, Any] = dict(
            endpoint=endpoint, concurrency=concurrency, timeout=timeout,
            retries=retries, server_key=server_key, client_cert=client_cert)
        self.stats = stats
        self.inbox: "queue.Queue[Any]" = queue.Queue()
        self.sender: Optional[_Sender] = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "PlanqPipeline":
        """Reads the PLANQ_* settings of the crawl."""
        s = crawler.settings
        return cls(endpoint=s.get("PLANQ_ENDPOINT") or os.environ.get("PLANQ_ENDPOINT")
                   or "tcp://127.0.0.1:5570",
                   concurrency=s.getint("PLANQ_CONCURRENCY", 8),
                   timeout=s.getfloat("PLANQ_TIMEOUT", 30.0),
                   retries=s.getint("PLANQ_RETRIES", 3),
                   server_key=s.get("PLANQ_SERVER_KEY"),
                   client_cert=s.get("PLANQ_CLIENT_CERT"),
                   stats=crawler.stats)

    def open_spider(self, spider: Any) -> None:
        """Starts the sender thread (a bad setting stops the crawl here)."""
        from twisted.internet import reactor
        client = Client(**self.options)
        self.sender = _Sender(client, reactor, self.inbox)
        self.sender.start()

    def process_item(self, item: Any, spider: Any) -> Any:
        """Queues the item's bytes; the returned Deferred fires with the item
        once planqd's final reply is recorded on it."""
        from itemadapter import ItemAdapter
        from twisted.internet import defer
        adapter = ItemAdapter(item)
        body = adapter.get("body")
        if not isinstance(body, (bytes, bytearray, memoryview)):
            raise TypeError("a planq item needs 'body' as bytes: yield "
                            "item_from_response(response)")
        doc = Document(body=bytes(body), source_url=adapter.get("url"),
                       content_type=adapter.get("content_type"),
                       fetched_at=adapter.get("fetched_at"))
        d: Any = defer.Deferred()
        self.inbox.put((doc, d))
        d.addCallback(self._record, item)
        return d

    def _record(self, reply: Reply, item: Any) -> Any:
        from itemadapter import ItemAdapter
        adapter = ItemAdapter(item)
        for key, val in (("planq_status", reply.status),
                         ("planq_document_id", reply.document_id),
                         ("planq_plan_id", reply.plan_id),
                         ("planq_reason", reply.reason)):
            try:
                adapter[key] = val
            except KeyError:    # an Item class without these fields
                pass
        if self.stats is not None:
            self.stats.inc_value(f"planq/{reply.status}")
        if reply.status == "failed":
            log.warning("planq: %s failed: %s", reply.source_url, reply.reason)
        return item

    def close_spider(self, spider: Any) -> Any:
        """Flushes: the Deferred fires once every document in flight has its
        final reply and the thread has stopped."""
        from twisted.internet import threads
        if self.sender is None:
            return None
        self.inbox.put(_STOP)
        return threads.deferToThread(self.sender.join)


__all__: Tuple[str, ...] = ("PlanqPipeline", "item_from_response")

"""planq_client: send fetched documents to planqd (wire protocol v1).

    from planq_client import Client
    with Client("tcp://127.0.0.1:5570") as client:
        reply = client.send(body, source_url=url, content_type=ctype)
        print(reply.status, reply.document_id, reply.reason)

:class:`Client` keeps many documents in flight over one ZeroMQ DEALER
socket, resends on silence, retries ``retry`` answers later and matches
replies by id, like ``planq send``.  :mod:`planq_client.scrapy` holds the
Scrapy item pipeline.  docs/CLIENT.md is the guide.
"""
from .client import (FAILED, FINAL_STATUSES, OK_STATUSES, Client, Document,
                     Flight, Reply, iso8601)

__version__ = "0.1.0"
__all__ = ["Client", "Document", "Flight", "Reply", "iso8601", "FAILED",
           "FINAL_STATUSES", "OK_STATUSES", "__version__"]

#!/usr/bin/python3
"""protocol_probe.py: speaks wire protocol v1 to a running planqd with raw
pyzmq, the way a crawler author reading docs/PROTOCOL.md would, and prints
what came back, so that tests/integration/test_protocol_docs.sh can compare
it with what the documents promise.

    protocol_probe.py [--req] [--timeout S] ENDPOINT FRAME...

A FRAME is literal text, "@PATH" for a file's bytes, "%N" for N bytes of
"x", or "" for an empty frame.  With --req the frames go out through a REQ
socket (which adds its own empty delimiter); otherwise through a DEALER,
exactly as given.  Prints one JSON line: {"frames": [...]} with each reply
frame as text, or {"frames": null} when no reply came within the timeout
(exit 3).  With --hold S the socket stays open S seconds after a timeout,
so a caller can look at planqd while the connection would still be up.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import zmq


def frame_bytes(arg: str) -> bytes:
    """The bytes of one FRAME argument (see the module docstring)."""
    if arg.startswith("@"):
        with open(arg[1:], "rb") as f:
            return f.read()
    if arg.startswith("%"):
        return b"x" * int(arg[1:])
    return arg.encode("utf-8")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--req", action="store_true")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--hold", type=float, default=0.0)
    ap.add_argument("endpoint")
    ap.add_argument("frames", nargs="*")
    a = ap.parse_args()
    ctx = zmq.Context()
    sock = ctx.socket(zmq.REQ if a.req else zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(a.endpoint)
    sock.send_multipart([frame_bytes(f) for f in a.frames] or [b""])
    deadline = time.monotonic() + a.timeout
    got = None
    while got is None:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        if sock.poll(max(0, int(left * 1000))):
            got = sock.recv_multipart()
    if got is None:
        print(json.dumps({"frames": None}))
        sys.stdout.flush()
        time.sleep(a.hold)
        sock.close()
        ctx.term()
        return 3
    print(json.dumps({"frames": [f.decode("utf-8", "replace") for f in got]},
                     ensure_ascii=False))
    sock.close()
    ctx.term()
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""tests/chaos/vanish.py ENDPOINT MODE LOG [SAMPLE TAG]: a client that
vanishes in the middle of its conversation with planqd (chaos.sh's
"vanish" fault).  Appends what it did to LOG as one JSON line.

  greeting  a TCP connection that sends half of the ZMTP greeting, then
            resets the connection
  frame     a full ZMTP 3.0 handshake as a DEALER, then the first frame
            of a message announced with 200 bytes and cut after 50, reset
  reply     a DEALER that sends a whole document (SAMPLE with TAG, a plan
            nobody else sends) and closes before the reply comes: planqd
            may store it; the log line carries its sha256 so the verdict
            knows the bytes were sent
"""
import hashlib
import json
import socket
import struct
import sys

import zmq


def rst_close(s):
    # SO_LINGER 0: the close resets the connection, as a crash would
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def connect(endpoint):
    host, port = endpoint.rsplit("/", 1)[-1].rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=5)


def greeting():
    sig = b"\xff" + b"\x00" * 8 + b"\x7f"
    return sig + b"\x03\x00" + b"NULL".ljust(20, b"\x00") + b"\x00" + b"\x00" * 31


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed by planqd")
        buf += chunk
    return buf


def half_greeting(endpoint):
    s = connect(endpoint)
    s.sendall(greeting()[:20])
    rst_close(s)
    return {}


def half_frame(endpoint):
    s = connect(endpoint)
    s.sendall(greeting())
    recv_exact(s, 64)
    prop = b"\x0bSocket-Type" + struct.pack(">I", 6) + b"DEALER"
    ready = b"\x05READY" + prop
    s.sendall(b"\x04" + bytes([len(ready)]) + ready)
    _, size = recv_exact(s, 2)     # planqd's READY: a short command
    recv_exact(s, size)
    s.sendall(b"\x01" + bytes([200]) + b'{"v":1,"id":"vanish"' + b" " * 30)
    rst_close(s)
    return {}


def vanish_body(sample, tag):
    with open(sample, "rb") as f:
        return f.read() + f"\n<!-- {tag} -->\n".encode()


def send_and_leave(endpoint, body, tag):
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 1000)     # the message goes; we do not wait
    sock.connect(endpoint)
    sock.send_multipart([json.dumps({"v": 1, "id": tag}).encode(), body])
    sock.close()
    ctx.term()
    return {}


def main():
    endpoint, mode, log = sys.argv[1:4]
    result = {"ev": "vanish", "mode": mode}
    if mode == "reply":
        body = vanish_body(sys.argv[4], sys.argv[5])
        result["sha"] = hashlib.sha256(body).hexdigest()
    try:
        if mode == "greeting":
            result.update(half_greeting(endpoint))
        elif mode == "frame":
            result.update(half_frame(endpoint))
        else:
            result.update(send_and_leave(endpoint, body,
                                         "vanish-" + result["sha"][:16]))
        result["done"] = True
    except (OSError, ConnectionError, zmq.ZMQError) as exc:
        result["error"] = str(exc)     # planqd down at that moment
    with open(log, "a", encoding="utf-8") as f:
        f.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()

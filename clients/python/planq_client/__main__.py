"""``python3 -m planq_client send``: a quick try of the client from a shell.

It follows ``planq send`` (docs/CLIENT.md): the same options, the same
envelope for files (``source_url`` ``file://`` + absolute path, modification
time as ``fetched_at``, ``text/html`` for .html/.htm), one line per document
in reply order, the same summary line and exit statuses (0: all stored,
duplicate or spooled; 1: a rejection or failure; 2: usage error).
Directories are walked recursively in byte order of their paths, skipping
hidden names, following symlinks to files only; ``-`` reads standard input.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import logging
import os
import stat
import sys
from typing import Iterator, List, Optional, Sequence, Tuple
from urllib.parse import quote

from .client import Client, Document, Reply

SUMMARY = ("sent {n} documents: {stored} stored, {duplicate} duplicate, "
           "{spooled} spooled, {rejected} rejected, {failed} failed")


def _paths(operands: Sequence[str]) -> Iterator[str]:
    for op in operands:
        if op == "-":
            yield op
            continue
        try:
            st = os.stat(op)
        except OSError:
            yield op            # reported as failed when it is read
            continue
        if not stat.S_ISDIR(st.st_mode):
            yield op
            continue
        found: List[bytes] = []
        for root, dirs, files in os.walk(os.fsencode(op)):
            dirs[:] = [d for d in dirs if not d.startswith(b".")
                       and not os.path.islink(os.path.join(root, d))]
            for name in files:
                if name.startswith(b"."):
                    continue
                full = os.path.join(root, name)
                if os.path.islink(full) and os.path.isdir(full):
                    continue
                found.append(full)
        for p in sorted(found):
            yield os.fsdecode(p)


def _file_url(path: str) -> str:
    base = os.environ.get("PWD") if not os.path.isabs(path) else None
    absolute = os.path.normpath(os.path.join(base or os.getcwd(), path))
    return "file://" + quote(absolute, safe="/-._~!$&'()*+,;=:@")


def _load(path: str, opts: argparse.Namespace) -> Document:
    if path == "-":
        body = sys.stdin.buffer.read()
        return Document(body=body, source_url=opts.source_url,
                        content_type=opts.content_type)
    with open(path, "rb") as f:
        body = f.read()
        mtime = os.fstat(f.fileno()).st_mtime
    ctype = opts.content_type
    if ctype is None and path.lower().endswith((".html", ".htm")):
        ctype = "text/html"
    return Document(body=body, source_url=opts.source_url or _file_url(path),
                    content_type=ctype,
                    fetched_at=_dt.datetime.fromtimestamp(int(mtime), _dt.timezone.utc))


def _line(reply: Reply, path: str) -> str:
    parts = [reply.status]
    if reply.document_id is not None:
        parts.append(f"document={reply.document_id}")
    if reply.plan_id is not None:
        parts.append(f"plan={reply.plan_id}")
    if reply.reason is not None:
        esc = "".join("\\" + c if c in '"\\' else "\\n" if c == "\n"
                      else f"\\x{ord(c):02x}" if ord(c) < 0x20 or ord(c) == 0x7f
                      else c for c in reply.reason)
        parts.append(f'reason="{esc}"')
    parts.append(path)
    return " ".join(parts)


def _positive(kind: type, lo: float, hi: float, name: str):
    def parse(text: str):
        try:
            v = kind(text)
        except ValueError:
            v = None
        if v is None or not lo <= v <= hi:
            raise argparse.ArgumentTypeError(
                f"{name} must be a number from {lo:g} to {hi:g}, not '{text}'")
        return v
    return parse


# options whose value may begin with '-' (a Z85 key can: its alphabet has
# '-'), which argparse would take for an option when given apart
_VALUE_OPTIONS = ("--server-key", "--client-cert", "--source-url",
                  "--content-type")


def _join_values(argv: Sequence[str]) -> List[str]:
    """``--server-key -x…`` as ``--server-key=-x…``, so argparse keeps it."""
    out: List[str] = []
    it = iter(argv)
    for arg in it:
        if arg in _VALUE_OPTIONS:
            value = next(it, None)
            out.append(arg if value is None else f"{arg}={value}")
        elif arg == "--":
            out.append(arg)
            out.extend(it)
        else:
            out.append(arg)
    return out


def send_main(argv: Sequence[str]) -> int:
    """``send`` subcommand; returns the exit status."""
    ap = argparse.ArgumentParser(prog="python3 -m planq_client send",
                                 description="Send documents to planqd.")
    ap.add_argument("--to", default=os.environ.get("PLANQ_ENDPOINT") or
                    "tcp://127.0.0.1:5570", metavar="ENDPOINT[,ENDPOINT...]")
    ap.add_argument("--concurrency", type=_positive(int, 1, 10000, "--concurrency"), default=8)
    ap.add_argument("--timeout", type=_positive(float, 0.001, 86400, "--timeout"), default=30.0)
    ap.add_argument("--retries", type=_positive(int, 0, 1000, "--retries"), default=3)
    ap.add_argument("--content-type")
    ap.add_argument("--source-url")
    ap.add_argument("--server-key")
    ap.add_argument("--client-cert")
    ap.add_argument("--quiet", "-q", action="store_true")
    ap.add_argument("paths", nargs="+", metavar="FILE|DIR|-")
    opts = ap.parse_args(_join_values(argv))
    if list(opts.paths).count("-") > 1:
        ap.error("'-' (stdin) may be given only once")
    try:
        client = Client(opts.to, concurrency=opts.concurrency, timeout=opts.timeout,
                        retries=opts.retries, server_key=opts.server_key,
                        client_cert=opts.client_cert)
    except ValueError as exc:
        print(f"python3 -m planq_client send: {exc}", file=sys.stderr)
        return 2
    counts = dict.fromkeys(("stored", "duplicate", "spooled", "rejected", "failed"), 0)

    def emit(reply: Reply, path: str) -> None:
        counts[reply.status if reply.status in counts else "failed"] += 1
        if not opts.quiet:
            print(_line(reply, path), flush=True)

    def documents() -> Iterator[Tuple[str, Document]]:
        for path in _paths(opts.paths):
            try:
                yield path, _load(path, opts)
            except OSError as exc:
                emit(Reply("", "failed", reason=exc.strerror or str(exc)), path)

    by_id = {}

    def tagged() -> Iterator[Document]:
        for path, doc in documents():
            doc.id = client._next_id()
            by_id[doc.id] = path
            yield doc

    interrupted = False
    try:
        with client:
            for reply in client.send_many(tagged()):
                emit(reply, by_id.pop(reply.id, "?"))
    except KeyboardInterrupt:
        interrupted = True
        print(f"python3 -m planq_client send: interrupted; {len(by_id)} "
              "document(s) in flight are not counted", file=sys.stderr)
    print(SUMMARY.format(n=sum(counts.values()), **counts), flush=True)
    ok = counts["rejected"] == 0 and counts["failed"] == 0
    return 0 if ok and not interrupted else 1


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of ``python3 -m planq_client``."""
    args = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="planq_client: %(message)s")
    if not args or args[0] in ("-h", "--help"):
        print("usage: python3 -m planq_client send [--to ENDPOINT] [--concurrency N]\n"
              "         [--timeout SECONDS] [--retries N] [--content-type TYPE]\n"
              "         [--source-url URL] [--server-key K --client-cert F] [--quiet]\n"
              "         FILE|DIR|- ...")
        return 0 if args else 2
    if args[0] != "send":
        print(f"python3 -m planq_client: unknown command '{args[0]}' (try: send)",
              file=sys.stderr)
        return 2
    return send_main(args[1:])


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""doc_blocks.py: the fenced code blocks of a Markdown file, for tests that
run a document's examples.

    doc_blocks.py FILE LANG [NAME]      # prints the blocks' code, NUL-separated
    doc_blocks.py FILE --list           # "LINE LANG NAME" per block

A block is a ``` fence with an info string "LANG" or "LANG NAME".  With
NAME, only blocks of that name; without, only blocks without a name.
"""
from __future__ import annotations

import re
import sys
from typing import List, Tuple


def blocks(path: str) -> List[Tuple[int, str, str, str]]:
    """(line, lang, name, code) of every fenced block."""
    out = []
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^```(\S+)(?:\s+(\S+))?\s*$", lines[i])
        if m:
            start, code = i + 1, []
            i += 1
            while i < len(lines) and lines[i] != "```":
                code.append(lines[i])
                i += 1
            out.append((start, m.group(1), m.group(2) or "", "\n".join(code) + "\n"))
        i += 1
    return out


def main() -> int:
    path, lang = sys.argv[1], sys.argv[2]
    if lang == "--list":
        for line, lg, name, _ in blocks(path):
            print(line, lg, name or "-")
        return 0
    name = sys.argv[3] if len(sys.argv) > 3 else ""
    chosen = [code for _, lg, nm, code in blocks(path) if lg == lang and nm == name]
    sys.stdout.write("\0".join(chosen))
    return 0 if chosen else 1


if __name__ == "__main__":
    sys.exit(main())

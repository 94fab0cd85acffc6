#!/usr/bin/env bash
# The Python client's unit tests (clients/python/tests, unittest) with
# Debian's python3 and python3-zmq/python3-scrapy: the Lazy Pirate loop
# against a scripted ZeroMQ server (late, repeated, garbage and "retry"
# replies, silence), the envelope, the helpers.  Each failing case is
# printed by unittest with its name.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=${PLANQ_PYTHON:-/usr/bin/python3}
cd "$ROOT/clients/python" || exit 1
"$PY" -W ignore::DeprecationWarning -m unittest discover -s tests -v 2>&1
rc=$?
# a discover that found nothing would pass: make sure the tests ran
n=$("$PY" -c 'import unittest,sys; sys.path.insert(0,"."); print(unittest.defaultTestLoader.discover("tests").countTestCases())')
echo "test_client_unit: $n test cases"
[ "$rc" -eq 0 ] && [ "${n:-0}" -gt 10 ]

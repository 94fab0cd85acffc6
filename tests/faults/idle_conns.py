#!/usr/bin/env python3
"""idle_conns.py HOST PORT COUNT HOLD_SECONDS READYFILE: opens COUNT TCP
connections to HOST:PORT (non-blocking, all at once, at most 30 s to get
them established) and sends nothing on them (no ZMTP greeting), writes
"opened N failed M" to READYFILE, holds them for HOLD_SECONDS (or until
READYFILE.done exists), then closes them all.  Used by
test_hostile_clients.sh; bounded in count and time."""
import os, select, socket, sys, time

host, port, count, hold, ready = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
pending, opened, failed = {}, [], 0
for _ in range(count):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # from 127.0.0.2, so that 10,000 ephemeral ports of 127.0.0.1 stay free
    # for the listeners that other tests bind there
    s.bind(("127.0.0.2", 0))
    s.setblocking(False)
    if s.connect_ex((host, port)) in (0, 115):  # 115: EINPROGRESS
        pending[s.fileno()] = s
    else:
        failed += 1
        s.close()
poll = select.poll()
for fd in pending:
    poll.register(fd, select.POLLOUT)
deadline = time.time() + 30
while pending and time.time() < deadline:
    for fd, ev in poll.poll(200):
        s = pending.pop(fd)
        poll.unregister(fd)
        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
            opened.append(s)
        else:
            failed += 1
            s.close()
failed += len(pending)
for s in pending.values():
    s.close()
with open(ready + ".tmp", "w") as f:
    f.write("opened %d failed %d\n" % (len(opened), failed))
os.rename(ready + ".tmp", ready)
deadline = time.time() + hold
while time.time() < deadline and not os.path.exists(ready + ".done"):
    time.sleep(0.1)
for s in opened:
    s.close()

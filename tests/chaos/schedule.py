#!/usr/bin/python3
"""tests/chaos/schedule.py SEED SECONDS [MEAN_GAP [failover]]: the fault schedule of a
chaos campaign, a pure function of its arguments, so that a failing seed
replays exactly the same faults at the same moments.

Prints one event per line, in time order: "SECONDS ACTION ARGS…".  Faults
start at random moments (exponential gaps, MEAN_GAP seconds on average),
alone or two or three at once, and those that last (a database down, a
lock, a full spool) get their end event; everything has ended by SECONDS.

  worker_kill K              SIGKILL the K-th worker (mod their count)
  planqd_kill                SIGKILL planqd; planqd_start restarts it on
  planqd_start               the same spool, endpoint and runtime dir
  db_stop                    pg_ctl stop -m immediate; db_start later
  db_kill                    SIGKILL the postmaster;   db_start later
  db_start
  db_lock TABLE SECONDS      a session holds ACCESS EXCLUSIVE on TABLE
  spool_full / spool_free    the spool's filesystem full, then not
  sighup WORKERS             planqd.conf gets workers = WORKERS; SIGHUP
  vanish MODE                a client that vanishes mid-send (MODE:
                             greeting, frame, or reply: see vanish.py)
  failover                   (only given "failover") the primary's
                             postmaster SIGKILLed, its synchronous standby
                             promoted, a new standby built from it; no
                             other database fault until that is done

Without "failover" the schedule of a seed is the one it always was.
"""
import random
import sys

WEIGHTS = {
    "worker_kill": 3.0,
    "planqd_kill": 2.0,
    "db_stop": 1.5,
    "db_kill": 1.0,
    "db_lock": 1.5,
    "spool_full": 1.0,
    "sighup": 1.5,
    "vanish": 2.0,
    "failover": 1.0,
}
FAILOVER_BUSY = (20.0, 30.0)   # promote, then a new standby streams
START = 5.0        # the sender is under way
LAST_GAP = 3.0     # every fault ends this long before SECONDS


class Plan:
    """The faults in force at each moment, as the schedule is drawn."""

    def __init__(self, rng, seconds, failover=False):
        self.rng = rng
        self.failover = failover
        self.end = seconds - LAST_GAP
        self.db_down_until = 0.0
        self.lock_until = 0.0
        self.spool_full_until = 0.0
        self.planqd_down_until = 0.0
        self.workers = 2
        self.events = []

    def add(self, t, *words):
        self.events.append((round(t, 2), " ".join(str(w) for w in words)))

    def duration(self, t, lo, hi):
        return round(min(self.rng.uniform(lo, hi), max(self.end - t, 0.5)), 2)

    def possible(self, t):
        kinds = dict(WEIGHTS)
        if not self.failover or t < self.lock_until:
            kinds.pop("failover")
        if t < self.db_down_until:
            kinds.pop("db_stop")
            kinds.pop("db_kill")
            kinds.pop("db_lock")
            kinds.pop("failover", None)
            kinds["spool_full"] *= 3      # only a spool in use can be full
        if t < self.lock_until:
            kinds.pop("db_lock", None)
        if t < self.spool_full_until:
            kinds.pop("spool_full")
        if t < self.planqd_down_until:
            kinds.pop("planqd_kill")
            kinds.pop("worker_kill")
        return kinds

    def inject(self, t, kind):
        rng = self.rng
        if kind == "worker_kill":
            self.add(t, "worker_kill", rng.randrange(16))
        elif kind == "planqd_kill":
            back = t + round(rng.uniform(0.2, 3.0), 2)
            self.planqd_down_until = back
            self.add(t, "planqd_kill")
            self.add(back, "planqd_start")
        elif kind in ("db_stop", "db_kill"):
            d = self.duration(t, 2.0, 15.0)
            self.db_down_until = t + d
            self.add(t, kind)
            self.add(t + d, "db_start")
        elif kind == "failover":
            # the database is "down" until a new standby streams again
            self.db_down_until = t + self.duration(t, *FAILOVER_BUSY)
            self.add(t, "failover")
        elif kind == "db_lock":
            d = self.duration(t, 3.0, 25.0)
            self.lock_until = t + d
            self.add(t, "db_lock", rng.choice(["plans", "documents"]), d)
        elif kind == "spool_full":
            d = self.duration(t, 3.0, 20.0)
            self.spool_full_until = t + d
            self.add(t, "spool_full")
            self.add(t + d, "spool_free")
        elif kind == "sighup":
            self.workers = rng.choice([n for n in (1, 2, 3, 4)
                                       if n != self.workers])
            self.add(t, "sighup", self.workers)
        elif kind == "vanish":
            self.add(t, "vanish", rng.choice(["greeting", "frame", "reply"]))


def draw(seed, seconds, mean_gap, failover=False):
    rng = random.Random(seed)
    plan = Plan(rng, seconds, failover)
    t = START
    while True:
        t += max(0.3, rng.expovariate(1.0 / mean_gap))
        if t >= plan.end:
            break
        n = rng.choices([1, 2, 3], weights=[0.67, 0.25, 0.08])[0]
        for _ in range(n):
            kinds = plan.possible(t)
            kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
            plan.inject(t, kind)
    return sorted(plan.events, key=lambda e: e[0])


def main():
    seed = int(sys.argv[1])
    seconds = float(sys.argv[2])
    mean_gap = float(sys.argv[3]) if len(sys.argv) > 3 else 6.0
    failover = len(sys.argv) > 4 and sys.argv[4] == "failover"
    for t, words in draw(seed, seconds, mean_gap, failover):
        print(f"{t:8.2f} {words}")


if __name__ == "__main__":
    main()

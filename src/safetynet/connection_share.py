"""Keeping gunicorn's workers' shares of the open connections even (gunicorn_conf.pre_request).

A kept-alive connection stays with the worker process that accepted it. Which worker accepts is a
race, so 20 clients (or a reverse proxy's pool of upstream connections) often end up 15 on one
worker and 5 on the other. Each worker gets the same CPU, so the 15 wait three times as long as
the 5: the slowest twentieth of requests took 1.4–2× the median (docs/scale.md, "Even shares, no
collector pauses").

Each worker writes how many connections it holds into a small table of shared memory that the
master maps before forking. A worker that holds more than its even share (all the workers'
connections ÷ the workers, rounded up) answers the request with `Connection: close`; the client
opens a new connection, which a less busy worker is as likely to accept. No request is refused or
delayed, and nothing is shed once the shares are even.
"""

from __future__ import annotations

import math
import mmap
import os


class ConnectionShare:
    SLOTS = 256  # worker processes one server may have at a time

    def __init__(self, slots: int = SLOTS):
        self.slots = slots
        # Anonymous and MAP_SHARED: the forked workers see one another's writes.
        self._map = mmap.mmap(-1, slots * 2 * 4)
        self._table = memoryview(self._map).cast("i")  # pid, connections; pid, connections; …

    def join(self, pid: int) -> int | None:
        """A slot for a new worker: a free one, or one whose process has gone."""
        for slot in range(self.slots):
            owner = self._table[2 * slot]
            if owner == 0 or owner == pid or not _alive(owner):
                self._table[2 * slot], self._table[2 * slot + 1] = pid, 0
                return slot
        return None  # more workers than slots: this one does not take part

    def leave(self, pid: int) -> None:
        for slot in range(self.slots):
            if self._table[2 * slot] == pid:
                self._table[2 * slot], self._table[2 * slot + 1] = 0, 0

    def over_share(self, slot: int, connections: int) -> bool:
        """Record this worker's connections; whether they exceed its even share."""
        self._table[2 * slot + 1] = connections
        workers = sum(1 for pid in self._table[0::2] if pid)
        if workers < 2:
            return False
        return connections > math.ceil(sum(self._table[1::2]) / workers)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

"""The gunicorn workers keep their shares of the kept-alive connections even
(safetynet/connection_share.py, the pre_request hook of gunicorn_conf)."""

from __future__ import annotations

import importlib
import os
from types import SimpleNamespace

from safetynet.connection_share import ConnectionShare

DEAD = 2**22 + 12345  # above the kernel's largest pid: never a running process


def test_a_worker_over_its_even_share_closes_and_one_at_or_under_it_does_not():
    share = ConnectionShare(slots=4)
    a, b = share.join(os.getpid()), share.join(os.getppid())
    assert {a, b} == {0, 1}
    assert share.over_share(a, 15) is True  # b has reported none yet: 15 over 2 workers, 8 each
    assert share.over_share(b, 5) is False  # 20 over 2 workers: 10 each
    assert share.over_share(a, 10) is True  # 10 against 5: 15 over 2, 8 each
    assert share.over_share(b, 10) is False
    assert share.over_share(a, 10) is False  # even
    assert share.over_share(a, 11) is False  # 21 over 2: 11 each, rounded up
    assert share.over_share(a, 12) is True


def test_a_single_worker_never_closes():
    share = ConnectionShare(slots=4)
    only = share.join(os.getpid())
    assert share.over_share(only, 500) is False


def test_a_slot_is_freed_when_its_worker_exits_or_found_dead():
    share = ConnectionShare(slots=2)
    mine, gone = share.join(os.getpid()), share.join(DEAD)
    share.over_share(gone, 40)
    assert share.join(os.getppid()) == gone  # the dead worker's slot, its 40 cleared:
    assert share.over_share(mine, 25) is True  # 25 over 2 workers (not 65)
    share.leave(os.getppid())
    assert share.over_share(mine, 25) is False  # alone again
    assert share.join(os.getppid()) == gone
    assert share.join(os.getppid() + 1) is None  # no slot left: that worker takes no part


def test_the_table_is_shared_with_forked_workers():
    share = ConnectionShare(slots=4)
    mine = share.join(os.getpid())
    child = os.fork()
    if child == 0:  # the worker: takes a slot and records 17 connections
        try:
            slot = share.join(os.getpid())
            share.over_share(slot, 17)
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    # The parent sees the child's 17: 20 over 2 workers is 10, so 3 is under and 17 was over.
    assert share.over_share(mine, 3) is False
    share.leave(child)
    assert share.over_share(mine, 3) is False


def test_the_hook_answers_with_connection_close_when_over_share(monkeypatch):
    import safetynet.gunicorn_conf as conf

    conf = importlib.reload(conf)
    one = SimpleNamespace(pid=os.getpid(), nr_conns=15)
    other = SimpleNamespace(pid=os.getppid(), nr_conns=5)
    for worker in (one, other):
        conf.post_fork(server=None, worker=worker)
    requests = {name: SimpleNamespace(must_close=False) for name in ("one", "other")}
    conf.pre_request(one, requests["one"])
    conf.pre_request(other, requests["other"])
    assert requests == {"one": SimpleNamespace(must_close=True), "other": SimpleNamespace(must_close=False)}
    conf.child_exit(server=None, worker=other)
    again = SimpleNamespace(must_close=False)
    conf.pre_request(one, again)
    assert again.must_close is False  # alone: nothing to balance against
    sync = SimpleNamespace(pid=os.getpid(), share_slot=0)  # a worker class that counts no connections
    untouched = SimpleNamespace(must_close=False)
    conf.pre_request(sync, untouched)
    assert untouched.must_close is False

"""The per-thread SQLite connections: a thread's own, handed on after the thread has ended."""

import gc
import threading

from cnnviz.dbconn import KEPT, Connections


def _in_thread(fn):
    out = []
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    t.join()
    del t
    gc.collect()  # the ended thread's object goes: its connection is handed on
    return out[0]


def test_an_ended_threads_connection_serves_the_next_thread(tmp_path):
    conns = Connections(tmp_path / "a.sqlite3")
    conns.get().execute("CREATE TABLE t (v INTEGER)")
    first = _in_thread(lambda: id(conns.get()))
    second = _in_thread(lambda: (id(conns.get()), conns.get().execute("SELECT COUNT(*) FROM t").fetchone()[0]))
    assert second == (first, 0)


def test_threads_alive_together_never_share_one(tmp_path):
    conns = Connections(tmp_path / "a.sqlite3")
    ready, go, seen = threading.Barrier(3), threading.Event(), []

    def hold():
        seen.append(conns.get())
        ready.wait()
        go.wait()

    threads = [threading.Thread(target=hold) for _ in range(2)]
    for t in threads:
        t.start()
    ready.wait()
    mine = conns.get()
    go.set()
    for t in threads:
        t.join()
    assert len({id(c) for c in (*seen, mine)}) == 3
    assert conns.get() is mine  # the same thread keeps its own


def test_a_thread_that_ends_inside_a_transaction_hands_on_a_clean_connection(tmp_path):
    conns = Connections(tmp_path / "a.sqlite3")
    conns.get().execute("CREATE TABLE t (v INTEGER)")

    def leave_open():
        db = conns.get()
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO t VALUES (1)")
        return id(db)

    first = _in_thread(leave_open)
    again = _in_thread(lambda: (id(conns.get()), conns.get().in_transaction,
                                conns.get().execute("SELECT COUNT(*) FROM t").fetchone()[0]))
    assert again == (first, False, 0)
    conns.get().execute("INSERT INTO t VALUES (2)")  # the write lock was given back too


def test_close_keeps_nothing_and_the_pool_is_bounded(tmp_path):
    conns = Connections(tmp_path / "a.sqlite3")
    closed = _in_thread(lambda: (conns.get(), conns.close())[0])
    assert _in_thread(lambda: conns.get()) is not closed
    barrier = threading.Barrier(KEPT + 3)
    threads = [threading.Thread(target=lambda: (conns.get(), barrier.wait())) for _ in range(KEPT + 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    del threads, t
    gc.collect()
    assert conns._free.qsize() == KEPT

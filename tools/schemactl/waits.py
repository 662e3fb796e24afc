"""What a session of the tool waits for: the lock it asked for and the sessions that hold it.

A blocked `apply` (the schema lock held by another run, a table lock held by an open
transaction) would otherwise say nothing; `watch_waits` reports it as progress lines.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg

from schemactl.conninfo import connect
from schemactl.errors import SchemactlError

__all__ = ["WaitLog", "describe_wait", "watch_waits"]

Progress = Callable[[str], None]

_WAITING = """
SELECT l.locktype, l.mode, l.classid::bigint, l.objid::bigint,
       (SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = l.relation),
       pg_blocking_pids(l.pid)
FROM pg_locks l
WHERE l.pid = %s AND NOT l.granted
LIMIT 1
"""

_HOLDERS = """
SELECT pid, usename, application_name, state,
       extract(epoch FROM now() - coalesce(xact_start, backend_start))::bigint
FROM pg_stat_activity
WHERE pid = ANY(%s)
ORDER BY pid
"""


def describe_wait(conn: psycopg.Connection, pid: int, *, advisory: dict[int, str] | None = None) -> str | None:
    """What backend pid waits for and who holds it, in one line; None when it waits for no lock.

    advisory names the tool's own advisory locks by key (e.g. the schema lock).
    """
    found = _wait(conn, pid, advisory)
    return found[1] if found else None


def _wait(conn: psycopg.Connection, pid: int, advisory: dict[int, str] | None) -> tuple[tuple, str] | None:
    """(what and whom it waits for, the line describing it), or None."""
    row = conn.execute(_WAITING, (pid,)).fetchone()
    if row is None:
        return None
    locktype, mode, classid, objid, relation, blockers = row
    if locktype == "advisory":
        key = ((classid or 0) << 32) | (objid or 0)
        what = (advisory or {}).get(key, f"advisory lock {key}")
    elif relation:
        what = f"{mode} on {relation}"
    else:
        what = f"{mode} ({locktype})"
    holders = conn.execute(_HOLDERS, (list(blockers or ()),)).fetchall()
    key = (what, tuple(h[0] for h in holders))
    if not holders:
        return key, f"waiting for {what}"
    described = "; ".join(
        f"pid {p} ({user or '?'}{f', {app!r}' if app else ''}, {state or 'unknown state'}, {int(age or 0)} s)"
        for p, user, app, state, age in holders)
    return key, f"waiting for {what}, held by {described}"


class WaitLog:
    """The last wait the watch saw ("" when none), for an error message after a lock timeout."""

    def __init__(self) -> None:
        self.last = ""


@contextmanager
def watch_waits(url: str, pid: int, progress: Progress, *, advisory: dict[int, str] | None = None,
                after: float = 1.0, every: float = 10.0) -> Iterator[WaitLog]:
    """While the block runs: when backend pid has waited for a lock for a second or two, say what
    it waits for and who holds it (again every `every` seconds, or when that changes). The watch
    starts `after` seconds in, on a connection of its own."""
    stop = threading.Event()
    log = WaitLog()

    def watch() -> None:
        if stop.wait(after):
            return
        last: tuple = ()
        seen: tuple = ()
        said_at = 0.0
        try:
            with connect(url, autocommit=True, connect_timeout=5) as conn:
                conn.execute("SET application_name = 'schemactl lock watch'")
                while not stop.is_set():
                    key, line = _wait(conn, pid, advisory) or ((), "")
                    log.last = line or log.last
                    # Said once the same wait is seen twice in a row (a second apart): a passing wait is not news.
                    if key and key == seen and (key != last or time.monotonic() - said_at >= every):
                        progress(line)
                        last, said_at = key, time.monotonic()
                    seen = key
                    if stop.wait(1.0):
                        return
        except (psycopg.Error, SchemactlError):
            return  # the watch only informs; the waiting session reports its own errors

    thread = threading.Thread(target=watch, name="schemactl-lock-watch", daemon=True)
    thread.start()
    try:
        yield log
    finally:
        stop.set()
        thread.join(timeout=5)

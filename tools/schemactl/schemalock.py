"""The schema lock: one `apply` or `migrate` changes a database at a time, and only a role that may.

The lock is a table lock on the tracking table `schemactl.schema_migrations`, taken in a session
of its own:
- it needs privilege: `LOCK TABLE` in SHARE UPDATE EXCLUSIVE mode needs UPDATE, DELETE or TRUNCATE
  on the table, which only its owner (the role that deploys) has, so a login role such as the API's
  can neither take it nor hold deployments up (an advisory lock anyone could take);
- it never makes an online step wait: the lock session runs nothing after `LOCK TABLE`, so it holds
  no snapshot, and a waiting run polls with `NOWAIT` in short transactions instead of waiting inside
  one (a `CREATE INDEX CONCURRENTLY` waits for every transaction holding an older snapshot, and a
  waiter blocked inside a statement holds one: two runners deadlocked that way);
- readers (`migrate status`, `drift`) and the run's own INSERT into the table are not blocked: the
  mode conflicts with itself, not with ROW EXCLUSIVE or ACCESS SHARE.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

import psycopg
from psycopg import sql

from schemactl.conninfo import connect, mask
from schemactl.errors import SchemactlError

__all__ = ["TRACKING_SCHEMA", "TRACKING_TABLE", "TRACKING_RELATION", "schema_lock", "ensure_tracking", "LOCK_MODE"]

Progress = Callable[[str], None]

TRACKING_SCHEMA = "schemactl"
TRACKING_TABLE = f"{TRACKING_SCHEMA}.schema_migrations"
TRACKING_RELATION = sql.SQL("{}.{}").format(sql.Identifier(TRACKING_SCHEMA), sql.Identifier("schema_migrations"))
LOCK_MODE = "SHARE UPDATE EXCLUSIVE"

_CREATE_TRACKING = [
    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(TRACKING_SCHEMA)),
    sql.SQL("""CREATE TABLE IF NOT EXISTS {} (
    version text PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    applied_by text NOT NULL DEFAULT CURRENT_USER,
    duration_ms integer NOT NULL
)""").format(TRACKING_RELATION),
]

_LOCK = sql.SQL("LOCK TABLE {} IN SHARE UPDATE EXCLUSIVE MODE NOWAIT").format(TRACKING_RELATION)

_HOLDERS = """
SELECT a.pid, a.usename, a.application_name, a.state,
       extract(epoch FROM now() - coalesce(a.xact_start, a.backend_start))::bigint
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'relation' AND l.relation = to_regclass(%s) AND l.granted
  AND l.mode = 'ShareUpdateExclusiveLock' AND l.pid <> pg_backend_pid()
ORDER BY a.pid
"""


def _quiet(_: str) -> None:
    return None


def _message(exc: psycopg.Error) -> str:
    return " ".join((exc.diag.message_primary or str(exc)).split())


def ensure_tracking(conn: psycopg.Connection) -> None:
    """Create the schema and tracking table where missing (autocommit connection); concurrent runs agree."""
    for attempt in (1, 2, 3):
        if conn.execute("SELECT to_regclass(%s) IS NOT NULL", (TRACKING_TABLE,)).fetchone()[0]:
            return
        try:
            with conn.transaction():
                for statement in _CREATE_TRACKING:
                    conn.execute(statement)
            return
        except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateObject, psycopg.errors.DuplicateSchema,
                psycopg.errors.DuplicateTable):
            if attempt == 3:
                raise  # another run created them at the same moment; the next look finds them
        except psycopg.Error as exc:
            raise SchemactlError(f"cannot create the tracking table {TRACKING_TABLE}: {_message(exc)}") from None


def _holders(conn: psycopg.Connection) -> tuple[tuple[int, ...], str]:
    """The pids holding the lock, and a line describing them."""
    rows = conn.execute(_HOLDERS, (TRACKING_TABLE,)).fetchall()
    conn.rollback()
    described = "; ".join(f"pid {pid} ({user or '?'}{f', {app!r}' if app else ''}, {state or 'unknown state'}, "
                          f"{int(age or 0)} s)" for pid, user, app, state, age in rows)
    return tuple(row[0] for row in rows), described


@contextlib.contextmanager
def schema_lock(target: str, *, progress: Progress = _quiet, poll: float = 0.1, report_after: float = 1.5,
                report_every: float = 10.0) -> Iterator[None]:
    """Hold the schema lock of the database at target for the block; wait for another holder.

    Creates the tracking table first where it is missing (it is what the lock locks).
    """
    with connect(target, autocommit=True) as conn:
        try:
            conn.execute("SET application_name = 'schemactl schema lock'")
            # The session idles in its transaction while the run works: no timeout of a role's may end it.
            conn.execute("SET idle_in_transaction_session_timeout = 0")
            conn.execute("SET statement_timeout = 0")
            ensure_tracking(conn)
            conn.autocommit = False
        except psycopg.Error as exc:
            raise SchemactlError(f"cannot take the schema lock on {mask(target)}: {_message(exc)}") from None
        started = time.monotonic()
        said_at = 0.0
        said: tuple[int, ...] = ()
        delay = poll
        while True:
            try:
                conn.execute(_LOCK)
                break
            except psycopg.errors.LockNotAvailable:
                conn.rollback()
            except psycopg.errors.InsufficientPrivilege as exc:
                conn.rollback()
                raise SchemactlError(
                    f"cannot take the schema lock on {mask(target)}: {_message(exc)}; only the role that owns "
                    f"{TRACKING_TABLE} (the role that deploys) may change the schema") from None
            except psycopg.Error as exc:
                raise SchemactlError(f"cannot take the schema lock on {mask(target)}: {_message(exc)}") from None
            waited = time.monotonic() - started
            if waited >= report_after:
                pids, described = _holders(conn)
                if pids and (pids != said or time.monotonic() - said_at >= report_every):
                    progress(f"waiting for the schema lock on {mask(target)} (another schemactl apply or migrate "
                             f"runs), held by {described}")
                    said, said_at = pids, time.monotonic()
            time.sleep(delay)
            delay = min(delay * 1.5, 1.0)
        try:
            yield
        finally:
            # Released by ending the transaction; a broken connection released it already.
            with contextlib.suppress(psycopg.Error):
                conn.rollback()

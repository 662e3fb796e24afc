"""Operations: run the schema's maintenance functions against a live database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from psycopg import sql

from schemactl.conninfo import connect, mask
from schemactl.errors import InputError, SchemactlError

__all__ = ["MaintenanceTask", "TaskResult", "TASKS", "run_task", "maintain"]

Progress = Callable[[str], None]

# Where schema/ creates the maintenance functions and their tables.
SCHEMA = "public"


@dataclass(frozen=True)
class MaintenanceTask:
    """One maintenance function of schema/functions and how to report what it did."""

    function: str
    table: str
    report: str
    default_retention: str


# In the order they run; both functions take (retention, batch_size, max_batches).
TASKS = (
    MaintenanceTask(function="cleanup_minting_queue", table="minting_queue",
                    report="deleted {rows} completed entries older than {retention}",
                    default_retention="7 days"),
    MaintenanceTask(function="archive_audit_logs", table="blockchain_audit_logs",
                    report="archived {rows} rows older than {retention} into blockchain_audit_logs_archive",
                    default_retention="90 days"),
)


@dataclass(frozen=True)
class TaskResult:
    """What one maintenance function did: rows affected over how many committed batches."""

    task: MaintenanceTask
    retention: str
    rows: int
    batches: int

    def describe(self) -> str:
        done = self.task.report.format(rows=self.rows, retention=self.retention)
        return f"{self.task.table}: {done} ({self.batches} batches)"


def run_task(conn: psycopg.Connection, task: MaintenanceTask, *, retention: str, batch_size: int,
             max_batches: int | None = None, progress: Progress = lambda _: None) -> TaskResult:
    """Call the task's function one batch per transaction until a batch comes back short."""
    # Schema-qualified: the session's search_path is pinned to pg_catalog (schema/ puts them in public).
    call = sql.SQL("SELECT {}(%s::pg_catalog.interval, %s, max_batches => 1)").format(
        sql.Identifier(SCHEMA, task.function))
    rows = batches = 0
    while max_batches is None or batches < max_batches:
        try:
            # Autocommit: every call commits on its own, so locks last one batch only.
            moved = conn.execute(call, (retention, batch_size)).fetchone()[0]  # type: ignore[index]
        except psycopg.errors.UndefinedFunction:
            raise SchemactlError(f"the target has no {task.function}(interval, integer, integer); "
                                 "bring it to schema/ first (schemactl apply)") from None
        except (psycopg.errors.InvalidDatetimeFormat, psycopg.errors.InvalidParameterValue,
                psycopg.errors.IntervalFieldOverflow, psycopg.errors.DatetimeFieldOverflow) as exc:
            message = str(exc.diag.message_primary)
            # The functions name themselves in their errors; the server's own errors do not.
            raise InputError(message if message.startswith(task.function) else f"{task.function}: {message}") from None
        except psycopg.Error as exc:
            raise SchemactlError(f"{task.function} failed: {exc.diag.message_primary or exc}") from None
        rows += moved
        batches += 1
        if moved:
            progress(f"{task.function}: {rows} rows so far")
        if moved < batch_size:
            break
    return TaskResult(task=task, retention=retention, rows=rows, batches=batches)


def maintain(url: str, *, retention: str | None = None, audit_retention: str | None = None,
             batch_size: int = 10_000, max_batches: int | None = None, analyze: bool = False,
             progress: Progress = lambda _: None) -> tuple[TaskResult, ...]:
    """Clean up the minting queue and archive old audit logs on the target; optionally ANALYZE."""
    if batch_size < 1:
        raise InputError(f"--batch-size must be at least 1, got {batch_size}")
    retentions = {"cleanup_minting_queue": retention, "archive_audit_logs": audit_retention}
    results = []
    with connect(url, autocommit=True) as conn:
        for task in TASKS:
            chosen = retentions[task.function] or task.default_retention
            progress(f"{task.function}(retention => '{chosen}', batch_size => {batch_size})")
            results.append(run_task(conn, task, retention=chosen, batch_size=batch_size,
                                    max_batches=max_batches, progress=progress))
        if analyze:
            tables = sql.SQL(", ").join(sql.Identifier(SCHEMA, t) for t in
                                        ("minting_queue", "blockchain_audit_logs", "blockchain_audit_logs_archive"))
            progress("VACUUM (ANALYZE) of the maintained tables")
            try:
                conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(tables))
            except psycopg.Error as exc:
                raise SchemactlError(f"VACUUM failed on {mask(url)}: {exc.diag.message_primary or exc}") from None
    return tuple(results)

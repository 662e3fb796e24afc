"""One migration file: its statements (split by the PostgreSQL parser) and running them.

How a file runs (render.script writes this shape; hand-written files may drop the block):
- leading `SET ...` statements are session settings (lock_timeout, statement_timeout);
  they are reset after the file;
- the statements between `BEGIN;` and `COMMIT;` (or, without such a block, every
  statement) run in one transaction together with the file's tracking row, so a failing
  statement leaves the database as it was and the migration unrecorded;
- statements after `COMMIT;` are online steps (CREATE INDEX CONCURRENTLY, VALIDATE
  CONSTRAINT) and run one by one outside a transaction; the tracking row is written only
  once the last of them succeeded. When an online step fails, the indexes the online
  steps were building are dropped (DROP INDEX CONCURRENTLY IF EXISTS) and the pair's other
  file (the rollback for `up`, the migration for `down`) undoes the committed part, so
  the database ends as it was; generated rollbacks drop indexes with IF EXISTS for this.
  If the runner itself dies during the online steps, the migration stays unrecorded while
  its transactional part is in place; the next `up` then stops on "already exists" and the
  operator runs the rollback file or finishes the online steps by hand.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from pglast import ast, parse_sql, split
from pglast.enums import TransactionStmtKind
from pglast.parser import ParseError

from schemactl.conninfo import AUTHORING_SESSION_SEARCH_PATH, mask
from schemactl.privilege import AdminStep, admin_step
from schemactl.errors import InputError, SchemactlError
from schemactl.validate.gate import require_contained

__all__ = ["Step", "Script", "MigrationFailed", "Record", "parse_script", "run_script", "server_message",
           "split_admin"]


class MigrationFailed(SchemactlError):
    """A migration or rollback file failed on the server; the message says what was undone."""


@dataclass(frozen=True)
class Step:
    """One statement of a migration file, with its line for error messages."""

    sql: str
    line: int
    node: object = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Script:
    """A migration file split into session settings, one transaction, and online steps."""

    path: Path
    settings: tuple[Step, ...]
    transactional: tuple[Step, ...]
    online: tuple[Step, ...]

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.settings + self.transactional + self.online

    def where(self, step: Step) -> str:
        return f"{self.path}:{step.line}"


def _kind_of(node: object) -> str:
    if isinstance(node, ast.TransactionStmt):
        if node.kind in (TransactionStmtKind.TRANS_STMT_BEGIN, TransactionStmtKind.TRANS_STMT_START):
            return "begin"
        if node.kind == TransactionStmtKind.TRANS_STMT_COMMIT:
            return "commit"
        return "other transaction control"
    if isinstance(node, ast.VariableSetStmt):
        return "set"
    return "statement"


def parse_script(path: Path) -> Script:
    """Split a migration file with the PostgreSQL parser (dollar quotes, comments, …)."""
    text = path.read_text(encoding="utf-8")
    try:
        slices = split(text, only_slices=True)
        nodes = [raw.stmt for raw in parse_sql(text)]
    except ParseError as exc:
        raise InputError(f"{path}: not valid SQL for the PostgreSQL parser: {exc}") from None
    settings: list[Step] = []
    inside: list[Step] = []
    online: list[Step] = []
    block = "none"  # none → open → closed
    for piece, node in zip(slices, nodes, strict=True):
        step = Step(sql=text[piece], line=text.count("\n", 0, piece.start) + 1, node=node)
        kind = _kind_of(node)
        if kind == "begin":
            if block != "none" or inside:
                raise InputError(f"{path}:{step.line}: only one BEGIN ... COMMIT block, before the online steps, "
                                 "is allowed in a migration")
            block = "open"
        elif kind == "commit":
            if block != "open":
                raise InputError(f"{path}:{step.line}: COMMIT without BEGIN")
            block = "closed"
        elif kind == "other transaction control":
            raise InputError(f"{path}:{step.line}: {step.sql.split()[0].upper()} is not allowed in a migration; "
                             "the runner manages the transaction")
        elif block == "open":
            inside.append(step)
        elif block == "closed":
            online.append(step)
        elif kind == "set" and not inside:
            settings.append(step)
        else:
            inside.append(step)
    if block == "open":
        raise InputError(f"{path}: BEGIN without COMMIT")
    # A migration may change data, never reach outside its database (COPY ... PROGRAM, DROP DATABASE).
    require_contained(path, ((step.line, step.node) for step in (*settings, *inside, *online)))
    return Script(path=path, settings=tuple(settings), transactional=tuple(inside), online=tuple(online))


Record = Callable[[psycopg.Connection], None]
Execute = Callable[[psycopg.Connection, Step], None]


def split_admin(script: Script) -> tuple[list[tuple[Step, AdminStep]], Script, list[tuple[Step, AdminStep]]]:
    """The role and database-privilege statements the tool wrote (to run before and after), and the rest."""
    before: list[tuple[Step, AdminStep]] = []
    after: list[tuple[Step, AdminStep]] = []
    rest: list[Step] = []
    for step in script.transactional:
        found = admin_step(step.sql)
        if found is None:
            rest.append(step)
        else:
            (after if found.after else before).append((step, found))
    return before, dataclasses.replace(script, transactional=tuple(rest)), after


def server_message(exc: psycopg.Error) -> str:
    """The server's message and detail on one line, any password masked."""
    diag = exc.diag
    text = diag.message_primary or str(exc)
    if diag.message_detail:
        text += f" ({diag.message_detail})"
    return mask(" ".join(text.split()))


def run_script(conn: psycopg.Connection, script: Script, *, record: Record | None = None,
               undo: Script | None = None, execute: Execute | None = None) -> None:
    """Run a file on an autocommit connection as the module docstring describes.

    record writes the tracking row, inside the file's transaction when it has no online
    steps, else after the last one. undo is the file that reverses this one. execute runs
    one statement (default: as it is).
    """
    name = script.path.name
    run: Execute = execute or (lambda c, step: c.execute(step.sql, prepare=False))
    try:
        # A file without its own search_path runs as written for a psql session; scripts this tool
        # writes set an empty one. RESET ALL below restores the tool's pinned one.
        conn.execute(AUTHORING_SESSION_SEARCH_PATH)
        for step in script.settings:
            try:
                conn.execute(step.sql, prepare=False)
            except psycopg.Error as exc:
                raise MigrationFailed(f"{script.where(step)}: {server_message(exc)}; nothing of {name} was applied") from None
        with conn.transaction():
            for step in script.transactional:
                try:
                    run(conn, step)
                except psycopg.Error as exc:
                    raise MigrationFailed(f"{script.where(step)}: {server_message(exc)}; the transaction was rolled "
                                          f"back: nothing of {name} was applied") from None
            if record is not None and not script.online:
                record(conn)
        for number, step in enumerate(script.online):
            try:
                run(conn, step)
            except psycopg.Error as exc:
                _undo_after_online_failure(conn, script, script.online[:number + 1], undo,
                                           f"{script.where(step)}: online step failed: {server_message(exc)}")
        if record is not None and script.online:
            with conn.transaction():
                record(conn)
    finally:
        # After an interrupted statement the session is not idle; it is closed anyway.
        if not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
            conn.execute("RESET ALL")


def _undo_after_online_failure(conn: psycopg.Connection, script: Script, attempted: tuple[Step, ...],
                               undo: Script | None, failure: str) -> None:
    from schemactl.apply import drop_indexes_built  # noqa: PLC0415

    try:
        drop_indexes_built(conn, (step.node for step in attempted))
    except psycopg.Error as exc:
        raise MigrationFailed(f"{failure}; dropping the index it built failed too ({server_message(exc)}): "
                              f"{script.path.name} is partly applied") from None
    if undo is None:
        raise MigrationFailed(f"{failure}; there is no file to undo its committed part: "
                              f"{script.path.name} is partly applied")
    try:
        run_script(conn, undo)
    except SchemactlError as exc:
        raise MigrationFailed(f"{failure}; undoing it with {undo.path.name} failed too ({exc}): "
                              f"{script.path.name} is partly applied") from None
    raise MigrationFailed(f"{failure}; {script.path.name} was undone with {undo.path.name}: "
                          "the database is as it was")


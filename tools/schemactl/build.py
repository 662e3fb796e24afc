"""Build stage: apply a parsed source, in dependency order, into an empty database."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

import psycopg
from psycopg import sql

from schemactl.conninfo import connect
from schemactl.errors import BuildError
from schemactl.load import Source, Statement, location
from schemactl.order import order_statements
from schemactl.roles import ROLE_STATEMENT_KINDS, Role, role_create_sql, roles_from_statements

__all__ = ["build_source", "ensure_roles", "executable_statements"]

Progress = Callable[[str], None]


def _is_role_comment(statement: Statement) -> bool:
    return statement.kind == "comment" and statement.requires == frozenset({"role:" + statement.name})


def executable_statements(statements: Iterable[Statement]) -> list[Statement]:
    """The statements a database build runs: all but the cluster-wide role ones, ordered."""
    kept = [s for s in statements if s.kind not in ROLE_STATEMENT_KINDS and not _is_role_comment(s)]
    return order_statements(kept)


def ensure_roles(conn: psycopg.Connection, roles: Mapping[str, Role] | Iterable[str], *,
                 align: bool = False) -> None:
    """Make sure each role exists on the server (roles are cluster-wide).

    A missing declared role is created as declared (attributes and comment); a bare name
    becomes a NOLOGIN role. With align, existing declared roles are also given the declared
    attributes and comment, so a database built here compares equal to schema/ as a live target.
    """
    declared = roles if isinstance(roles, Mapping) else {}
    for name in sorted(set(roles)):
        role = declared.get(name)
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        if exists and not (align and role is not None):
            continue
        try:
            with conn.transaction():
                if role is None:
                    conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))
                    continue
                conn.execute(role_create_sql(role))
                conn.execute(sql.SQL("COMMENT ON ROLE {} IS {}").format(
                    sql.Identifier(name), sql.Literal(role.comment)))
        except psycopg.errors.DuplicateObject:
            # Another build created it between our check and our CREATE.
            pass


def _server_error(exc: psycopg.Error, statement: Statement) -> BuildError:
    diag = exc.diag
    message = (diag.message_primary or str(exc)).strip()
    line, col = statement.line, statement.col
    position = int(diag.statement_position) if diag.statement_position else None
    if position is None:
        # No position (e.g. a foreign key to a missing table): point at the name it complains about.
        quoted = re.search(r'"([^"]+)"', message)
        if quoted:
            found = re.search(r"(?i)\b" + re.escape(quoted.group(1).split(".")[-1]) + r"\b", statement.sql)
            if found:
                position = found.start() + 1
    if position:
        # The server points into the statement text; translate to the file's line and column.
        offset = position - 1
        inner_line, inner_col = location(statement.sql, offset)
        line = statement.line + inner_line - 1
        col = inner_col if inner_line > 1 else statement.col + inner_col - 1
    detail = f" ({diag.message_detail})" if diag.message_detail else ""
    hint = f"; hint: {diag.message_hint}" if diag.message_hint else ""
    return BuildError(f"{message}{detail}{hint}", path=statement.path, line=line, col=col)


def build_source(source: Source, url: str, *, progress: Progress | None = None, align_roles: bool = False) -> None:
    """Create every object of source in the (empty) database at url, in one transaction.

    Declared roles missing from the cluster are created as declared; align_roles also sets
    the attributes and comments of existing ones (for tests that treat the build as live).
    """
    roles = roles_from_statements(source.statements)
    ordered = executable_statements(source.statements)
    with connect(url, autocommit=True) as conn:
        ensure_roles(conn, roles, align=align_roles)
        conn.autocommit = False
        with conn.transaction():
            # Like pg_dump: function bodies are checked when called, not when created,
            # so a SQL function may name a table created after it.
            conn.execute("SET LOCAL check_function_bodies = off")
            for number, statement in enumerate(ordered, 1):
                if progress and number % 50 == 0:
                    progress(f"built {number}/{len(ordered)} statements")
                try:
                    with conn.transaction():
                        conn.execute(statement.sql, prepare=False)
                except psycopg.Error as exc:
                    raise _server_error(exc, statement) from None

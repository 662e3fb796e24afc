"""Build stage: apply a parsed source, in dependency order, into an empty database."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

import psycopg
from psycopg import sql

from schemactl.conninfo import AUTHORING_SEARCH_PATH, connect
from schemactl.database_privileges import database_grant_sql, is_database_grant
from schemactl.errors import BuildError
from schemactl.load import Source, Statement, location
from schemactl.order import order_statements
from schemactl.roles import (
    ROLE_STATEMENT_KINDS,
    Role,
    role_comment_sql,
    role_create_sql,
    role_grant_sql,
    role_reset_sql,
    role_set_sql,
    roles_from_catalog,
    roles_from_statements,
)
from schemactl.validate.gate import require_declarative

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

    A missing declared role is created as declared (attributes, settings, memberships,
    comment); a bare name becomes a NOLOGIN role. With align, existing declared roles are also
    given the declared attributes, settings and comment, and lose undeclared settings, so a
    database built here compares equal to schema/ as a live target.
    """
    declared = roles if isinstance(roles, Mapping) else {}
    names = sorted(set(roles))
    existing = roles_from_catalog(conn, names)
    todo: list[Role] = []
    for name in names:
        role = declared.get(name)
        if name in existing and not (align and role is not None):
            continue
        if role is None:
            try:
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))
            except psycopg.errors.DuplicateObject:
                pass  # another build created it between our check and our CREATE
            continue
        todo.append(role)
    # Every role first, then what refers to other roles (memberships).
    for role in todo:
        stale = set(existing[role.name].setting_map) - set(role.setting_map) if role.name in existing else set()
        for attempt in (1, 2):
            try:
                with conn.transaction():
                    conn.execute(role_create_sql(role))
                    for key, value in role.settings:
                        conn.execute(role_set_sql(role.name, key, value))
                    for key in sorted(stale):
                        conn.execute(role_reset_sql(role.name, key))
                    conn.execute(role_comment_sql(role.name, role.comment))
                break
            except (psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
                if attempt == 2:
                    raise  # a concurrent build created it between our check and our CREATE; once is enough
    for role in todo:
        for group in sorted(role.member_of):
            conn.execute(role_grant_sql(group, role.name))


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
    # Nothing that validate rejects (COPY ... PROGRAM, DROP DATABASE, SET, data changes) runs.
    require_declarative(source)
    roles = roles_from_statements(source.statements)
    ordered = executable_statements(source.statements)
    with connect(url, autocommit=True) as conn:
        ensure_roles(conn, roles, align=align_roles)
        conn.autocommit = False
        with conn.transaction():
            # Like pg_dump: function bodies are checked when called, not when created,
            # so a SQL function may name a table created after it.
            conn.execute("SET LOCAL check_function_bodies = off")
            # schema/ is written as for a psql session: unqualified names are created in and found in
            # public. Only for the statements of the source; the tool's own queries stay pinned.
            conn.execute(AUTHORING_SEARCH_PATH)
            current = conn.execute("SELECT current_database()").fetchone()[0]
            for number, statement in enumerate(ordered, 1):
                if progress and number % 50 == 0:
                    progress(f"built {number}/{len(ordered)} statements")
                try:
                    with conn.transaction():
                        if is_database_grant(statement.node):
                            # schema/ names the configured database; here it means the one being built.
                            conn.execute(database_grant_sql(statement.node, sql.Identifier(current)))
                        else:
                            conn.execute(statement.sql, prepare=False)
                except psycopg.Error as exc:
                    raise _server_error(exc, statement) from None

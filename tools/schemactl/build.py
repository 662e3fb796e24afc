"""Build stage: apply a parsed source, in dependency order, into an empty database."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping

import psycopg
from pglast import ast, parse_sql, split
from pglast.enums import AlterTableType, ObjectType
from psycopg import sql

from schemactl.conninfo import AUTHORING_SEARCH_PATH, connect, with_dbname
from schemactl.database_privileges import database_grant_sql, is_database_grant
from schemactl.errors import BuildError, InputError
from schemactl.load import Source, Statement, location
from schemactl.order import order_statements
from schemactl.roles import (
    ROLE_STATEMENT_KINDS,
    Role,
    refuse_dangerous_statement,
    role_comment_sql,
    role_create_sql,
    role_grant_sql,
    role_reset_sql,
    role_set_sql,
    roles_from_catalog,
    roles_from_statements,
    superuser_roles,
)
from schemactl.project import EXTENSIONS_KEY, configured_extensions
from schemactl.validate.gate import require_declarative

__all__ = ["build_source", "ensure_roles", "executable_statements", "refuse_elevated", "extension_sql",
           "execute_as_author", "execute_script_as_author"]

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


def _new_owners(node: ast.Node) -> tuple[list[str], bool]:
    """The roles an ALTER ... OWNER TO gives objects to, and whether one of them is a schema."""
    if isinstance(node, ast.AlterOwnerStmt) and node.newowner is not None and node.newowner.rolename:
        return [node.newowner.rolename], node.objectType == ObjectType.OBJECT_SCHEMA
    if isinstance(node, ast.AlterTableStmt):
        return [c.newowner.rolename for c in node.cmds or () if c.subtype == AlterTableType.AT_ChangeOwner
                and c.newowner is not None and c.newowner.rolename], False
    return [], False


_LACKING_CREATE = """
SELECT n.nspname FROM pg_catalog.pg_namespace n
WHERE pg_catalog.pg_has_role(current_user, n.nspowner, 'USAGE')
  AND NOT pg_catalog.has_schema_privilege(%(role)s, n.oid, 'CREATE')
  AND n.nspname OPERATOR(pg_catalog.!~) '^pg_' AND n.nspname OPERATOR(pg_catalog.<>) 'information_schema'
"""


@contextlib.contextmanager
def _new_owners_may_create(conn: psycopg.Connection, node: ast.Node) -> Iterator[None]:
    """Around an owner change run without superuser rights: the new owner gets CREATE on the schemas
    (on the database, for a schema) it lacks it on, as long as the statement runs, and loses it after.

    The server asks that of a new owner unless a superuser changes it; a schema's author who applies
    it as a superuser never sees that, and the build must not fail where the deployment succeeds.
    """
    owners, schema = _new_owners(node)
    roles = {r[0] for r in conn.execute("SELECT rolname FROM pg_catalog.pg_roles "
                                        "WHERE rolname OPERATOR(pg_catalog.=) ANY(%s)",
                                        (owners,))} if owners else set()
    granted: list[sql.Composed] = []
    for role in sorted(roles):
        target = sql.Identifier(role)
        # A schema's new owner needs CREATE on the database; other objects' on their schemas.
        for (name,) in [] if schema else conn.execute(_LACKING_CREATE, {"role": role}).fetchall():
            conn.execute(sql.SQL("GRANT CREATE ON SCHEMA {} TO {}").format(sql.Identifier(name), target))
            granted.append(sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(sql.Identifier(name), target))
        lacks_database = conn.execute("SELECT NOT pg_catalog.has_database_privilege(%s, "
                                      "pg_catalog.current_database(), 'CREATE')",
                                      (role,)).fetchone()[0]
        if schema and lacks_database:
            conn.execute(sql.SQL("GRANT CREATE ON DATABASE {} TO {}").format(
                sql.Identifier(conn.info.dbname), target))
            granted.append(sql.SQL("REVOKE CREATE ON DATABASE {} FROM {}").format(
                sql.Identifier(conn.info.dbname), target))
    yield
    for statement in granted:
        conn.execute(statement)


def execute_as_author(conn: psycopg.Connection, statement: str | sql.Composable, node: ast.Node | None = None,
                      *, unprivileged: bool = True) -> None:
    """Run one statement of a schema's author; unprivileged, an owner change is made possible as it is
    for a superuser (see _new_owners_may_create). node: the parsed statement, when known."""
    if not unprivileged or (node is None and (not isinstance(statement, str) or "OWNER TO" not in statement.upper())):
        conn.execute(statement, prepare=False)
        return
    nodes = [node] if node is not None else [raw.stmt for raw in parse_sql(statement)]
    if not any(_new_owners(n)[0] for n in nodes):
        conn.execute(statement, prepare=False)
        return
    with contextlib.ExitStack() as stack:
        for each in nodes:
            stack.enter_context(_new_owners_may_create(conn, each))
        conn.execute(statement, prepare=False)


def execute_script_as_author(conn: psycopg.Connection, text: str) -> None:
    """Run SQL text (several statements) as execute_as_author does, statement by statement."""
    nodes = [raw.stmt for raw in parse_sql(text)]
    for piece, node in zip(split(text, only_slices=True), nodes, strict=True):
        execute_as_author(conn, text[piece], node)


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


def refuse_elevated(statements: Iterable[Statement], allowed_extensions: frozenset[str],
                    superusers: Iterable[str] = ()) -> None:
    """Refuse what the tool would perform with admin rights beyond what a schema may ask: a role that is
    SUPERUSER or REPLICATION or joins a role reaching the server's files and programs (or a superuser),
    and an extension not on the allow-list."""
    for statement in statements:
        refuse_dangerous_statement(statement.node, statement.where, superusers)
        if isinstance(statement.node, ast.CreateExtensionStmt) and statement.node.extname not in allowed_extensions:
            raise InputError(f"{statement.where}: extension {statement.node.extname} is not on the allow-list "
                             f"({EXTENSIONS_KEY}: {', '.join(sorted(allowed_extensions))}); add it there if the "
                             "project really needs it")


def extension_sql(node: ast.CreateExtensionStmt) -> sql.Composed:
    """CREATE EXTENSION rendered from the statement's name, schema and version only."""
    parts = [sql.SQL("CREATE EXTENSION"), sql.SQL("IF NOT EXISTS") if node.if_not_exists else sql.SQL(""),
             sql.Identifier(node.extname)]
    for option in node.options or ():
        if option.defname == "schema":
            parts.append(sql.SQL("WITH SCHEMA {}").format(sql.Identifier(option.arg.sval)))
        elif option.defname == "new_version":
            parts.append(sql.SQL("VERSION {}").format(sql.Literal(option.arg.sval)))
    return sql.SQL(" ").join(p for p in parts if p != sql.SQL(""))


def _trusted(conn: psycopg.Connection, name: str) -> bool:
    row = conn.execute("SELECT coalesce(pg_catalog.bool_or(trusted), false) "
                       "FROM pg_catalog.pg_available_extension_versions WHERE name OPERATOR(pg_catalog.=) %s",
                       (name,)).fetchone()
    return bool(row and row[0])


def build_source(source: Source, url: str, *, progress: Progress | None = None, align_roles: bool = False,
                 admin_url: str | None = None, extensions: frozenset[str] | None = None) -> None:
    """Create every object of source in the (empty) database at url, in one transaction.

    Declared roles missing from the cluster are created as declared; align_roles also sets
    the attributes and comments of existing ones (for tests that treat the build as live).
    With admin_url (the server's administrator; url then logs in as the unprivileged builder),
    roles and extensions that are not trusted are created through it, from the parsed statements,
    and the statements themselves run as url's user. extensions: the allow-list (default: the
    project's).
    """
    # Nothing that validate rejects (COPY ... PROGRAM, DROP DATABASE, SET, data changes) runs.
    require_declarative(source)
    allowed = extensions if extensions is not None else configured_extensions(source.root)
    roles = roles_from_statements(source.statements)
    ordered = executable_statements(source.statements)
    if admin_url is not None:
        from schemactl.devserver import grant_builder  # noqa: PLC0415

        with connect(admin_url, autocommit=True) as admin:
            refuse_elevated(source.statements, allowed, superuser_roles(admin))
            ensure_roles(admin, roles, align=align_roles)
        grant_builder(admin_url, list(roles))
    with connect(url, autocommit=True) as conn:
        if admin_url is None:
            refuse_elevated(source.statements, allowed, superuser_roles(conn))
            ensure_roles(conn, roles, align=align_roles)
        # Like pg_dump: function bodies are checked when called, not when created,
        # so a SQL function may name a table created after it.
        conn.execute("SET check_function_bodies = off")
        current = conn.execute("SELECT pg_catalog.current_database()").fetchone()[0]
        # Extensions only an administrator may create split the build: what comes before one is
        # committed, so the administrator's session sees the schema the extension goes to.
        by_admin = [i for i, each in enumerate(ordered) if admin_url is not None
                    and isinstance(each.node, ast.CreateExtensionStmt) and not _trusted(conn, each.node.extname)]
        begin = 0
        for stop in [*by_admin, len(ordered)]:
            with conn.transaction():
                # schema/ is written as for a psql session: unqualified names are created in and found in
                # public. Only for the statements of the source; the tool's own queries stay pinned.
                conn.execute(AUTHORING_SEARCH_PATH)
                for number, statement in enumerate(ordered[begin:stop], begin + 1):
                    if progress and number % 50 == 0:
                        progress(f"built {number}/{len(ordered)} statements")
                    _build_one(conn, statement, current, unprivileged=admin_url is not None)
            if stop < len(ordered):
                assert admin_url is not None
                try:
                    with connect(with_dbname(admin_url, current), autocommit=True) as admin:
                        admin.execute(extension_sql(ordered[stop].node))
                except psycopg.Error as exc:
                    raise _server_error(exc, ordered[stop]) from None
            begin = stop + 1


def _build_one(conn: psycopg.Connection, statement: Statement, database: str, *, unprivileged: bool) -> None:
    """Run one statement of a build in its own savepoint; a server error names its file and line."""
    node = statement.node
    try:
        with conn.transaction():
            if is_database_grant(node):
                # schema/ names the configured database; here it means the one being built.
                conn.execute(database_grant_sql(node, sql.Identifier(database)))
            elif isinstance(node, ast.CreateExtensionStmt):
                conn.execute(extension_sql(node))
            else:
                execute_as_author(conn, statement.sql, node, unprivileged=unprivileged)
    except psycopg.Error as exc:
        raise _server_error(exc, statement) from None

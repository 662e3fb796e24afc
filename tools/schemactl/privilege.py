"""Who runs what on a target: SQL that others wrote runs with the deploy role's rights, never a superuser's.

Connected as a superuser, `migrate` and `apply` run a migration's (or a plan's) statements in a second
session logged in as the deploy role (`[tool.schemactl] deploy-role`). `SET ROLE` in the superuser's own
session would not do: the statements could `RESET ROLE` (a DO block can), and what PostgreSQL runs at
COMMIT (deferred triggers, WITH HOLD cursors) runs as the session's user.

What needs more than the deploy role has, the tool does itself in the superuser's session, and only in
the forms it writes: role statements (create, attributes, settings, memberships, comments, drops) and
privileges on the database itself. A statement counts as one of those only when its text is exactly what
the tool writes for the statement parsed out of it (regenerated and compared), and only when it gives no
one superuser rights: no SUPERUSER, REPLICATION or CREATEROLE role, no membership in a superuser role or
in pg_execute_server_program, pg_read_server_files or pg_write_server_files, no role setting that only a
superuser may set. Anything else runs as the deploy role.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import psycopg
from pglast import ast, parse_sql
from pglast.enums import ObjectType
from pglast.parser import ParseError
from psycopg import sql

from schemactl.conninfo import connect, mask, with_user
from schemactl.database_privileges import current_database_sql, is_database_grant
from schemactl.errors import ConnectionFailed, InputError, Refused
from schemactl.project import _pyproject_above, project_config
from schemactl.build import ensure_roles
from schemactl.roles import (
    Role,
    _Bare,
    conditional_statement_sql,
    refuse_dangerous_role,
    refuse_dangerous_statement,
    role_create_sql,
    role_drop_sql,
    roles_from_statements,
    superuser_roles,
)

__all__ = ["AdminStep", "admin_step", "adopt_tracking", "configured_deploy_role", "Deployer", "deployer",
           "prepare_roles", "run_admin_step", "DEPLOY_ROLE_KEY", "DANGEROUS_ROLES"]

Progress = Callable[[str], None]

DEPLOY_ROLE_KEY = "[tool.schemactl] deploy-role"
DANGEROUS_ROLES = frozenset({"pg_execute_server_program", "pg_read_server_files", "pg_write_server_files"})
_REFUSED_ATTRIBUTES = ("superuser", "replication", "createrole")


def configured_deploy_role(start: Path | str) -> str | None:
    """The deploy role of the project whose schema or history is at start (None when not configured).

    Only the pyproject.toml at or above start counts (not the working directory's): the role belongs
    to the project whose SQL runs.
    """
    path = _pyproject_above(Path(start))
    if path is None:
        return None
    value = project_config(path.parent).get("deploy-role")
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise InputError(f"{DEPLOY_ROLE_KEY} must be a role name, not {value!r}")
    return value


@dataclass(frozen=True)
class AdminStep:
    """A role or database-privilege statement the tool wrote, to run in the superuser's session.

    after: removals (DROP ROLE, REVOKE membership) run after the deploy role's transaction, when
    nothing of the database still needs the role.
    """

    sql: str
    nodes: tuple[ast.Node, ...]
    after: bool


_EXECUTE = re.compile(r"EXECUTE '((?:[^']|'')*)'")
_EXECUTE_FORMAT = re.compile(r"EXECUTE format\('((?:[^']|'')*)', current_database\(\)\)")


def _normal(text: str) -> str:
    return " ".join(text.strip().rstrip(";").split())


def _parsed(text: str) -> list[ast.Node] | None:
    try:
        return [raw.stmt for raw in parse_sql(text)]
    except ParseError:
        return None


def _role_candidates(node: ast.Node) -> list[str]:
    found = []
    conditional = conditional_statement_sql(node)
    if conditional is not None:
        found.append(conditional.as_string(None))
    if isinstance(node, ast.CreateRoleStmt):
        role = roles_from_statements([_Bare(node)])[node.role]
        found.append(role_create_sql(role).as_string(None))
    if isinstance(node, ast.DropRoleStmt) and len(node.roles or ()) == 1:
        found.append(role_drop_sql(node.roles[0].rolename).as_string(None))
    return found


def admin_step(text: str) -> AdminStep | None:
    """The statement as an AdminStep when it is exactly a role or database-privilege statement the tool writes."""
    nodes = _parsed(text)
    if nodes is None or len(nodes) != 1:
        return None
    node = nodes[0]
    if isinstance(node, (ast.CreateRoleStmt, ast.AlterRoleStmt, ast.AlterRoleSetStmt, ast.GrantRoleStmt,
                         ast.DropRoleStmt)) or (isinstance(node, ast.CommentStmt)
                                                and node.objtype == ObjectType.OBJECT_ROLE):
        inner = [node]
    elif isinstance(node, ast.DoStmt):
        formats = [t.replace("''", "'") for t in _EXECUTE_FORMAT.findall(text)]
        if formats:
            if len(formats) != 1:
                return None
            parsed = _parsed(formats[0].replace("%I", "schemactl_current_database").replace("%%", "%"))
            if not parsed or len(parsed) != 1 or not is_database_grant(parsed[0]):
                return None
            if _normal(current_database_sql(parsed[0]).as_string(None)) != _normal(text):
                return None
            return AdminStep(sql=current_database_sql(parsed[0]).as_string(None), nodes=(parsed[0],), after=False)
        inner = []
        for literal in _EXECUTE.findall(text):
            parsed = _parsed(literal.replace("''", "'"))
            if not parsed or len(parsed) != 1:
                return None
            inner.append(parsed[0])
        if not inner:
            return None
    else:
        return None
    for candidate_node in inner:
        for candidate in _role_candidates(candidate_node):
            if _normal(candidate) == _normal(text):
                after = isinstance(candidate_node, ast.DropRoleStmt) or (
                    isinstance(candidate_node, ast.GrantRoleStmt) and not candidate_node.is_grant)
                return AdminStep(sql=candidate, nodes=tuple(inner), after=after)
    return None


def _refusal(conn: psycopg.Connection, node: ast.Node) -> str | None:
    """Why running node with a superuser's rights would give someone more than the deploy role has."""
    if isinstance(node, (ast.CreateRoleStmt, ast.AlterRoleStmt)):
        name = node.role if isinstance(node, ast.CreateRoleStmt) else node.role.rolename
        for option in node.options or ():
            attribute = {"isreplication": "replication"}.get(option.defname, option.defname)
            value = option.arg.boolval if isinstance(option.arg, ast.Boolean) else option.arg
            if attribute in _REFUSED_ATTRIBUTES and value:
                return f"role {name} would be {attribute.upper()}"
            if option.defname == "addroleto":
                for group in option.arg:
                    reason = _group_refusal(conn, group.rolename, name)
                    if reason:
                        return reason
    if isinstance(node, ast.GrantRoleStmt) and node.is_grant:
        for granted in node.granted_roles or ():
            for grantee in node.grantee_roles or ():
                reason = _group_refusal(conn, granted.priv_name, grantee.rolename)
                if reason:
                    return reason
    if isinstance(node, ast.AlterRoleSetStmt) and node.setstmt is not None and node.setstmt.name:
        row = conn.execute("SELECT context FROM pg_settings WHERE name = lower(%s)", (node.setstmt.name,)).fetchone()
        if row is not None and row[0] != "user":
            return f"setting {node.setstmt.name} of role {node.role.rolename} may be set only by a superuser"
    return None


def _group_refusal(conn: psycopg.Connection, group: str, member: str) -> str | None:
    if group in DANGEROUS_ROLES:
        return f"role {member} would become a member of {group}"
    row = conn.execute(
        "SELECT r.rolsuper OR r.rolcreaterole OR r.rolreplication "
        "OR pg_has_role(r.oid, 'pg_execute_server_program', 'MEMBER') "
        "OR pg_has_role(r.oid, 'pg_read_server_files', 'MEMBER') "
        "OR pg_has_role(r.oid, 'pg_write_server_files', 'MEMBER') FROM pg_roles r WHERE r.rolname = %s",
        (group,)).fetchone()
    if row is not None and row[0]:
        return f"role {member} would become a member of {group}, which has superuser-level rights"
    return None


def prepare_roles(conn: psycopg.Connection, roles: Mapping[str, Role]) -> None:
    """Create the declared roles the cluster lacks (checked as role statements are), before the deploy role's work."""
    superusers = superuser_roles(conn)
    for role in roles.values():
        refuse_dangerous_role(role, f"role {role.name}", superusers)
        if role.attrs.get("createrole"):
            raise Refused(f"role {role.name} would be CREATEROLE; the tool creates roles with an administrator's "
                          "rights only when they give no one superuser-level rights")
        for group in role.member_of:
            reason = _group_refusal(conn, group, role.name)
            if reason:
                raise Refused(reason)
    ensure_roles(conn, roles)


def run_admin_step(conn: psycopg.Connection, step: AdminStep, where: str) -> None:
    """Run a recognized step in the superuser's session, after the policy check; refused otherwise."""
    superusers = superuser_roles(conn)
    for node in step.nodes:
        refuse_dangerous_statement(node, where, superusers)
        reason = _refusal(conn, node)
        if reason:
            raise Refused(f"{where}: {reason}; the tool runs role statements with an administrator's rights only "
                          "when they give no one superuser-level rights")
    conn.execute(step.sql, prepare=False)


@dataclass(frozen=True)
class Deployer:
    """Where a run executes others' SQL: the target's own session, or the deploy role's."""

    target: str
    role: str | None  # the deploy role when the target's user is a superuser; None: the target's user
    note: str = ""

    @property
    def switching(self) -> bool:
        return self.role is not None

    def url(self) -> str:
        """The URL of the deploy role's session (the target itself when not switching)."""
        if self.role is None:
            return self.target
        url = with_user(self.target, self.role)
        password = os.environ.get("SCHEMACTL_DEPLOY_PASSWORD")
        if password:
            from urllib.parse import quote  # noqa: PLC0415

            head, _, rest = url.partition("://")
            user, _, host = rest.partition("@")
            url = f"{head}://{user}:{quote(password, safe='')}@{host}"
        return url

    @contextlib.contextmanager
    def session(self) -> Iterator[psycopg.Connection]:
        """An autocommit session of whoever runs others' SQL; a clear error when the deploy role cannot log in."""
        try:
            conn = connect(self.url(), autocommit=True)
        except ConnectionFailed as exc:
            if self.role is None:
                raise
            raise ConnectionFailed(
                f"{mask(self.target)} is reached as a superuser, so the statements run as the deploy role "
                f"{self.role} ({DEPLOY_ROLE_KEY}), which could not log in: {exc}. Connect as {self.role} "
                "(DATABASE_URL / --target), or give its password in SCHEMACTL_DEPLOY_PASSWORD or ~/.pgpass") from None
        with conn:
            yield conn

    def check_ready(self, admin: psycopg.Connection) -> None:
        """Refuse, before the lock is taken in its session, a deploy role that is missing, a superuser or NOLOGIN."""
        if self.role is None:
            return
        row = admin.execute("SELECT r.rolcanlogin, r.rolsuper FROM pg_roles r WHERE r.rolname = %s",
                            (self.role,)).fetchone()
        if row is None:
            raise InputError(
                f"{mask(self.target)} is reached as a superuser, so the statements run as the deploy role "
                f"{self.role} ({DEPLOY_ROLE_KEY}), which does not exist on this server: create it first "
                "(the first migration, run by an administrator, declares it), or connect as the role that deploys")
        can_login, superuser = row
        if superuser:
            raise Refused(f"the deploy role {self.role} is a superuser: give it only what deploying needs")
        if not can_login:
            raise InputError(f"the deploy role {self.role} ({DEPLOY_ROLE_KEY}) cannot log in (NOLOGIN)")

    def check_can_deploy(self, admin: psycopg.Connection) -> None:
        """Refuse, before anything runs as the deploy role, a database it may not create objects in."""
        if self.role is None:
            return
        can_create, owner, database = admin.execute(
            "SELECT has_database_privilege(%s, current_database(), 'CREATE'), pg_get_userbyid(d.datdba), "
            "current_database() FROM pg_database d WHERE d.datname = current_database()", (self.role,)).fetchone()
        if not can_create:
            raise InputError(
                f"the deploy role {self.role} may not create objects in database {database} (owned by {owner}): "
                f"make the database's owner a role {self.role} acts as (ALTER DATABASE "
                f"{sql.Identifier(database).as_string(admin)} OWNER TO <owner role>), as a deployment does")


def deployer(target: str, conn: psycopg.Connection, role: str | None, progress: Progress) -> Deployer:
    """Who runs others' SQL on target (conn: a session of target's user)."""
    superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = session_user").fetchone()[0]
    if not superuser:
        return Deployer(target=target, role=None)
    if role is None:
        progress(f"{mask(target)} is reached as a superuser and no {DEPLOY_ROLE_KEY} is configured: the "
                 "statements run with superuser rights")
        return Deployer(target=target, role=None)
    return Deployer(target=target, role=role)


def adopt_tracking(admin: psycopg.Connection, role: str) -> None:
    """Give the tracking schema and table to the deploy role, whose session takes the schema lock and writes
    the rows. Done before the lock is taken (an owner change waits for the lock's holder); it gives up after
    a few seconds rather than queue in front of another run's writes."""
    from schemactl.schemalock import TRACKING_RELATION, TRACKING_SCHEMA  # noqa: PLC0415

    row = admin.execute("SELECT pg_get_userbyid(n.nspowner), (SELECT pg_get_userbyid(c.relowner) FROM pg_class c "
                        "WHERE c.relnamespace = n.oid AND c.relname = 'schema_migrations') FROM pg_namespace n "
                        "WHERE n.nspname = %s", (TRACKING_SCHEMA,)).fetchone()
    if row is None or row == (role, role) or (row[0] == role and row[1] is None):
        return
    try:
        with admin.transaction():
            admin.execute("SET LOCAL lock_timeout = '5s'")
            admin.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(sql.Identifier(TRACKING_SCHEMA),
                                                                        sql.Identifier(role)))
            if row[1] is not None:
                admin.execute(sql.SQL("ALTER TABLE {} OWNER TO {}").format(TRACKING_RELATION, sql.Identifier(role)))
    except psycopg.errors.LockNotAvailable:
        raise InputError(f"the tracking table belongs to {row[1]} and another run holds it: run again when it is "
                         f"done, so it can be given to the deploy role {role}") from None

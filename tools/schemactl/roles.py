"""Roles are cluster-wide: their desired state is read from the AST, never from the dev server.

Two scratch builds on one dev server share its roles, so the server's catalog cannot say
which attributes a schema declares. The model here is built from CREATE ROLE / ALTER ROLE /
GRANT role / COMMENT ON ROLE statements for a SQL source, and from pg_roles for a live one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import psycopg
from pglast import ast
from pglast.enums import ObjectType, RoleStmtType
from psycopg import sql

from schemactl.load import Statement

__all__ = ["Role", "roles_from_statements", "roles_from_catalog", "role_create_sql", "role_alter_sql",
           "role_drop_sql", "ATTRIBUTE_DEFAULTS", "ROLE_STATEMENT_KINDS"]

# Statement kinds the build leaves to this module (they act on the whole cluster).
ROLE_STATEMENT_KINDS = frozenset({"role", "alter_role", "grant_role"})

ATTRIBUTE_DEFAULTS: dict[str, object] = {
    "superuser": False,
    "createdb": False,
    "createrole": False,
    "inherit": True,
    "login": False,
    "replication": False,
    "bypassrls": False,
    "connection_limit": -1,
}

_OPTION_TO_ATTRIBUTE = {
    "superuser": "superuser",
    "createdb": "createdb",
    "createrole": "createrole",
    "inherit": "inherit",
    "canlogin": "login",
    "isreplication": "replication",
    "bypassrls": "bypassrls",
    "connectionlimit": "connection_limit",
}

_KEYWORDS = {
    "superuser": ("SUPERUSER", "NOSUPERUSER"),
    "createdb": ("CREATEDB", "NOCREATEDB"),
    "createrole": ("CREATEROLE", "NOCREATEROLE"),
    "inherit": ("INHERIT", "NOINHERIT"),
    "login": ("LOGIN", "NOLOGIN"),
    "replication": ("REPLICATION", "NOREPLICATION"),
    "bypassrls": ("BYPASSRLS", "NOBYPASSRLS"),
}


@dataclass(frozen=True)
class Role:
    """A role's attributes, memberships and comment, comparable across sources."""

    name: str
    attributes: tuple[tuple[str, object], ...]
    member_of: frozenset[str] = frozenset()
    comment: str | None = None

    @property
    def attrs(self) -> dict[str, object]:
        return dict(self.attributes)


def _attrs(values: dict[str, object]) -> tuple[tuple[str, object], ...]:
    return tuple(sorted(values.items()))


def _option_value(option: ast.DefElem) -> object:
    arg = option.arg
    if isinstance(arg, ast.Boolean):
        return bool(arg.boolval)
    if isinstance(arg, ast.Integer):
        return int(arg.ival)
    if isinstance(arg, ast.String):
        return arg.sval
    return arg


@dataclass
class _Draft:
    attributes: dict[str, object] = field(default_factory=lambda: dict(ATTRIBUTE_DEFAULTS))
    member_of: set[str] = field(default_factory=set)
    comment: str | None = None


def roles_from_statements(statements: Iterable[Statement]) -> dict[str, Role]:
    """The declared roles of a SQL source."""
    drafts: dict[str, _Draft] = {}
    later: list[ast.Node] = []
    for statement in statements:
        node = statement.node
        if isinstance(node, ast.CreateRoleStmt):
            draft = drafts.setdefault(node.role, _Draft())
            if node.stmt_type == RoleStmtType.ROLESTMT_USER:
                draft.attributes["login"] = True
            for option in node.options or ():
                if option.defname in _OPTION_TO_ATTRIBUTE:
                    draft.attributes[_OPTION_TO_ATTRIBUTE[option.defname]] = _option_value(option)
                elif option.defname == "addroleto":
                    draft.member_of.update(r.rolename for r in option.arg)
                elif option.defname in ("rolemembers", "adminmembers"):
                    later.append(ast.GrantRoleStmt(
                        granted_roles=(ast.AccessPriv(priv_name=node.role),),
                        grantee_roles=option.arg, is_grant=True))
        else:
            later.append(node)
    for node in later:
        if isinstance(node, ast.AlterRoleStmt) and node.role.rolename in drafts:
            draft = drafts[node.role.rolename]
            for option in node.options or ():
                if option.defname in _OPTION_TO_ATTRIBUTE:
                    draft.attributes[_OPTION_TO_ATTRIBUTE[option.defname]] = _option_value(option)
        elif isinstance(node, ast.GrantRoleStmt):
            for grantee in node.grantee_roles or ():
                if grantee.rolename in drafts:
                    for granted in node.granted_roles or ():
                        if node.is_grant:
                            drafts[grantee.rolename].member_of.add(granted.priv_name)
                        else:
                            drafts[grantee.rolename].member_of.discard(granted.priv_name)
        elif isinstance(node, ast.CommentStmt) and node.objtype == ObjectType.OBJECT_ROLE:
            if node.object.sval in drafts:
                drafts[node.object.sval].comment = node.comment
    return {
        name: Role(name=name, attributes=_attrs(d.attributes), member_of=frozenset(d.member_of), comment=d.comment)
        for name, d in sorted(drafts.items())
    }


_CATALOG_ROLES = """
SELECT r.rolname, r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolinherit, r.rolcanlogin,
       r.rolreplication, r.rolbypassrls, r.rolconnlimit,
       coalesce(array(SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                      WHERE m.member = r.oid ORDER BY 1), '{}') AS member_of,
       shobj_description(r.oid, 'pg_authid') AS comment
FROM pg_roles r
WHERE r.rolname = ANY(%(names)s)
"""


def roles_from_catalog(conn: psycopg.Connection, names: Iterable[str]) -> dict[str, Role]:
    """The current state of the named roles on a live server (absent roles are left out)."""
    rows = conn.execute(_CATALOG_ROLES, {"names": sorted(set(names))}).fetchall()
    result: dict[str, Role] = {}
    for row in rows:
        (name, superuser, createdb, createrole, inherit, login, replication, bypassrls, connlimit,
         member_of, comment) = row
        attributes = {
            "superuser": superuser, "createdb": createdb, "createrole": createrole, "inherit": inherit,
            "login": login, "replication": replication, "bypassrls": bypassrls, "connection_limit": connlimit,
        }
        result[name] = Role(name=name, attributes=_attrs(attributes), member_of=frozenset(member_of),
                            comment=comment)
    return result


def _attribute_sql(attributes: dict[str, object]) -> list[sql.Composable]:
    parts: list[sql.Composable] = []
    for key, (yes, no) in _KEYWORDS.items():
        if key in attributes:
            parts.append(sql.SQL(yes if attributes[key] else no))
    if "connection_limit" in attributes:
        parts.append(sql.SQL("CONNECTION LIMIT " + str(int(attributes["connection_limit"]))))
    return parts


def role_create_sql(role: Role) -> sql.Composed:
    """Create the role unless the cluster already has it, then set every declared attribute.

    Roles are cluster-wide: another database of the same cluster may have created it.
    """
    return sql.SQL(
        "DO $role$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {name}) "
        "THEN CREATE ROLE {role}; END IF; END $role$;\n{alter}"
    ).format(name=sql.Literal(role.name), role=sql.Identifier(role.name),
             alter=role_alter_sql(role.name, role.attrs))


def role_drop_sql(name: str) -> sql.Composed:
    """Drop the role unless objects of another database of the cluster still depend on it."""
    return sql.SQL(
        "DO $role$ BEGIN IF NOT EXISTS (SELECT FROM pg_shdepend d JOIN pg_roles r ON r.oid = d.refobjid "
        "WHERE r.rolname = {name} AND d.dbid <> (SELECT oid FROM pg_database WHERE datname = current_database())) "
        "THEN DROP ROLE IF EXISTS {role}; "
        "ELSE RAISE NOTICE 'role % is kept: other databases of this cluster still use it', {name}; "
        "END IF; END $role$"
    ).format(name=sql.Literal(name), role=sql.Identifier(name))


def role_alter_sql(name: str, attributes: dict[str, object]) -> sql.Composed:
    return sql.SQL("ALTER ROLE {} WITH {}").format(
        sql.Identifier(name), sql.SQL(" ").join(_attribute_sql(attributes)))


def without_comment(role: Role) -> Role:
    return replace(role, comment=None)

"""GRANT/REVOKE ... ON DATABASE: schema/ names the configured database; SQL acts on the current one.

The database name differs per environment, so schema/ spells it as `[tool.schemactl] database`
(validate rejects any other name), the build runs the statement against its scratch database,
and every statement the tool emits names `current_database()` at run time, never a name.
"""

from __future__ import annotations

from pglast import ast
from pglast.enums import DropBehavior, ObjectType, RoleSpecType
from psycopg import sql

from schemactl.roles import dollar_block

__all__ = ["is_database_grant", "database_names", "database_grant_sql", "current_database_sql",
           "current_database_entry_sql"]


def is_database_grant(node: object) -> bool:
    """True for GRANT/REVOKE ... ON DATABASE."""
    return isinstance(node, ast.GrantStmt) and node.objtype == ObjectType.OBJECT_DATABASE


def database_names(node: ast.GrantStmt) -> list[str]:
    return [o.sval for o in node.objects or ()]


def _grantee(spec: ast.RoleSpec) -> sql.Composable:
    if spec.roletype == RoleSpecType.ROLESPEC_PUBLIC:
        return sql.SQL("PUBLIC")
    if spec.roletype == RoleSpecType.ROLESPEC_CSTRING:
        return sql.Identifier(spec.rolename)
    return sql.SQL({RoleSpecType.ROLESPEC_CURRENT_USER: "CURRENT_USER",
                    RoleSpecType.ROLESPEC_SESSION_USER: "SESSION_USER"}.get(spec.roletype, "CURRENT_ROLE"))


def database_grant_sql(node: ast.GrantStmt, database: sql.Composable) -> sql.Composed:
    """The statement of node, on `database` (an identifier, or the %I of a format() template)."""
    privileges = sql.SQL(", ").join(sql.SQL(p.priv_name.upper()) for p in node.privileges) \
        if node.privileges else sql.SQL("ALL")
    grantees = sql.SQL(", ").join(_grantee(g) for g in node.grantees)
    if node.is_grant:
        option = sql.SQL(" WITH GRANT OPTION") if node.grant_option else sql.SQL("")
        return sql.SQL("GRANT {} ON DATABASE {} TO {}{}").format(privileges, database, grantees, option)
    prefix = sql.SQL("GRANT OPTION FOR ") if node.grant_option else sql.SQL("")
    cascade = sql.SQL(" CASCADE") if node.behavior == DropBehavior.DROP_CASCADE else sql.SQL("")
    return sql.SQL("REVOKE {}{} ON DATABASE {} FROM {}{}").format(prefix, privileges, database, grantees, cascade)


def _on_current_database(statement: sql.Composable) -> sql.Composed:
    """DO block running statement (written with %I for the database) on current_database()."""
    template = statement.as_string(None)
    return dollar_block(sql.SQL("BEGIN EXECUTE format({}, current_database()); END").format(
        sql.Literal(template)).as_string(None))


def current_database_sql(node: ast.GrantStmt) -> sql.Composed:
    """node as a DO block on the current database (for rendered scripts)."""
    marker = sql.SQL("\x00DB\x00")
    text = database_grant_sql(node, marker).as_string(None).replace("%", "%%").replace("\x00DB\x00", "%I")
    return _on_current_database(sql.SQL(text))


def current_database_entry_sql(grant: bool, grantee: str, privilege: str, grantable: bool) -> str:
    """One ACL entry granted or revoked on the current database, as the diff emits it."""
    who = sql.SQL("PUBLIC") if grantee == "PUBLIC" else sql.Identifier(grantee)
    if grant:
        option = sql.SQL(" WITH GRANT OPTION") if grantable else sql.SQL("")
        statement = sql.SQL("GRANT {} ON DATABASE {} TO {}{}").format(sql.SQL(privilege), sql.SQL("\x00DB\x00"),
                                                                      who, option)
    else:
        statement = sql.SQL("REVOKE {} ON DATABASE {} FROM {}").format(sql.SQL(privilege), sql.SQL("\x00DB\x00"),
                                                                       who)
    text = statement.as_string(None).replace("%", "%%").replace("\x00DB\x00", "%I")
    return _on_current_database(sql.SQL(text)).as_string(None) + ";"

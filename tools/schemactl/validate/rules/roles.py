"""Role rules: every role named is declared, and no password is written into the repository."""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast
from pglast.enums import ObjectType, RoleSpecType

from schemactl.objects import walk
from schemactl.validate.base import Issue, Rule
from schemactl.validate.symbols import Located, Symbols, loc

__all__ = ["RULES", "PasswordInSchema", "UnknownRole", "check"]


class UnknownRole(Rule):
    """A role granted to, made a member, named in a policy, an owner or a comment, that no CREATE ROLE defines.

    PUBLIC, CURRENT_USER and the predefined pg_* roles need no definition.

    Bad::

        GRANT SELECT ON memory_assets TO reporting;

    Good::

        CREATE ROLE reporting NOLOGIN;
        GRANT SELECT ON memory_assets TO reporting;
    """

    code = "SC011"
    name = "roles.unknown-role"
    summary = "a role no CREATE ROLE defines"
    whole_schema = True


class PasswordInSchema(Rule):
    """A role password written into the schema; passwords are set out of band, never in the repository.

    Bad::

        CREATE ROLE blockchain_service LOGIN PASSWORD 'hunter2';

    Good::

        CREATE ROLE blockchain_service LOGIN;
    """

    code = "SC013"
    name = "roles.password-in-schema"
    summary = "a role password written into the schema"


RULES = (UnknownRole, PasswordInSchema)


def check(symbols: Symbols) -> Iterator[Issue]:
    """SC013 on every statement, SC011 on the declarative ones."""
    for st in symbols.statements:
        yield from _passwords(st)
    for st in symbols.declarative:
        yield from _roles(symbols, st)


def _passwords(st: Located) -> Iterator[Issue]:
    node = st.node
    if isinstance(node, (ast.CreateRoleStmt, ast.AlterRoleStmt)):
        for option in node.options or ():
            if option.defname == "password" and option.arg is not None:
                role = node.role if isinstance(node, ast.CreateRoleStmt) else (node.role.rolename or "")
                yield Issue(PasswordInSchema.code, st, f"role {role} has a password in the schema: set passwords "
                            "out of band, never in the repository", getattr(option, "arg_location", None))


def _roles(symbols: Symbols, st: Located) -> Iterator[Issue]:
    node = st.node
    for sub in walk(node):
        if isinstance(sub, ast.RoleSpec) and sub.roletype == RoleSpecType.ROLESPEC_CSTRING:
            yield from _require_role(symbols, st, sub.rolename, loc(sub))
    if isinstance(node, ast.GrantRoleStmt):
        for granted in node.granted_roles or ():
            yield from _require_role(symbols, st, granted.priv_name, None)
    elif isinstance(node, ast.CommentStmt) and node.objtype == ObjectType.OBJECT_ROLE:
        yield from _require_role(symbols, st, node.object.sval, None)


def _require_role(symbols: Symbols, st: Located, role: str, offset: int | None) -> Iterator[Issue]:
    if role in symbols.roles or role.startswith("pg_"):
        return
    yield Issue(UnknownRole.code, st, f"role {role} is not defined in the schema (CREATE ROLE {role})", offset)

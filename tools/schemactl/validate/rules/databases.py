"""Database rules: privileges on the database name the configured database, which stands for the deployed one."""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast
from pglast.enums import ObjectType

from schemactl.project import DATABASE_KEY, configured_database
from schemactl.validate.base import Issue, Rule
from schemactl.validate.symbols import Symbols

__all__ = ["RULES", "OtherDatabase", "check"]


class OtherDatabase(Rule):
    """GRANT/REVOKE ... ON DATABASE naming a database other than `[tool.schemactl] database` of pyproject.toml.

    The database's name differs per environment: schema/ spells it as the configured name, the
    build applies the statement to its scratch database and emitted SQL to current_database().

    Bad::

        REVOKE CONNECT, TEMPORARY ON DATABASE staging FROM PUBLIC;

    Good::

        REVOKE CONNECT, TEMPORARY ON DATABASE memory_platform FROM PUBLIC;
    """

    code = "SC014"
    name = "databases.other-database"
    summary = "ON DATABASE naming a database other than the configured one"


RULES = (OtherDatabase,)


def check(symbols: Symbols) -> Iterator[Issue]:
    """SC014 on every GRANT/REVOKE ... ON DATABASE."""
    configured = configured_database(symbols.source.root)
    for st in symbols.declarative:
        node = st.node
        if not (isinstance(node, ast.GrantStmt) and node.objtype == ObjectType.OBJECT_DATABASE):
            continue
        verb = "GRANT" if node.is_grant else "REVOKE"
        for target in node.objects or ():
            name = target.sval
            if configured is None:
                yield Issue(OtherDatabase.code, st, f"{verb} ... ON DATABASE {name}: set {DATABASE_KEY} = "
                            f"\"{name}\" in pyproject.toml to say that this name stands for the database "
                            "deployed to")
            elif name != configured:
                yield Issue(OtherDatabase.code, st, f"{verb} ... ON DATABASE {name}: schema/ names the database "
                            f"deployed to as {configured} ({DATABASE_KEY} in pyproject.toml)")

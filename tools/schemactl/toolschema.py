"""The tool's own schema holds exactly what the migration runner creates; anything else there is drift.

migra and the schema dump leave the `schemactl` schema out of their comparison (schema/ never
declares it). This check reads everything in that schema and on it from the catalog and compares
it with the runner's tracking table: the schema and `schemactl.schema_migrations` with its
columns, defaults and primary key, one role owning both, no privileges for any other role, and
no comments, policies, triggers, rules or row-level security. Neither the schema nor the table
need exist. Every other object is an item with the statement that removes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import psycopg
from psycopg import sql

from schemactl.catalog import MANAGED_EXCLUDED_SCHEMAS, QUERIES
from schemactl.conninfo import connect, server_major
from schemactl.identity import quote_name
from schemactl.plan import Change
from schemactl.quoting import one_statement

__all__ = ["ToolSchemaDrift", "TOOL_SCHEMA", "TRACKING_TABLE_NAME", "EXPECTED_COLUMNS", "tool_schema_drift",
           "read_tool_schema", "tool_schema_changes"]

TOOL_SCHEMA = MANAGED_EXCLUDED_SCHEMAS[0]
TRACKING_TABLE_NAME = "schema_migrations"
_PRIMARY_KEY = ("schema_migrations_pkey", "PRIMARY KEY (version)")

# The tracking table's columns as the catalog describes them (format_type, NOT NULL, DEFAULT as
# pg_get_expr prints it), and the definition that adds one back.
EXPECTED_COLUMNS = {
    "version": "text NOT NULL",
    "name": "text NOT NULL",
    "checksum": "text NOT NULL",
    "applied_at": "timestamp with time zone NOT NULL DEFAULT now()",
    "applied_by": "text NOT NULL DEFAULT CURRENT_USER",
    "duration_ms": "integer NOT NULL",
}
_COLUMN_TYPES = {name: detail.split(" NOT NULL")[0] for name, detail in EXPECTED_COLUMNS.items()}
_COLUMN_DEFAULTS = {"applied_at": "pg_catalog.now()", "applied_by": "CURRENT_USER"}

# The order the fixes run in: what others need goes last (a trigger before its function, a view
# before the functions and types it uses, an operator class before its operators).
_DROP_ORDER = (
    "trigger", "rule", "policy", "constraint", "column", "statistics", "view", "materialized view",
    "table", "index", "sequence", "operator class", "operator family", "operator", "aggregate",
    "procedure", "function", "text search configuration", "text search dictionary",
    "text search template", "text search parser", "conversion", "collation", "type", "domain", "extension",
)
_RELATIONS = {
    "r": ("table", "TABLE"), "p": ("table", "TABLE"), "f": ("table", "FOREIGN TABLE"), "v": ("view", "VIEW"),
    "m": ("materialized view", "MATERIALIZED VIEW"), "S": ("sequence", "SEQUENCE"), "i": ("index", "INDEX"),
    "I": ("index", "INDEX"),
}
_DEFAULT_ACL_OBJECTS = {"r": "TABLES", "S": "SEQUENCES", "f": "FUNCTIONS", "T": "TYPES", "n": "SCHEMAS"}
_DROP_HAZARDS = {
    "table": ("access_exclusive_lock", "deletes_data"), "materialized view": ("access_exclusive_lock", "deletes_data"),
    "sequence": ("access_exclusive_lock", "deletes_data"), "column": ("access_exclusive_lock", "deletes_data"),
    "extension": ("deletes_data",), "type": ("deletes_data",), "domain": ("deletes_data",),
    "index": ("access_exclusive_lock",), "trigger": ("access_exclusive_lock",),
    "rule": ("access_exclusive_lock",), "policy": ("authorization",), "constraint": ("access_exclusive_lock",),
    "view": ("has_untracked_dependencies",), "function": ("has_untracked_dependencies",),
    "procedure": ("has_untracked_dependencies",), "aggregate": ("has_untracked_dependencies",),
}


_AUTH = ("authorization",)
# change(kind, name, how, statement, hazards=()) and drop(kind, name, order, statement, how=""): tool_schema_drift's collectors.
_Changed = Callable[..., None]
_Dropped = Callable[..., None]


@dataclass(frozen=True)
class ToolSchemaDrift:
    """One object in (or on) the tool's schema that the runner did not make: what it is and what removes it."""

    kind: str
    name: str
    state: str
    how: str
    statements: tuple[str, ...]
    hazards: tuple[str, ...] = ()

    def changes(self) -> tuple[Change, ...]:
        """The statements as plan changes (the object string names the item)."""
        action = "drop" if self.state == "extra" else "alter"
        return tuple(Change(sql=text, object=f"{self.kind} {self.name}", action=action, hazards=self.hazards,
                            origin="schemactl") for text in self.statements)


def _text(statement: sql.Composable) -> str:
    return one_statement(statement.as_string(None) + ";")


def _raw(*parts: str) -> str:
    """A statement made of the fixed words and a name the catalog spelled (regprocedure, format_type)."""
    return one_statement(" ".join(parts) + ";")


def _grantee(name: str) -> sql.Composable:
    return sql.SQL("PUBLIC") if name == "PUBLIC" else sql.Identifier(name)


def read_tool_schema(conn: psycopg.Connection) -> list[tuple[str, str, str, str, int]]:
    """The catalog rows of sql/tool_schema.sql: family, name, parent, detail, order."""
    params = {"schema": TOOL_SCHEMA, "table": TRACKING_TABLE_NAME}
    with conn.transaction():
        # Names the catalog prints (regprocedure, format_type) are qualified whatever the role's path.
        conn.execute("SET LOCAL search_path = pg_catalog, pg_temp")
        return [tuple(row) for row in conn.execute(QUERIES["tool_schema"], params, prepare=False).fetchall()]


def tool_schema_drift(rows: Iterable[tuple[str, str, str, str, int]], *,
                      major: int | None = None) -> tuple[ToolSchemaDrift, ...]:
    """The items: everything the rows show beyond what the runner creates, fixes in a runnable order."""
    schema = sql.Identifier(TOOL_SCHEMA)
    table = sql.SQL("{}.{}").format(schema, sql.Identifier(TRACKING_TABLE_NAME))
    table_name = f"{quote_name(TOOL_SCHEMA, major=major)}.{quote_name(TRACKING_TABLE_NAME, major=major)}"
    changed: dict[tuple[str, str], list[tuple[str, str, tuple[str, ...]]]] = {}
    extra: list[tuple[int, int, ToolSchemaDrift]] = []
    schema_owner = ""
    seen_columns: set[str] = set()
    has_table = False

    def change(kind: str, name: str, how: str, statement: str, hazards: tuple[str, ...] = ()) -> None:
        changed.setdefault((kind, name), []).append((how, statement, hazards))

    def drop(kind: str, name: str, order: int, statement: str, how: str = "") -> None:
        item = ToolSchemaDrift(kind=kind, name=name, state="extra",
                               how=how or f"drop: {statement}", statements=(statement,),
                               hazards=_DROP_HAZARDS.get(kind, ()))
        extra.append((_DROP_ORDER.index(kind), -order, item))

    def qualified(name: str) -> str:
        return f"{quote_name(TOOL_SCHEMA, major=major)}.{quote_name(name, major=major)}"

    def on_table(name: str) -> str:
        return f"{quote_name(name, major=major)} on {table_name}"

    for family, name, parent, detail, order in rows:
        if family == "schema owner":
            schema_owner = detail
        elif family == "schema acl":
            change("schema", quote_name(TOOL_SCHEMA, major=major), f"privileges granted to {detail}",
                   _text(sql.SQL("REVOKE ALL ON SCHEMA {} FROM {} CASCADE").format(schema, _grantee(detail))), _AUTH)
        elif family == "relation":
            if name == TRACKING_TABLE_NAME and detail == "r":
                has_table = True
                continue
            kind, word = _RELATIONS.get(detail, ("table", "TABLE"))
            drop(kind, qualified(name), order, _text(sql.SQL("DROP {} IF EXISTS {}.{}").format(
                sql.SQL(word), schema, sql.Identifier(name))))
        elif family == "table owner":
            if schema_owner and detail != schema_owner:
                change("table", table_name, f"owned by {detail}, the schema by {schema_owner}",
                       _text(sql.SQL("ALTER TABLE {} OWNER TO {}").format(table, sql.Identifier(schema_owner))), _AUTH)
        elif family == "table acl":
            change("table", table_name, f"privileges granted to {detail}",
                   _text(sql.SQL("REVOKE ALL ON TABLE {} FROM {} CASCADE").format(table, _grantee(detail))), _AUTH)
        elif family == "table option":
            fix = {"row level security": "ALTER TABLE {} DISABLE ROW LEVEL SECURITY",
                   "force row level security": "ALTER TABLE {} NO FORCE ROW LEVEL SECURITY",
                   "unlogged": "ALTER TABLE {} SET LOGGED",
                   "replica identity": "ALTER TABLE {} REPLICA IDENTITY DEFAULT"}[detail]
            hazards = _AUTH if "row level security" in detail else ("access_exclusive_lock", "table_rewrite") \
                if detail == "unlogged" else ("access_exclusive_lock",)
            change("table", table_name, f"{detail} set", _text(sql.SQL(fix).format(table)), hazards)
        elif family == "table storage":
            change("table", table_name, f"storage parameter {detail} set",
                   _text(sql.SQL("ALTER TABLE {} RESET ({})").format(table, sql.Identifier(detail))))
        elif family == "table parent":
            fix = "ALTER TABLE {} DETACH PARTITION {}" if parent == "partition" else "ALTER TABLE {} NO INHERIT {}"
            # The parent is spelled by the catalog (regclass); the statement is checked to be one.
            statement = (sql.SQL(fix).format(sql.SQL(detail), table) if parent == "partition"
                         else sql.SQL(fix).format(table, sql.SQL(detail)))
            change("table", table_name, f"{'a partition of' if parent == 'partition' else 'inherits from'} {detail}",
                   _text(statement))
        elif family == "column":
            seen_columns.add(name)
            _column(name, detail, table, table_name, order, change, drop, major)
        elif family == "column acl":
            change("column", f"{table_name}.{quote_name(name, major=major)}", f"privileges granted to {detail}",
                   _text(sql.SQL("REVOKE ALL ({}) ON TABLE {} FROM {} CASCADE").format(
                       sql.Identifier(name), table, _grantee(detail))), _AUTH)
        elif family == "constraint":
            if (name, detail) == _PRIMARY_KEY:
                continue
            statement = _text(sql.SQL("ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}").format(table, sql.Identifier(name)))
            drop("constraint", on_table(name), order, statement)
        elif family in ("trigger", "policy", "rule"):
            drop(family, on_table(name), order, _text(sql.SQL("DROP {} IF EXISTS {} ON {}").format(
                sql.SQL(family.upper()), sql.Identifier(name), table)))
        elif family == "function":
            kind, word = {"a": ("aggregate", "AGGREGATE"), "p": ("procedure", "PROCEDURE")}.get(
                detail, ("function", "FUNCTION"))
            drop(kind, name, order, _raw("DROP", word, "IF EXISTS", name))
        elif family == "type":
            kind = "domain" if detail == "d" else "type"
            drop(kind, name, order, _raw("DROP", kind.upper(), "IF EXISTS", name))
        elif family == "operator":
            drop("operator", name, order, _raw("DROP OPERATOR IF EXISTS", name))
        elif family in ("operator class", "operator family"):
            drop(family, f"{qualified(name)} using {detail}", order, _text(sql.SQL("DROP {} IF EXISTS {}.{} USING {}").format(
                sql.SQL(family.upper()), schema, sql.Identifier(name), sql.Identifier(detail))))
        elif family in ("statistics", "collation", "conversion", "text search configuration",
                        "text search dictionary", "text search template", "text search parser"):
            drop(family, qualified(name), order, _text(sql.SQL("DROP {} IF EXISTS {}.{}").format(
                sql.SQL(family.upper()), schema, sql.Identifier(name))))
        elif family == "extension":
            drop("extension", quote_name(name, major=major), order,
                 _text(sql.SQL("DROP EXTENSION IF EXISTS {}").format(sql.Identifier(name))))
        elif family == "default privileges":
            objtype, _, grantee = detail.partition(" ")
            objects = _DEFAULT_ACL_OBJECTS.get(objtype, "TABLES")
            change("default privileges",
                   f"for role {quote_name(name, major=major)} in schema {quote_name(TOOL_SCHEMA, major=major)} "
                   f"on {objects.lower()}", f"granted to {grantee}",
                   _text(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} REVOKE ALL ON {} FROM {}").format(
                       sql.Identifier(name), schema, sql.SQL(objects), _grantee(grantee))), _AUTH)
        elif family == "comment":
            _comment(name, parent, detail, schema, table, table_name, change, major)
    if has_table:
        for column in EXPECTED_COLUMNS:
            if column not in seen_columns:
                change("column", f"{table_name}.{quote_name(column, major=major)}", "missing",
                       _text(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
                           table, sql.Identifier(column), sql.SQL(_column_definition(column)))))
    items = [ToolSchemaDrift(kind=kind, name=name, state="missing" if [f[0] for f in found] == ["missing"] else "changed",
                             how="; ".join(dict.fromkeys(f[0] for f in found)),
                             statements=tuple(f[1] for f in found),
                             hazards=tuple(sorted({h for f in found for h in f[2]})))
             for (kind, name), found in changed.items()]
    return tuple(items) + tuple(item for _, _, item in sorted(extra, key=lambda e: (e[0], e[1])))


def _column_definition(column: str) -> str:
    definition = _COLUMN_TYPES[column] + " NOT NULL"
    if column in _COLUMN_DEFAULTS:
        definition += f" DEFAULT {_COLUMN_DEFAULTS[column]}"
    return definition


def _column(name: str, detail: str, table: sql.Composable, table_name: str, order: int, change: _Changed,
            drop: _Dropped, major: int | None) -> None:
    """An extra column is dropped; one of the runner's that differs is set back to its definition."""
    column = sql.Identifier(name)
    shown = f"{table_name}.{quote_name(name, major=major)}"
    if name not in EXPECTED_COLUMNS:
        drop("column", shown, order, _text(sql.SQL("ALTER TABLE {} DROP COLUMN IF EXISTS {}").format(table, column)),
             how=f"extra column: {detail}")
        return
    want = EXPECTED_COLUMNS[name]
    if detail == want:
        return
    how = f"is {detail}, the runner makes {want}"
    kind = sql.SQL(_COLUMN_TYPES[name])
    fixes = []
    flags = detail.partition(" DEFAULT ")[0]
    if not flags.startswith(_COLUMN_TYPES[name] + " ") and flags != _COLUMN_TYPES[name] or " COLLATE " in flags:
        fixes.append(sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE {} COLLATE pg_catalog.\"default\" USING {}::{}").format(
            table, column, kind, column, kind) if _COLUMN_TYPES[name] == "text" else
            sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE {} USING {}::{}").format(table, column, kind, column, kind))
    if " IDENTITY" in flags:
        fixes.append(sql.SQL("ALTER TABLE {} ALTER COLUMN {} DROP IDENTITY IF EXISTS").format(table, column))
    if " GENERATED" in flags:
        fixes.append(sql.SQL("ALTER TABLE {} ALTER COLUMN {} DROP EXPRESSION IF EXISTS").format(table, column))
    if " NOT NULL" not in flags:
        fixes.append(sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET NOT NULL").format(table, column))
    if detail.partition(" DEFAULT ")[2] != want.partition(" DEFAULT ")[2]:
        fixes.append(sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}").format(
            table, column, sql.SQL(_COLUMN_DEFAULTS[name])) if name in _COLUMN_DEFAULTS else
            sql.SQL("ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT").format(table, column))
    for fix in fixes:
        change("column", shown, how, _text(fix), ("access_exclusive_lock",))


def _comment(kind: str, relation: str, part: str | None, schema: sql.Composable, table: sql.Composable,
             table_name: str, change: _Changed, major: int | None) -> None:
    """A comment on the schema, the table, a column, the primary key or its index is removed."""
    if kind == "schema":
        statement = sql.SQL("COMMENT ON SCHEMA {} IS NULL").format(schema)
        name = quote_name(TOOL_SCHEMA, major=major)
    elif kind == "column":
        statement = sql.SQL("COMMENT ON COLUMN {}.{} IS NULL").format(table, sql.Identifier(part))
        name = f"{table_name}.{quote_name(part, major=major)}"
    elif kind == "constraint":
        statement = sql.SQL("COMMENT ON CONSTRAINT {} ON {} IS NULL").format(sql.Identifier(part), table)
        name = f"{quote_name(part, major=major)} on {table_name}"
    elif kind == "index":
        statement = sql.SQL("COMMENT ON INDEX {}.{} IS NULL").format(schema, sql.Identifier(relation))
        name = f"{quote_name(TOOL_SCHEMA, major=major)}.{quote_name(relation, major=major)}"
    else:
        statement = sql.SQL("COMMENT ON TABLE {} IS NULL").format(table)
        name = table_name
    change(kind, name, "has a comment", _text(statement))


def tool_schema_changes(url: str) -> tuple[ToolSchemaDrift, ...]:
    """Read one database's tool schema and compare it with the runner's (empty: as the runner makes it)."""
    with connect(url, autocommit=True) as conn:
        return tool_schema_drift(read_tool_schema(conn), major=server_major(conn))

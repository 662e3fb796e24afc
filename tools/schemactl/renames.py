"""Rename hints: `-- schemactl:renamed-from OLD` in schema/ turns a drop + add into a RENAME.

The hint is a line comment attached to a column definition (on the line above it, or at
the end of its line) or to a CREATE TABLE (above it, or on its first line):

    -- schemactl:renamed-from memory_nfts
    CREATE TABLE memory_assets (
        -- schemactl:renamed-from name
        title text,
        ...

It applies where the database being changed has the old name and not the new one; there
the plan starts with `ALTER TABLE ... RENAME [COLUMN]` (no data deleted) and diffs the
renamed schema as usual. Where the old name is gone (the rename was released everywhere)
it does nothing, and can be removed. validate checks every hint (SC015).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import psycopg
from psycopg import sql

from schemactl.load import Source, Statement
from schemactl.objects import DEFAULT_SCHEMA
from schemactl.plan import Change

__all__ = ["Rename", "HINT", "hints", "hint_problems", "applicable", "rename_changes", "suggestion"]

HINT = "renamed-from"
_KEYWORDS = (HINT,)
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_$]*$")


@dataclass(frozen=True)
class Rename:
    """A table (column None) or a column of a table, renamed from old to new; names unquoted."""

    schema: str
    table: str
    old: str
    new: str
    column: bool = False

    @property
    def shown(self) -> str:
        if self.column:
            return f"column {self.schema}.{self.table}.{self.old} -> {self.new}"
        return f"table {self.schema}.{self.old} -> {self.new}"


def _table_of(statement: Statement) -> tuple[str, str]:
    relation = statement.node.relation
    return relation.schemaname or DEFAULT_SCHEMA, relation.relname


def _columns(statement: Statement) -> set[str]:
    return {element.colname for element in statement.node.tableElts or () if getattr(element, "colname", None)}


def hint_problems(source: Source) -> list[tuple[Statement, int, int, str]]:
    """(statement, line, col, message) for every schemactl: comment that is not a valid hint."""
    from pglast import ast  # noqa: PLC0415

    problems: list[tuple[Statement, int, int, str]] = []
    tables = {_table_of(s) for s in source.statements if isinstance(s.node, ast.CreateStmt)}
    for statement in source.statements:
        seen: dict[str | None, str] = {}
        for marker in statement.markers:
            where = (statement, marker.line, marker.col)
            if marker.keyword not in _KEYWORDS:
                problems.append((*where, f"unknown directive schemactl:{marker.keyword}; the only one is "
                                         f"schemactl:{HINT} OLD_NAME"))
                continue
            if not _IDENTIFIER.match(marker.argument):
                problems.append((*where, f"schemactl:{HINT} needs one lower-case name, the former name "
                                         f"(got {marker.argument!r})"))
                continue
            if marker.column is None and not marker.on_statement:
                problems.append((*where, f"schemactl:{HINT} {marker.argument} is attached to nothing: put it on "
                                         "the line above a column definition of a CREATE TABLE (or at the end of "
                                         "its line), or above the CREATE TABLE for the table"))
                continue
            schema, table = _table_of(statement)
            target = marker.column
            if target in seen:
                problems.append((*where, f"{'column ' + target if target else 'table ' + table} has two "
                                         f"schemactl:{HINT} hints ({seen[target]} and {marker.argument})"))
                continue
            seen[target] = marker.argument
            current = target if target is not None else table
            if marker.argument == current:
                problems.append((*where, f"schemactl:{HINT} {marker.argument} names the current name itself"))
            elif target is not None and marker.argument in _columns(statement):
                problems.append((*where, f"column {target} of {schema}.{table} cannot be renamed from "
                                         f"{marker.argument}: {table} still defines a column {marker.argument}"))
            elif target is None and (schema, marker.argument) in tables:
                problems.append((*where, f"table {schema}.{table} cannot be renamed from {marker.argument}: "
                                         f"the schema still defines a table {schema}.{marker.argument}"))
        olds = [m.argument for m in statement.markers if m.keyword == HINT and m.column is not None]
        for old in sorted({o for o in olds if olds.count(o) > 1}):
            first = next(m for m in statement.markers if m.argument == old)
            problems.append((statement, first.line, first.col, f"two columns of {'.'.join(_table_of(statement))} "
                                                               f"claim to be renamed from {old}"))
    return problems


def hints(statements: Iterable[Statement]) -> tuple[Rename, ...]:
    """The valid rename hints of a schema, tables first (column hints name the new table)."""
    from pglast import ast  # noqa: PLC0415

    tables: list[Rename] = []
    columns: list[Rename] = []
    for statement in statements:
        if not isinstance(statement.node, ast.CreateStmt):
            continue
        schema, table = _table_of(statement)
        for marker in statement.markers:
            if marker.keyword != HINT or not _IDENTIFIER.match(marker.argument):
                continue
            if marker.column is not None:
                columns.append(Rename(schema, table, marker.argument, marker.column, column=True))
            elif marker.on_statement:
                tables.append(Rename(schema, table, marker.argument, table))
    return tuple(tables + columns)


def applicable(conn: psycopg.Connection, renames: Iterable[Rename]) -> list[Rename]:
    """The hints that apply to the database: the old name exists there and the new one does not."""
    found: list[Rename] = []
    # A column hint names its table's new name; before the table's own rename it has the old one.
    moved: dict[tuple[str, str], str] = {}
    for rename in renames:
        if rename.column:
            table = moved.get((rename.schema, rename.table), rename.table)
            have = {row[0] for row in conn.execute(
                "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s "
                "AND a.attnum > 0 AND NOT a.attisdropped", (rename.schema, table))}
            if rename.old in have and rename.new not in have:
                found.append(rename)
        else:
            have = {row[0] for row in conn.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relname IN (%s, %s)", (rename.schema, rename.old, rename.new))}
            if rename.old in have and rename.new not in have:
                found.append(rename)
                moved[(rename.schema, rename.new)] = rename.old
    return found


def _rename_sql(rename: Rename, *, undo: bool = False) -> str:
    old, new = (rename.new, rename.old) if undo else (rename.old, rename.new)
    if rename.column:
        return sql.SQL("ALTER TABLE {}.{} RENAME COLUMN {} TO {};").format(
            sql.Identifier(rename.schema), sql.Identifier(rename.table), sql.Identifier(old),
            sql.Identifier(new)).as_string(None)
    return sql.SQL("ALTER TABLE {}.{} RENAME TO {};").format(
        sql.Identifier(rename.schema), sql.Identifier(old), sql.Identifier(new)).as_string(None)


def rename_changes(renames: list[Rename]) -> tuple[list[Change], list[Change]]:
    """The plan's first changes (tables, then columns) and the rollback's last ones (reversed)."""
    forward = [Change(sql=_rename_sql(r), object=f"table {r.schema}.{r.table}" + (f" column {r.new}" if r.column
                                                                                  else ""),
                      action="rename", hazards=("access_exclusive_lock",), reverse=(_rename_sql(r, undo=True),),
                      origin="schemactl") for r in renames]
    backward = [Change(sql=_rename_sql(r, undo=True), object=f"table {r.schema}." + (
                           f"{r.table} column {r.old}" if r.column else r.old),
                       action="rename", hazards=("access_exclusive_lock",), reverse=(_rename_sql(r),),
                       origin="schemactl") for r in reversed(renames)]
    return forward, backward


def suggestion(changes: Iterable[Change]) -> str:
    """For a refused plan: how to say that a dropped table or column was renamed instead."""
    from pglast import ast, parse_sql  # noqa: PLC0415
    from pglast.enums import AlterTableType, ObjectType  # noqa: PLC0415

    dropped: list[str] = []
    for change in changes:
        if not change.destructive:
            continue
        try:
            node = parse_sql(change.sql)[0].stmt
        except Exception:  # noqa: BLE001  (nothing to suggest for a statement pglast cannot read)
            continue
        if isinstance(node, ast.DropStmt) and node.removeType == ObjectType.OBJECT_TABLE:
            dropped += [f"table {'.'.join(n.sval for n in obj)}" for obj in node.objects or ()]
        elif isinstance(node, ast.AlterTableStmt):
            dropped += [f"column {node.relation.relname}.{cmd.name}" for cmd in node.cmds or ()
                        if cmd.subtype == AlterTableType.AT_DropColumn]
    if not dropped:
        return ""
    return (f". If {' or '.join(dropped)} was renamed rather than removed, say so in schema/ with a line "
            f"`-- schemactl:{HINT} OLD_NAME` above the new column definition (or above the CREATE TABLE): "
            "the plan then renames it and keeps the data")

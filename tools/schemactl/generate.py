"""Generate stage: render schema/ into the committed files of generated/ (schema.sql, erd.md, manifest)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pglast import ast, parse_sql
from pglast.enums import AlterTableType, ConstrType
from pglast.stream import IndentedStream, RawStream

from schemactl.database_privileges import current_database_sql, is_database_grant
from schemactl.errors import InputError
from schemactl.load import Source, Statement
from schemactl.markdown import cell, fence
from schemactl.migrations.manifest import MANIFEST_NAME, manifest_text, verify_manifest, write_manifest
from schemactl.objects import DEFAULT_SCHEMA
from schemactl.order import order_statements
from schemactl.roles import conditional_statement_sql
from schemactl.validate.gate import load_declarative

__all__ = [
    "Artifact",
    "Column",
    "ForeignKey",
    "Table",
    "artifacts",
    "check",
    "erd_markdown",
    "load_schema",
    "render_schema",
    "tables_from_statements",
    "write",
]

SCHEMA_FILE = "schema.sql"
ERD_FILE = "erd.md"
MIGRATIONS_DIR = "migrations"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Artifact:
    """One file generate owns: where it goes (relative to the output dir) and its exact text."""

    name: str
    text: str


@dataclass
class Column:
    """A table column as the ERD shows it."""

    name: str
    type: str
    not_null: bool = False
    generated: bool = False
    primary_key: bool = False
    unique: bool = False
    foreign_key: bool = False


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key from child columns to parent columns."""

    name: str
    child: str
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]


@dataclass
class Table:
    """A table of the schema: columns in declaration order and the keys that shape the ERD."""

    name: str
    columns: list[Column] = field(default_factory=list)
    primary_key: tuple[str, ...] = ()
    unique_sets: set[tuple[str, ...]] = field(default_factory=set)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


# ---------------------------------------------------------------------------
# schema.sql

# One printer configuration for every statement: a changed option changes every
# committed schema.sql, so it is fixed here rather than taken from the caller.
_PRINTER_OPTIONS: dict[str, Any] = {
    "comma_at_eoln": True,
    "compact_lists_margin": 80,
    "special_functions": True,
}


def load_schema(schema_dir: Path) -> Source:
    """schema_dir parsed, paths shown relative to its parent (`schema/tables/x.sql`), wherever it lives."""
    if not schema_dir.is_dir():
        raise InputError(f"{schema_dir}: no such directory (pass --schema-dir)")
    return load_declarative(schema_dir, display_base=schema_dir.resolve().parent)


def _pretty(statement: Statement) -> str:
    text = IndentedStream(**_PRINTER_OPTIONS)(statement.node)
    # The printed text must mean exactly what the source says; pglast proves it by re-parsing.
    reparsed = parse_sql(text)
    if len(reparsed) != 1 or reparsed[0].stmt != statement.node:
        raise InputError(f"{statement.where}: the pretty-printer changed the meaning of this statement; "
                         "simplify it or report the pglast version")
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return "\n".join(lines) + ";"


def render_schema(statements: Iterable[Statement], *, schema_label: str = "schema/") -> str:
    """The full schema as one script: every statement in dependency order, pretty-printed."""
    ordered = order_statements(statements)
    parts = [
        f"-- The complete desired schema, rendered from {schema_label} by `schemactl generate`.",
        "-- Do not edit: change schema/ and regenerate. Statements are in dependency order;",
        "-- each names the file and line it comes from.",
        "",
    ]
    for statement in ordered:
        parts.append(f"-- source: {statement.path}:{statement.line}")
        parts.append(_cluster_safe(statement) or _pretty(statement))
        parts.append("")
    return "\n".join(parts)


def _cluster_safe(statement: Statement) -> str | None:
    """Role statements and ON DATABASE privileges as the tool emits them, so the script runs anywhere.

    Roles are cluster-wide (another database may have made them); the database's name differs
    per environment. None for every other statement.
    """
    if is_database_grant(statement.node):
        return current_database_sql(statement.node).as_string(None) + ";"
    conditional = conditional_statement_sql(statement.node)
    return conditional.as_string(None) + ";" if conditional is not None else None


# ---------------------------------------------------------------------------
# erd.md

def _entity(relation: ast.RangeVar) -> str:
    if relation.schemaname and relation.schemaname != DEFAULT_SCHEMA:
        return f"{relation.schemaname}__{relation.relname}"
    return relation.relname


def _type_text(type_name: ast.TypeName) -> str:
    return RawStream()(type_name).strip()


def _names(values: Sequence[Any] | None) -> tuple[str, ...]:
    return tuple(v.sval for v in values or ())


def _key_columns(constraint: ast.Constraint) -> tuple[str, ...]:
    return _names(constraint.keys)


def _add_constraint(table: Table, constraint: ast.Constraint, foreign_keys: list[ForeignKey],
                    column: str | None = None) -> None:
    kind = constraint.contype
    if kind == ConstrType.CONSTR_PRIMARY:
        table.primary_key = (column,) if column else _key_columns(constraint)
    elif kind == ConstrType.CONSTR_UNIQUE:
        table.unique_sets.add((column,) if column else _key_columns(constraint))
    elif kind == ConstrType.CONSTR_FOREIGN:
        columns = (column,) if column else _names(constraint.fk_attrs)
        default_name = f"{table.name}_{'_'.join(columns)}_fkey"
        foreign_keys.append(ForeignKey(
            name=constraint.conname or default_name,
            child=table.name,
            columns=columns,
            parent=_entity(constraint.pktable),
            parent_columns=_names(constraint.pk_attrs),
        ))


def tables_from_statements(statements: Iterable[Statement]) -> tuple[dict[str, Table], list[ForeignKey]]:
    """Tables, their keys and foreign keys, read from CREATE TABLE, ALTER TABLE and CREATE UNIQUE INDEX."""
    items = list(statements)
    tables: dict[str, Table] = {}
    foreign_keys: list[ForeignKey] = []
    for statement in items:
        node = statement.node
        if not isinstance(node, ast.CreateStmt):
            continue
        table = Table(name=_entity(node.relation))
        tables[table.name] = table
        for element in node.tableElts or ():
            if isinstance(element, ast.ColumnDef):
                column = Column(name=element.colname, type=_type_text(element.typeName),
                                not_null=bool(element.is_not_null))
                table.columns.append(column)
                for constraint in element.constraints or ():
                    if constraint.contype in (ConstrType.CONSTR_NOTNULL, ConstrType.CONSTR_PRIMARY):
                        column.not_null = True
                    if constraint.contype in (ConstrType.CONSTR_GENERATED, ConstrType.CONSTR_IDENTITY):
                        column.generated = True
                        column.not_null = column.not_null or constraint.contype == ConstrType.CONSTR_IDENTITY
                    _add_constraint(table, constraint, foreign_keys, column=element.colname)
            elif isinstance(element, ast.Constraint):
                _add_constraint(table, element, foreign_keys)
    for statement in items:
        node = statement.node
        if isinstance(node, ast.AlterTableStmt) and _entity(node.relation) in tables:
            table = tables[_entity(node.relation)]
            for command in node.cmds or ():
                if command.subtype == AlterTableType.AT_AddConstraint and isinstance(command.def_, ast.Constraint):
                    _add_constraint(table, command.def_, foreign_keys)
                elif command.subtype == AlterTableType.AT_SetNotNull:
                    column = table.column(command.name)
                    if column is not None:
                        column.not_null = True
        elif (isinstance(node, ast.IndexStmt) and node.unique and node.whereClause is None
              and _entity(node.relation) in tables):
            names = tuple(p.name for p in node.indexParams or ())
            if all(names):
                tables[_entity(node.relation)].unique_sets.add(names)
    for table in tables.values():
        for name in table.primary_key:
            column = table.column(name)
            if column is not None:
                column.primary_key = column.not_null = True
        for unique in table.unique_sets:
            if len(unique) == 1 and (column := table.column(unique[0])) is not None:
                column.unique = True
    for fk in foreign_keys:
        for name in fk.columns:
            column = tables[fk.child].column(name)
            if column is not None:
                column.foreign_key = True
    foreign_keys.sort(key=lambda fk: (fk.child, fk.name))
    return tables, foreign_keys


def _mermaid_type(type_text: str) -> str:
    # Mermaid attribute types are single words: drop modifiers, join multi-word names.
    base = type_text.split("(", 1)[0].strip()
    suffix = type_text[type_text.rfind(")") + 1:].strip() if "(" in type_text else ""
    return "_".join((base + suffix).split())


def _cardinality(fk: ForeignKey, tables: dict[str, Table]) -> tuple[str, str, str]:
    """Mermaid's (parent end, line, child end) for one foreign key."""
    child = tables[fk.child]
    columns = [child.column(name) for name in fk.columns]
    required = all(c is not None and c.not_null for c in columns)
    keyed = set(fk.columns)
    one_child = keyed == set(child.primary_key) or any(keyed == set(u) for u in child.unique_sets)
    identifying = bool(child.primary_key) and keyed <= set(child.primary_key)
    return ("||" if required else "|o", "--" if identifying else "..", "o|" if one_child else "o{")


def erd_markdown(statements: Iterable[Statement], *, schema_label: str = "schema/") -> str:
    """A Mermaid erDiagram of every table and foreign key, with the relationships also listed as text."""
    tables, foreign_keys = tables_from_statements(statements)
    lines = [
        "# Entity-relationship diagram",
        "",
        f"Rendered from {cell(schema_label)} by `schemactl generate`; do not edit. Columns show their type",
        "and keys (PK primary key, FK foreign key, UK unique). A foreign key's parent end is `||` when",
        "its columns are NOT NULL and `|o` when they may be NULL; its child end is `o|` when the",
        "columns are unique in the child, else `o{`. A solid line means the foreign key is part of",
        "the child's primary key.",
        "",
    ]
    diagram = ["erDiagram"]
    for name in sorted(tables):
        table = tables[name]
        diagram.append(f"    {name} {{")
        for column in table.columns:
            keys = [k for k, on in (("PK", column.primary_key), ("FK", column.foreign_key),
                                    ("UK", column.unique and not column.primary_key)) if on]
            notes = []
            if _mermaid_type(column.type) != column.type:
                notes.append(column.type)
            notes.append("not null" if column.not_null else "null")
            if column.generated:
                notes.append("generated")
            key_text = f" {', '.join(keys)}" if keys else ""
            diagram.append(f'        {_mermaid_type(column.type)} {column.name}{key_text} "{", ".join(notes)}"')
        diagram.append("    }")
    for fk in foreign_keys:
        if fk.parent not in tables:
            raise InputError(f"foreign key {fk.name} on {fk.child} references {fk.parent}, "
                             "which schema/ does not create")
        parent_end, line, child_end = _cardinality(fk, tables)
        diagram.append(f'    {fk.parent} {parent_end}{line}{child_end} {fk.child} : "{", ".join(fk.columns)}"')
    lines += [fence("\n".join(diagram), "mermaid"), "", "## Foreign keys", ""]
    if foreign_keys:
        lines += ["| constraint | from | to |", "| --- | --- | --- |"]
        for fk in foreign_keys:
            target = tables[fk.parent]
            parent_columns = fk.parent_columns or target.primary_key
            child = f"{fk.child}({', '.join(fk.columns)})"
            parent = f"{fk.parent}({', '.join(parent_columns)})"
            lines.append(f"| {cell(fk.name, code=True)} | {cell(child, code=True)} | {cell(parent, code=True)} |")
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# the files, the manifest, --check

def artifacts(source: Source) -> list[Artifact]:
    """The files generate writes for this source, in a fixed order."""
    label = Path(source.root).name + "/"
    return [
        Artifact(SCHEMA_FILE, render_schema(source.statements, schema_label=label)),
        Artifact(ERD_FILE, erd_markdown(source.statements, schema_label=label)),
    ]


def write(source: Source, out_dir: Path, *, progress: Progress = lambda _: None) -> list[Path]:
    """Write every artifact whose bytes differ; refresh the migration manifest. Returns the files changed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    changed: list[Path] = []
    for artifact in artifacts(source):
        path = out_dir / artifact.name
        data = artifact.text.encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            progress(f"{path}: up to date")
            continue
        path.write_bytes(data)
        changed.append(path)
        progress(f"{path}: written")
    migrations = out_dir / MIGRATIONS_DIR
    if migrations.is_dir():
        sum_file = migrations / MANIFEST_NAME
        before = sum_file.read_bytes() if sum_file.is_file() else None
        write_manifest(migrations)
        if sum_file.read_bytes() != before:
            changed.append(sum_file)
            progress(f"{sum_file}: written")
        else:
            progress(f"{sum_file}: up to date")
    return changed


def check(source: Source, out_dir: Path) -> list[str]:
    """One line for each generated file that is missing or differs from what generate would write."""
    problems: list[str] = []
    for artifact in artifacts(source):
        path = out_dir / artifact.name
        if not path.is_file():
            problems.append(f"{path}: missing; run `schemactl generate`")
        elif path.read_bytes() != artifact.text.encode("utf-8"):
            problems.append(f"{path}: stale; run `schemactl generate`")
    migrations = out_dir / MIGRATIONS_DIR
    if migrations.is_dir():
        sum_file = migrations / MANIFEST_NAME
        if not sum_file.is_file():
            problems.append(f"{sum_file}: missing; run `schemactl generate`")
        elif sum_file.read_text(encoding="utf-8") != manifest_text(migrations):
            problems.append(f"{sum_file}: stale; run `schemactl generate`")
        problems.extend(f"{sum_file}: {problem}" for problem in verify_manifest(migrations))
    # verify_manifest may restate a staleness already reported; say each thing once.
    return list(dict.fromkeys(problems))

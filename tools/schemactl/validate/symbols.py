"""The symbol table the rules run on: every object the schema defines, read off the pglast AST.

Definitions are collected from every statement first, then what attaches to them (ALTER TABLE,
indexes, triggers, policies), so file order never matters. What cannot be defined (a name
taken twice, an attachment to an unknown table) is kept as issues for the rule families.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pglast import ast, parse_sql
from pglast.enums import AlterTableType, ConstrType, FunctionParameterMode, ObjectType, SetOperation
from pglast.parser import ParseError

from schemactl.load import Source, Statement
from schemactl.objects import qualify, walk
from schemactl.validate.base import Issue

__all__ = [
    "BUILTIN_SCHEMAS",
    "ForeignKey",
    "Key",
    "Located",
    "Relation",
    "SYSTEM_SCHEMAS",
    "Symbols",
    "column_refs",
    "list_name",
    "loc",
    "localize",
    "numbered",
    "rv_name",
    "show_function",
    "strings",
    "type_name",
]

SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema"})
BUILTIN_SCHEMAS = frozenset({"public"}) | SYSTEM_SCHEMAS

_SERIAL_TYPES = frozenset({"serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"})

# Type spellings that name the same type in a function signature.
_TYPE_ALIASES = {
    "int": "int4", "integer": "int4", "bigint": "int8", "smallint": "int2", "boolean": "bool",
    "real": "float4", "double precision": "float8", "float": "float8", "decimal": "numeric",
    "character varying": "varchar", "character": "bpchar", "char": "bpchar",
    "timestamp with time zone": "timestamptz", "time with time zone": "timetz",
    "timestamp without time zone": "timestamp", "time without time zone": "time",
}


# --- positions ----------------------------------------------------------------------------


@dataclass
class Located:
    """A statement with an AST whose locations are offsets into the statement's own text."""

    stmt: Statement
    node: Any
    local: bool

    def at(self, offset: int | None = None) -> tuple[int, int]:
        """(line, col) of an offset inside the statement; the statement's start without one."""
        if not self.local or offset is None or offset < 0 or offset > len(self.stmt.sql):
            return self.stmt.line, self.stmt.col
        prefix = self.stmt.sql[:offset]
        newlines = prefix.count("\n")
        if newlines == 0:
            return self.stmt.line, self.stmt.col + offset
        return self.stmt.line + newlines, offset - prefix.rfind("\n")

    def where(self, offset: int | None = None) -> str:
        """`path:line:col` of an offset inside the statement."""
        line, col = self.at(offset)
        return f"{self.stmt.path}:{line}:{col}"


def localize(stmt: Statement) -> Located:
    """The statement re-parsed on its own, so AST offsets map to line:col without rereading the file."""
    try:
        raw = parse_sql(stmt.sql)
    except ParseError:
        return Located(stmt, stmt.node, False)
    if len(raw) != 1:
        return Located(stmt, stmt.node, False)
    return Located(stmt, raw[0].stmt, True)


def loc(node: Any) -> int | None:
    """A node's offset in its statement, when the parser recorded one."""
    location = getattr(node, "location", None)
    return location if isinstance(location, int) and location >= 0 else None


# --- names --------------------------------------------------------------------------------


def rv_name(rv: ast.RangeVar) -> str:
    """schema.name of a RangeVar (public when unqualified)."""
    return qualify(rv.schemaname, rv.relname)


def list_name(names: Iterable[Any]) -> str:
    """schema.name of a dotted name list."""
    parts = [n.sval for n in names]
    return qualify(parts[-2] if len(parts) > 1 else None, parts[-1])


def strings(values: Iterable[Any] | None) -> list[str]:
    """The String values of a node list."""
    return [v.sval for v in values or () if isinstance(v, ast.String)]


def type_name(name: ast.TypeName) -> str:
    """A type as it reads in a signature, aliases folded (integer = int4)."""
    parts = [n.sval for n in name.names or ()]
    if len(parts) > 1 and parts[0] in ("pg_catalog", "public"):
        parts = parts[1:]
    text = ".".join(parts).lower()
    text = _TYPE_ALIASES.get(text, text)
    if name.arrayBounds:
        text += "[]"
    return text


_INPUT_MODES = frozenset({
    FunctionParameterMode.FUNC_PARAM_IN, FunctionParameterMode.FUNC_PARAM_INOUT,
    FunctionParameterMode.FUNC_PARAM_VARIADIC, FunctionParameterMode.FUNC_PARAM_DEFAULT,
})


def signature(parameters: Iterable[ast.FunctionParameter] | None) -> tuple[str, ...]:
    """The input argument types of a function definition."""
    return tuple(type_name(p.argType) for p in parameters or () if p.mode in _INPUT_MODES)


def show_function(name: str, args: tuple[str, ...]) -> str:
    """name(type, type) as messages show a function."""
    return f"{name}({', '.join(args)})"


def column_refs(node: Any) -> Iterator[tuple[str, int | None]]:
    """Unqualified column references (one-field ColumnRef) below node."""
    for sub in walk(node):
        if isinstance(sub, ast.ColumnRef) and len(sub.fields) == 1 and isinstance(sub.fields[0], ast.String):
            yield sub.fields[0].sval, loc(sub)


def numbered(name: str) -> str:
    """A generated name without the digits PostgreSQL appends to keep it unique."""
    return name.rstrip("0123456789")


_GENERATED_SUFFIXES = {
    ConstrType.CONSTR_PRIMARY: "pkey", ConstrType.CONSTR_UNIQUE: "key", ConstrType.CONSTR_EXCLUSION: "excl",
    ConstrType.CONSTR_FOREIGN: "fkey", ConstrType.CONSTR_CHECK: "check",
}


def _generated_name(table: str, constraint: ast.Constraint, column: str | None) -> str:
    """The name PostgreSQL gives an unnamed constraint: memory_assets_pkey, access_grants_asset_id_fkey."""
    short = table.split(".", 1)[1]
    contype = constraint.contype
    if contype == ConstrType.CONSTR_PRIMARY:
        return f"{short}_pkey"
    if contype == ConstrType.CONSTR_CHECK:
        referenced = sorted({name for name, _ in column_refs(constraint.raw_expr)})
        single = column or (referenced[0] if len(referenced) == 1 else None)
        return f"{short}_{single}_check" if single else f"{short}_check"
    if contype == ConstrType.CONSTR_FOREIGN:
        columns = strings(constraint.fk_attrs)
    elif contype == ConstrType.CONSTR_EXCLUSION:
        columns = [element[0].name for element in constraint.exclusions or () if element[0].name]
    else:
        columns = strings(constraint.keys)
    columns = columns or ([column] if column else [])
    return "_".join([short, *columns, _GENERATED_SUFFIXES[contype]])


def _view_columns(query: Any, aliases: list[str]) -> dict[str, str] | None:
    """Output column names of a view's query; None when they cannot be read off the AST."""
    while isinstance(query, ast.SelectStmt) and query.op != SetOperation.SETOP_NONE:
        query = query.larg
    if not isinstance(query, ast.SelectStmt) or not query.targetList:
        return {name: "" for name in aliases} if aliases else None
    names: list[str] = []
    for target in query.targetList:
        name = target.name or _output_name(target.val)
        if name is None:
            return None
        names.append(name)
    names[:len(aliases)] = aliases
    return {name: "" for name in names}


def _output_name(value: Any) -> str | None:
    """The name PostgreSQL gives an unaliased output column, where the AST tells it."""
    if isinstance(value, ast.ColumnRef):
        last = value.fields[-1]
        return last.sval if isinstance(last, ast.String) else None
    if isinstance(value, ast.FuncCall):
        return value.funcname[-1].sval
    if isinstance(value, ast.TypeCast):
        return _output_name(value.arg)
    if isinstance(value, ast.CoalesceExpr):
        return "coalesce"
    if isinstance(value, ast.CaseExpr):
        return "case"
    if isinstance(value, (ast.A_Const, ast.A_Expr)):
        return "?column?"
    return None


# --- the model ------------------------------------------------------------------------------


@dataclass
class Key:
    """Columns of a PRIMARY KEY, UNIQUE constraint or index, as far as they are plain columns."""

    columns: tuple[str, ...]
    unique: bool
    partial: bool = False
    complete: bool = True  # False when an expression ends the plain-column prefix


@dataclass
class ForeignKey:
    """A FOREIGN KEY constraint and the statement that declares it."""

    where: Located
    constraint: ast.Constraint
    table: str
    columns: tuple[str, ...]


@dataclass
class Relation:
    """A table, view, materialized view, sequence or index, and what is known of it."""

    name: str
    kind: str
    where: str
    defined_by: Located | None = None
    defined_at: int | None = None
    columns: dict[str, str] | None = field(default_factory=dict)  # None: not known offline
    primary: bool = False
    primary_key: tuple[str, ...] | None = None
    keys: list[Key] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    constraints: dict[str, str] = field(default_factory=dict)
    generated_names: set[str] = field(default_factory=set)  # what PostgreSQL names unnamed constraints
    rls: Located | None = None
    rls_offset: int | None = None
    policies: dict[str, Located] = field(default_factory=dict)
    triggers: dict[str, str] = field(default_factory=dict)

    def has_column(self, column: str) -> bool:
        """True when the column exists, or the columns are not known offline."""
        return self.columns is None or column in self.columns

    def supports(self, columns: tuple[str, ...]) -> bool:
        """True when an index, PRIMARY KEY or UNIQUE of the relation leads with exactly these columns."""
        if not columns:
            return True
        wanted = set(columns)
        for key in self.keys:
            if key.partial or len(key.columns) < len(columns):
                continue
            if set(key.columns[:len(columns)]) == wanted:
                return True
        return False


@dataclass(frozen=True)
class PendingColumns:
    """Columns a statement uses on a relation, checked once every ADD COLUMN is in."""

    at: Located
    relation: Relation
    columns: tuple[str, ...]
    offset: int | None
    context: str  # key, expression, index, trigger


class Symbols:
    """Every object the declarative statements define; built once, read by every rule family."""

    def __init__(self, source: Source, statements: list[Located], declarative: list[Located]) -> None:
        self.source = source
        self.statements = statements  # every parsed statement
        self.declarative = declarative  # those that declare something; the rest only get SC002
        self.complete = not source.failures
        self.relations: dict[str, Relation] = {}
        self.functions: dict[str, dict[tuple[str, ...], str]] = {}
        self.roles: dict[str, str] = {}
        self.schemas: dict[str, str] = {}
        self.extensions: dict[str, str] = {}
        self.pending_columns: list[PendingColumns] = []
        self.duplicates: list[Issue] = []  # SC003, found while defining
        self.unresolved: list[Issue] = []  # SC004, attachments to relations that do not exist
        for st in declarative:
            self._define(st)
        for st in declarative:
            if isinstance(st.node, ast.AlterTableStmt):
                self._attach_alter_table(st)
        for st in declarative:
            if isinstance(st.node, ast.IndexStmt):
                self._attach_index(st)
            elif isinstance(st.node, ast.CreateTrigStmt):
                self._attach_trigger(st)
            elif isinstance(st.node, ast.CreatePolicyStmt):
                self._attach_policy(st)

    def generated_index_name(self, index: str) -> bool:
        """True when an index name is what PostgreSQL names the index of an unnamed PRIMARY KEY or UNIQUE."""
        schema, short = index.split(".", 1)
        short = numbered(short)
        return any(short in r.generated_names and short.endswith(("_pkey", "_key", "_excl"))
                   for r in self.relations.values() if r.name.split(".", 1)[0] == schema)

    # definitions (pass 1)

    def _duplicate(self, st: Located, message: str, offset: int | None = None) -> None:
        self.duplicates.append(Issue("SC003", st, message, offset))

    def _claim_relation(self, st: Located, name: str, kind: str, offset: int | None) -> Relation | None:
        """Register a name in the relation namespace; SC003 (and None) if it is taken."""
        taken = self.relations.get(name)
        if taken is not None:
            self._duplicate(st, f"{kind} {name} is already defined ({taken.kind} at {taken.where})", offset)
            return None
        relation = Relation(name=name, kind=kind, where=st.where(offset), defined_by=st, defined_at=offset)
        self.relations[name] = relation
        return relation

    def _define(self, st: Located) -> None:
        node = st.node
        if isinstance(node, ast.CreateStmt):
            self._define_table(st, node)
        elif isinstance(node, ast.ViewStmt):
            relation = self._claim_relation(st, rv_name(node.view), "view", loc(node.view))
            if relation is not None:
                relation.columns = _view_columns(node.query, strings(node.aliases))
        elif isinstance(node, ast.CreateTableAsStmt) and node.objtype == ObjectType.OBJECT_MATVIEW:
            rel = node.into.rel
            relation = self._claim_relation(st, rv_name(rel), "materialized view", loc(rel))
            if relation is not None:
                relation.columns = _view_columns(node.query, strings(node.into.colNames))
        elif isinstance(node, ast.CreateSeqStmt):
            self._claim_relation(st, rv_name(node.sequence), "sequence", loc(node.sequence))
        elif isinstance(node, ast.IndexStmt) and node.idxname:
            # An index lives in its table's schema.
            self._claim_relation(st, qualify(node.relation.schemaname, node.idxname), "index", None)
        elif isinstance(node, ast.CreateFunctionStmt):
            name = list_name(node.funcname)
            args = signature(node.parameters)
            overloads = self.functions.setdefault(name, {})
            kind = "procedure" if node.is_procedure else "function"
            if args in overloads:
                self._duplicate(st, f"{kind} {show_function(name, args)} is already defined (at {overloads[args]})")
            else:
                overloads[args] = st.where()
        elif isinstance(node, ast.CreateRoleStmt):
            self._define_once(st, self.roles, "role", node.role)
        elif isinstance(node, ast.CreateSchemaStmt):
            self._define_once(st, self.schemas, "schema", node.schemaname)
        elif isinstance(node, ast.CreateExtensionStmt):
            self._define_once(st, self.extensions, "extension", node.extname)

    def _define_once(self, st: Located, registry: dict[str, str], kind: str, name: str) -> None:
        if name in registry:
            self._duplicate(st, f"{kind} {name} is already defined (at {registry[name]})")
        else:
            registry[name] = st.where()

    def _define_table(self, st: Located, node: ast.CreateStmt) -> None:
        rel = node.relation
        table = self._claim_relation(st, rv_name(rel), "table", loc(rel))
        if table is None:
            return
        if node.inhRelations or node.ofTypename is not None or node.partbound is not None:
            table.columns = None
        for element in node.tableElts or ():
            if isinstance(element, ast.ColumnDef):
                self._add_column(st, table, element)
            elif isinstance(element, ast.Constraint):
                self._add_constraint(st, table, element, None)
            elif isinstance(element, ast.TableLikeClause):
                table.columns = None

    def _add_column(self, st: Located, table: Relation, column: ast.ColumnDef) -> None:
        if table.columns is not None:
            if column.colname in table.columns:
                self._duplicate(st, f"column {column.colname} of {table.name} is already defined "
                                f"(at {table.columns[column.colname]})", loc(column))
                return
            table.columns[column.colname] = st.where(loc(column))
        type_names = [n.sval for n in column.typeName.names or ()] if column.typeName is not None else []
        identity = bool(column.identity and column.identity != "\x00")
        for constraint in column.constraints or ():
            if constraint.contype == ConstrType.CONSTR_IDENTITY:
                identity = True
            self._add_constraint(st, table, constraint, column.colname)
        if identity or (type_names and type_names[-1] in _SERIAL_TYPES):
            schema = table.name.split(".", 1)[0]
            implicit = qualify(schema, f"{table.name.split('.', 1)[1]}_{column.colname}_seq")
            self.relations.setdefault(implicit, Relation(name=implicit, kind="sequence", where=table.where))

    def _pending(self, st: Located, table: Relation, columns: tuple[str, ...], offset: int | None,
                 context: str) -> None:
        self.pending_columns.append(PendingColumns(st, table, columns, offset, context))

    def _add_constraint(self, st: Located, table: Relation, constraint: ast.Constraint, column: str | None) -> None:
        contype = constraint.contype
        keyed = (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE, ConstrType.CONSTR_EXCLUSION)
        named_kinds = keyed + (ConstrType.CONSTR_FOREIGN, ConstrType.CONSTR_CHECK)
        if contype in named_kinds:
            if constraint.conname:
                if constraint.conname in table.constraints:
                    self._duplicate(st, f"constraint {constraint.conname} of {table.name} is already "
                                    f"defined (at {table.constraints[constraint.conname]})", loc(constraint))
                    return
                table.constraints[constraint.conname] = st.where(loc(constraint))
                if contype in keyed:
                    # PRIMARY KEY, UNIQUE and EXCLUDE constraints create an index of the same name.
                    index = qualify(table.name.split(".", 1)[0], constraint.conname)
                    self._claim_relation(st, index, "index", loc(constraint))
            else:
                table.generated_names.add(_generated_name(table.name, constraint, column))
        if contype in (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE):
            columns = tuple(strings(constraint.keys)) or ((column,) if column else ())
            complete = bool(columns) or not constraint.indexname
            table.keys.append(Key(columns=columns, unique=True, complete=complete))
            if contype == ConstrType.CONSTR_PRIMARY:
                table.primary = True
                table.primary_key = columns if complete and columns else None
            self._pending(st, table, columns, loc(constraint), "key")
            self._pending(st, table, tuple(strings(constraint.including)), loc(constraint), "key")
        elif contype == ConstrType.CONSTR_FOREIGN:
            columns = tuple(strings(constraint.fk_attrs)) or ((column,) if column else ())
            table.foreign_keys.append(ForeignKey(where=st, constraint=constraint, table=table.name, columns=columns))
        elif contype in (ConstrType.CONSTR_CHECK, ConstrType.CONSTR_GENERATED):
            for name, offset in column_refs(constraint.raw_expr):
                self._pending(st, table, (name,), offset, "expression")

    # attachments (pass 2)

    def _table_of(self, st: Located, rv: ast.RangeVar, what: str,
                  kinds: tuple[str, ...] = ("table",)) -> Relation | None:
        name = rv_name(rv)
        relation = self.relations.get(name)
        if relation is None:
            self.unresolved.append(Issue("SC004", st, f"{what} refers to table {name}, which is not defined",
                                         loc(rv)))
            return None
        if relation.kind not in kinds:
            self.unresolved.append(Issue("SC004", st, f"{what} refers to {name}, which is a {relation.kind}, "
                                         f"not a {' or '.join(kinds)}", loc(rv)))
            return None
        return relation

    def _attach_alter_table(self, st: Located) -> None:
        node: ast.AlterTableStmt = st.node
        kinds = ("table", "view", "materialized view", "sequence", "index")
        relation = self._table_of(st, node.relation, "ALTER TABLE", kinds)
        if relation is None:
            return
        for cmd in node.cmds or ():
            if cmd.subtype == AlterTableType.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
                self._add_column(st, relation, cmd.def_)
            elif cmd.subtype == AlterTableType.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint):
                self._add_constraint(st, relation, cmd.def_, None)
            elif cmd.subtype == AlterTableType.AT_EnableRowSecurity:
                relation.rls = st
                relation.rls_offset = loc(node.relation)

    def _attach_index(self, st: Located) -> None:
        node: ast.IndexStmt = st.node
        table = self._table_of(st, node.relation, "index", ("table", "materialized view"))
        if table is None:
            return
        plain: list[str] = []
        complete = True
        for element in node.indexParams or ():
            if element.name:
                self._pending(st, table, (element.name,), None, "index")
                if complete:
                    plain.append(element.name)
            else:
                complete = False
                for name, offset in column_refs(element.expr):
                    self._pending(st, table, (name,), offset, "index")
        for element in node.indexIncludingParams or ():
            if element.name:
                self._pending(st, table, (element.name,), None, "index")
        for name, offset in column_refs(node.whereClause):
            self._pending(st, table, (name,), offset, "index")
        table.keys.append(Key(columns=tuple(plain), unique=bool(node.unique),
                              partial=node.whereClause is not None, complete=complete))

    def _attach_trigger(self, st: Located) -> None:
        node: ast.CreateTrigStmt = st.node
        table = self._table_of(st, node.relation, "trigger", ("table", "view"))
        if table is None:
            return
        if node.trigname in table.triggers:
            self._duplicate(st, f"trigger {node.trigname} on {table.name} is already defined "
                            f"(at {table.triggers[node.trigname]})")
        else:
            table.triggers[node.trigname] = st.where()
        columns = tuple(strings(node.columns))
        if columns:
            self._pending(st, table, columns, None, "trigger")

    def _attach_policy(self, st: Located) -> None:
        node: ast.CreatePolicyStmt = st.node
        table = self._table_of(st, node.table, "policy", ("table",))
        if table is None:
            return
        if node.policy_name in table.policies:
            self._duplicate(st, f"policy {node.policy_name} on {table.name} is already defined "
                            f"(at {table.policies[node.policy_name].where()})")
        else:
            table.policies[node.policy_name] = st

"""Validate stage: offline rules on the pglast AST of the desired schema, findings as file:line:col.

Every rule has a stable code (scripts and CI match on it) and a name:

=====  =======================  =============================================================
code   name                     reports
=====  =======================  =============================================================
SC001  parse-error              a file pglast cannot parse (at the error's line and column)
SC002  not-declarative          a statement that changes data or session state instead of
                                declaring an object: INSERT, UPDATE, DELETE, MERGE, COPY,
                                TRUNCATE, SELECT, DO, any DROP, BEGIN/COMMIT/ROLLBACK, SET/RESET,
                                and ALTER forms other than the declarative ones (see below)
SC003  duplicate-object         an object defined twice: a relation name (table, view, sequence,
                                index, the index of a PRIMARY KEY/UNIQUE constraint), a function
                                signature, a trigger or policy on one table, a role, a schema,
                                an extension, a column or a constraint name within one table
SC004  unknown-object           a reference to a table, view, sequence, index, schema, trigger,
                                policy or constraint that the schema does not define
SC005  unknown-column           a column that its table (or view) does not have: foreign keys on
                                both sides, keys, CHECK and generated expressions, index columns,
                                expressions and predicates, UPDATE OF columns, column grants,
                                column comments
SC006  unknown-function         a trigger function, or the function of a GRANT, COMMENT or
                                OWNER TO, that the schema does not define with that signature
SC007  missing-primary-key      a table without a primary key
SC008  unindexed-foreign-key    a foreign key whose columns lead no index, PRIMARY KEY or UNIQUE
                                constraint of the referencing table (deletes on the referenced
                                table would scan it)
SC009  rls-without-policy       row-level security enabled on a table that has no policy
SC010  policy-without-rls       a policy on a table whose row-level security is not enabled
SC011  unknown-role             a role granted to, made a member, named in a policy, an owner or
                                a comment, that no CREATE ROLE defines (PUBLIC, CURRENT_USER and
                                the predefined pg_* roles are fine)
SC012  foreign-key-target       a foreign key whose referenced columns are not exactly a primary
                                key or unique constraint of the target, or differ in number
SC013  password-in-schema       a role password written into the schema
=====  =======================  =============================================================

The declarative ALTER forms are: ALTER TABLE ... ADD COLUMN, ADD CONSTRAINT, ENABLE ROW LEVEL
SECURITY, FORCE ROW LEVEL SECURITY, OWNER TO, SET (storage parameters); ALTER ROLE (attributes,
SET); ALTER ... OWNER TO; ALTER DEFAULT PRIVILEGES; ALTER SEQUENCE ... OWNED BY. GRANT, REVOKE
and COMMENT are declarations too.

When a file cannot be parsed, the rules that need the whole schema (SC004, SC005, SC006, SC009,
SC010, SC011) are not run: the unparsed file may define what they would report as missing.
Names are resolved as PostgreSQL would with the default search path: an unqualified name is in
schema public.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pglast import ast, parse_sql
from pglast.enums import (
    AlterTableType,
    ConstrType,
    FunctionParameterMode,
    GrantTargetType,
    ObjectType,
    RoleSpecType,
    SetOperation,
)
from pglast.parser import ParseError

from schemactl.load import Source, Statement, load_path
from schemactl.objects import qualify, walk

__all__ = ["Finding", "Rule", "RULES", "validate_dir", "validate_source"]


@dataclass(frozen=True)
class Finding:
    """One rule violation at a place in the schema sources."""

    path: str
    line: int
    col: int
    code: str
    message: str

    def render(self) -> str:
        """`path:line:col: CODE message`, the line `schemactl validate` prints."""
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"


@dataclass(frozen=True)
class Rule:
    """A rule's stable code, its name and what it reports."""

    code: str
    name: str
    summary: str


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule("SC001", "parse-error", "a file pglast cannot parse"),
        Rule("SC002", "not-declarative", "a statement that does not declare an object"),
        Rule("SC003", "duplicate-object", "an object defined twice"),
        Rule("SC004", "unknown-object", "a reference to an object the schema does not define"),
        Rule("SC005", "unknown-column", "a column its table or view does not have"),
        Rule("SC006", "unknown-function", "a function the schema does not define with that signature"),
        Rule("SC007", "missing-primary-key", "a table without a primary key"),
        Rule("SC008", "unindexed-foreign-key", "a foreign key without a supporting index"),
        Rule("SC009", "rls-without-policy", "row-level security enabled on a table without a policy"),
        Rule("SC010", "policy-without-rls", "a policy on a table without row-level security"),
        Rule("SC011", "unknown-role", "a role no CREATE ROLE defines"),
        Rule("SC012", "foreign-key-target", "foreign key columns that are not a key of the target"),
        Rule("SC013", "password-in-schema", "a role password written into the schema"),
    )
}

# Rules that need every file parsed: a file that failed could define what they miss.
_WHOLE_SCHEMA_RULES = frozenset({"SC004", "SC005", "SC006", "SC009", "SC010", "SC011"})

_SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema"})
_BUILTIN_SCHEMAS = frozenset({"public"}) | _SYSTEM_SCHEMAS

# Trigger functions shipped in pg_catalog, usable unqualified.
_BUILTIN_TRIGGER_FUNCTIONS = frozenset({
    "suppress_redundant_updates_trigger", "tsvector_update_trigger", "tsvector_update_trigger_column",
})

_SERIAL_TYPES = frozenset({"serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"})

# Type spellings that name the same type in a function signature.
_TYPE_ALIASES = {
    "int": "int4", "integer": "int4", "bigint": "int8", "smallint": "int2", "boolean": "bool",
    "real": "float4", "double precision": "float8", "float": "float8", "decimal": "numeric",
    "character varying": "varchar", "character": "bpchar", "char": "bpchar",
    "timestamp with time zone": "timestamptz", "time with time zone": "timetz",
    "timestamp without time zone": "timestamp", "time without time zone": "time",
}

# How the common non-declarative ALTER TABLE subcommands read in SQL (the rest by enum name).
_ALTER_TABLE_WORDS = {
    AlterTableType.AT_ColumnDefault: "ALTER COLUMN ... SET/DROP DEFAULT",
    AlterTableType.AT_SetNotNull: "ALTER COLUMN ... SET NOT NULL",
    AlterTableType.AT_DropNotNull: "ALTER COLUMN ... DROP NOT NULL",
    AlterTableType.AT_AlterColumnType: "ALTER COLUMN ... TYPE",
    AlterTableType.AT_DropColumn: "DROP COLUMN",
    AlterTableType.AT_DropConstraint: "DROP CONSTRAINT",
    AlterTableType.AT_ValidateConstraint: "VALIDATE CONSTRAINT",
    AlterTableType.AT_DisableRowSecurity: "DISABLE ROW LEVEL SECURITY",
    AlterTableType.AT_NoForceRowSecurity: "NO FORCE ROW LEVEL SECURITY",
    AlterTableType.AT_EnableTrig: "ENABLE TRIGGER",
    AlterTableType.AT_DisableTrig: "DISABLE TRIGGER",
}

_DECLARATIVE_ALTER_TABLE = frozenset({
    AlterTableType.AT_AddColumn,
    AlterTableType.AT_AddConstraint,
    AlterTableType.AT_EnableRowSecurity,
    AlterTableType.AT_ForceRowSecurity,
    AlterTableType.AT_ChangeOwner,
    AlterTableType.AT_SetRelOptions,
})

# Statements that declare an object or a privilege; everything else is SC002.
_DECLARATIVE_STATEMENTS: tuple[type, ...] = (
    ast.CreateStmt, ast.ViewStmt, ast.IndexStmt, ast.CreateSeqStmt, ast.CreateFunctionStmt,
    ast.CreateTrigStmt, ast.CreatePolicyStmt, ast.CreateRoleStmt, ast.CreateSchemaStmt,
    ast.CreateExtensionStmt, ast.CreateEnumStmt, ast.CreateDomainStmt, ast.CreateRangeStmt,
    ast.CompositeTypeStmt, ast.DefineStmt, ast.CreateStatsStmt, ast.GrantStmt, ast.GrantRoleStmt,
    ast.AlterDefaultPrivilegesStmt, ast.CommentStmt, ast.AlterRoleStmt, ast.AlterRoleSetStmt,
    ast.AlterOwnerStmt,
)

_DATA_STATEMENTS: tuple[type, ...] = (
    ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.MergeStmt, ast.CopyStmt, ast.TruncateStmt,
)

_CODE_STATEMENTS: tuple[type, ...] = (ast.SelectStmt, ast.DoStmt, ast.CallStmt)

_DROP_STATEMENTS: tuple[type, ...] = (
    ast.DropStmt, ast.DropRoleStmt, ast.DropOwnedStmt, ast.DropdbStmt, ast.DropTableSpaceStmt,
    ast.DropSubscriptionStmt, ast.DropUserMappingStmt,
)

_NOT_ALLOWED = "is not allowed in a declarative schema"


def _not_declarative(node: Any, label: str) -> list[str]:
    """Why a statement is not a declaration (SC002 messages); empty when it is one."""
    if isinstance(node, _DATA_STATEMENTS):
        return [f"{label} {_NOT_ALLOWED}: data changes belong in a versioned migration"]
    if isinstance(node, _CODE_STATEMENTS):
        return [f"{label} {_NOT_ALLOWED}: it runs code instead of declaring an object"]
    if isinstance(node, ast.TransactionStmt):
        return [f"{label} {_NOT_ALLOWED}: the tool runs the schema in its own transaction"]
    if isinstance(node, (ast.VariableSetStmt, ast.VariableShowStmt)):
        return [f"{label} {_NOT_ALLOWED}: session settings do not persist; declare the object's own setting instead"]
    if isinstance(node, _DROP_STATEMENTS):
        return [f"{label} {_NOT_ALLOWED}: delete the object's definition instead"]
    if isinstance(node, ast.AlterTableStmt):
        return [f"{label} ... {_ALTER_TABLE_WORDS.get(cmd.subtype, cmd.subtype.name.removeprefix('AT_'))} "
                f"{_NOT_ALLOWED}: write the desired state into the object's CREATE statement"
                for cmd in node.cmds or () if cmd.subtype not in _DECLARATIVE_ALTER_TABLE]
    if isinstance(node, ast.AlterSeqStmt):
        if any(option.defname != "owned_by" for option in node.options or ()):
            return [f"{label} is only allowed with OWNED BY in a declarative schema: "
                    "write the sequence's options into its CREATE SEQUENCE"]
        return []
    if isinstance(node, ast.CreateTableAsStmt):
        if node.objtype != ObjectType.OBJECT_MATVIEW:
            return [f"{label} ... AS {_NOT_ALLOWED}: declare the table's columns with CREATE TABLE"]
        return []
    if isinstance(node, ast.RenameStmt):
        return [f"{label} ... RENAME {_NOT_ALLOWED}: declare the new name (the diff plans the change)"]
    if not isinstance(node, _DECLARATIVE_STATEMENTS):
        fix = ": write the desired state into the object's CREATE statement" if label.startswith("ALTER") else ""
        return [f"{label} {_NOT_ALLOWED}{fix}"]
    return []


def validate_dir(path: Path) -> list[Finding]:
    """Load a schema directory (InputError if missing or without .sql files) and apply every rule."""
    return validate_source(load_path(path))


def validate_source(source: Source) -> list[Finding]:
    """Apply every rule to loaded sources; findings sorted by path, line and column."""
    return _Checker(source).run()


# --- positions ----------------------------------------------------------------------------


@dataclass
class _Stmt:
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
        line, col = self.at(offset)
        return f"{self.stmt.path}:{line}:{col}"


def _localize(stmt: Statement) -> _Stmt:
    # load.py keeps locations relative to the whole file; parsing the statement's own text
    # again gives offsets that map to line:col without rereading the file.
    try:
        raw = parse_sql(stmt.sql)
    except ParseError:
        return _Stmt(stmt, stmt.node, False)
    if len(raw) != 1:
        return _Stmt(stmt, stmt.node, False)
    return _Stmt(stmt, raw[0].stmt, True)


def _loc(node: Any) -> int | None:
    location = getattr(node, "location", None)
    return location if isinstance(location, int) and location >= 0 else None


# --- names --------------------------------------------------------------------------------


def _rv_name(rv: ast.RangeVar) -> str:
    return qualify(rv.schemaname, rv.relname)


def _list_name(names: Iterable[Any]) -> str:
    parts = [n.sval for n in names]
    return qualify(parts[-2] if len(parts) > 1 else None, parts[-1])


def _strings(values: Iterable[Any] | None) -> list[str]:
    return [v.sval for v in values or () if isinstance(v, ast.String)]


def _type_name(type_name: ast.TypeName) -> str:
    parts = [n.sval for n in type_name.names or ()]
    if len(parts) > 1 and parts[0] in ("pg_catalog", "public"):
        parts = parts[1:]
    name = ".".join(parts).lower()
    name = _TYPE_ALIASES.get(name, name)
    if type_name.arrayBounds:
        name += "[]"
    return name


_INPUT_MODES = frozenset({
    FunctionParameterMode.FUNC_PARAM_IN, FunctionParameterMode.FUNC_PARAM_INOUT,
    FunctionParameterMode.FUNC_PARAM_VARIADIC, FunctionParameterMode.FUNC_PARAM_DEFAULT,
})


def _signature(parameters: Iterable[ast.FunctionParameter] | None) -> tuple[str, ...]:
    return tuple(_type_name(p.argType) for p in parameters or () if p.mode in _INPUT_MODES)


def _show_function(name: str, signature: tuple[str, ...]) -> str:
    return f"{name}({', '.join(signature)})"


def _column_refs(node: Any) -> Iterator[tuple[str, int | None]]:
    """Unqualified column references (one-field ColumnRef) below node."""
    for sub in walk(node):
        if isinstance(sub, ast.ColumnRef) and len(sub.fields) == 1 and isinstance(sub.fields[0], ast.String):
            yield sub.fields[0].sval, _loc(sub)


# --- the model the rules run on -------------------------------------------------------------


@dataclass
class _Key:
    """Columns of a PRIMARY KEY, UNIQUE constraint or index, as far as they are plain columns."""

    columns: tuple[str, ...]
    unique: bool
    partial: bool = False
    complete: bool = True  # False when an expression ends the plain-column prefix


@dataclass
class _ForeignKey:
    where: _Stmt
    constraint: ast.Constraint
    table: str
    columns: tuple[str, ...]


@dataclass
class _Relation:
    """A table, view, materialized view, sequence or index, and what is known of it."""

    name: str
    kind: str
    where: str
    defined_by: _Stmt | None = None
    defined_at: int | None = None
    columns: dict[str, str] | None = field(default_factory=dict)  # None: not known offline
    primary: bool = False
    primary_key: tuple[str, ...] | None = None
    keys: list[_Key] = field(default_factory=list)
    foreign_keys: list[_ForeignKey] = field(default_factory=list)
    constraints: dict[str, str] = field(default_factory=dict)
    generated_names: set[str] = field(default_factory=set)  # what PostgreSQL names unnamed constraints
    rls: _Stmt | None = None
    rls_offset: int | None = None
    policies: dict[str, _Stmt] = field(default_factory=dict)
    triggers: dict[str, str] = field(default_factory=dict)

    def has_column(self, column: str) -> bool:
        return self.columns is None or column in self.columns


class _Checker:
    """Collects definitions from every statement first (file order never matters), then checks."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.statements = [_localize(s) for s in source.statements]
        self.complete = not source.failures
        self.findings: list[Finding] = []
        self.relations: dict[str, _Relation] = {}
        self.functions: dict[str, dict[tuple[str, ...], str]] = {}
        self.roles: dict[str, str] = {}
        self.schemas: dict[str, str] = {}
        self.extensions: dict[str, str] = {}
        # Column checks wait until every ALTER TABLE ... ADD COLUMN is in.
        self.pending_columns: list[tuple[_Stmt, _Relation, tuple[str, ...], int | None, str]] = []

    # reporting

    def report(self, at: _Stmt, code: str, message: str, offset: int | None = None) -> None:
        if code in _WHOLE_SCHEMA_RULES and not self.complete:
            return
        line, col = at.at(offset)
        self.findings.append(Finding(path=at.stmt.path, line=line, col=col, code=code, message=message))

    def run(self) -> list[Finding]:
        for failure in self.source.failures:
            self.findings.append(Finding(path=failure.path, line=failure.line, col=failure.col, code="SC001",
                                         message=failure.message))
        # A statement that declares nothing gets no further findings.
        self.statements = [st for st in self.statements if self._check_declarative(st)]
        for st in self.statements:
            self._define(st)
        for st in self.statements:
            if isinstance(st.node, ast.AlterTableStmt):
                self._attach_alter_table(st)
        for st in self.statements:
            if isinstance(st.node, ast.IndexStmt):
                self._attach_index(st)
            elif isinstance(st.node, ast.CreateTrigStmt):
                self._attach_trigger(st)
            elif isinstance(st.node, ast.CreatePolicyStmt):
                self._attach_policy(st)
        for st in self.statements:
            self._check_references(st)
            self._check_roles(st)
        self._check_pending_columns()
        for relation in self.relations.values():
            self._check_relation(relation)
        return sorted(set(self.findings), key=lambda f: (f.path, f.line, f.col, f.code, f.message))

    # SC002, SC013

    def _check_declarative(self, st: _Stmt) -> bool:
        """SC002 and SC013; False when the statement declares nothing (it then gets no other rule)."""
        reasons = _not_declarative(st.node, _statement_label(st.stmt.sql))
        for reason in reasons:
            self.report(st, "SC002", reason)
        node = st.node
        if isinstance(node, (ast.CreateRoleStmt, ast.AlterRoleStmt)):
            for option in node.options or ():
                if option.defname == "password" and option.arg is not None:
                    role = node.role if isinstance(node, ast.CreateRoleStmt) else (node.role.rolename or "")
                    self.report(st, "SC013", f"role {role} has a password in the schema: set passwords "
                                "out of band, never in the repository", getattr(option, "arg_location", None))
        return not reasons

    # definitions (pass 1)

    def _claim_relation(self, st: _Stmt, name: str, kind: str, offset: int | None) -> _Relation | None:
        """Register a name in the relation namespace; SC003 (and None) if it is taken."""
        taken = self.relations.get(name)
        if taken is not None:
            self.report(st, "SC003", f"{kind} {name} is already defined ({taken.kind} at {taken.where})", offset)
            return None
        relation = _Relation(name=name, kind=kind, where=st.where(offset), defined_by=st, defined_at=offset)
        self.relations[name] = relation
        return relation

    def _require_schema(self, st: _Stmt, schema: str | None, offset: int | None) -> None:
        if schema and schema not in _BUILTIN_SCHEMAS and schema not in self.schemas:
            self.report(st, "SC004", f"schema {schema} is not defined (CREATE SCHEMA {schema})", offset)

    def _define(self, st: _Stmt) -> None:
        node = st.node
        if isinstance(node, ast.CreateStmt):
            self._define_table(st, node)
        elif isinstance(node, ast.ViewStmt):
            relation = self._claim_relation(st, _rv_name(node.view), "view", _loc(node.view))
            if relation is not None:
                relation.columns = _view_columns(node.query, _strings(node.aliases))
        elif isinstance(node, ast.CreateTableAsStmt) and node.objtype == ObjectType.OBJECT_MATVIEW:
            rel = node.into.rel
            relation = self._claim_relation(st, _rv_name(rel), "materialized view", _loc(rel))
            if relation is not None:
                relation.columns = _view_columns(node.query, _strings(node.into.colNames))
        elif isinstance(node, ast.CreateSeqStmt):
            self._claim_relation(st, _rv_name(node.sequence), "sequence", _loc(node.sequence))
        elif isinstance(node, ast.IndexStmt) and node.idxname:
            # An index lives in its table's schema.
            self._claim_relation(st, qualify(node.relation.schemaname, node.idxname), "index", None)
        elif isinstance(node, ast.CreateFunctionStmt):
            name = _list_name(node.funcname)
            signature = _signature(node.parameters)
            overloads = self.functions.setdefault(name, {})
            kind = "procedure" if node.is_procedure else "function"
            if signature in overloads:
                self.report(st, "SC003", f"{kind} {_show_function(name, signature)} is already defined "
                            f"(at {overloads[signature]})")
            else:
                overloads[signature] = st.where()
        elif isinstance(node, ast.CreateRoleStmt):
            self._define_once(st, self.roles, "role", node.role)
        elif isinstance(node, ast.CreateSchemaStmt):
            self._define_once(st, self.schemas, "schema", node.schemaname)
        elif isinstance(node, ast.CreateExtensionStmt):
            self._define_once(st, self.extensions, "extension", node.extname)

    def _define_once(self, st: _Stmt, registry: dict[str, str], kind: str, name: str) -> None:
        if name in registry:
            self.report(st, "SC003", f"{kind} {name} is already defined (at {registry[name]})")
        else:
            registry[name] = st.where()

    def _define_table(self, st: _Stmt, node: ast.CreateStmt) -> None:
        rel = node.relation
        table = self._claim_relation(st, _rv_name(rel), "table", _loc(rel))
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

    def _add_column(self, st: _Stmt, table: _Relation, column: ast.ColumnDef) -> None:
        if table.columns is not None:
            if column.colname in table.columns:
                self.report(st, "SC003", f"column {column.colname} of {table.name} is already defined "
                            f"(at {table.columns[column.colname]})", _loc(column))
                return
            table.columns[column.colname] = st.where(_loc(column))
        type_names = [n.sval for n in column.typeName.names or ()] if column.typeName is not None else []
        identity = bool(column.identity and column.identity != "\x00")
        for constraint in column.constraints or ():
            if constraint.contype == ConstrType.CONSTR_IDENTITY:
                identity = True
            self._add_constraint(st, table, constraint, column.colname)
        if identity or (type_names and type_names[-1] in _SERIAL_TYPES):
            schema = table.name.split(".", 1)[0]
            implicit = qualify(schema, f"{table.name.split('.', 1)[1]}_{column.colname}_seq")
            self.relations.setdefault(implicit, _Relation(name=implicit, kind="sequence", where=table.where))

    def _add_constraint(self, st: _Stmt, table: _Relation, constraint: ast.Constraint, column: str | None) -> None:
        contype = constraint.contype
        keyed = (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE, ConstrType.CONSTR_EXCLUSION)
        named_kinds = keyed + (ConstrType.CONSTR_FOREIGN, ConstrType.CONSTR_CHECK)
        if contype in named_kinds:
            if constraint.conname:
                if constraint.conname in table.constraints:
                    self.report(st, "SC003", f"constraint {constraint.conname} of {table.name} is already "
                                f"defined (at {table.constraints[constraint.conname]})", _loc(constraint))
                    return
                table.constraints[constraint.conname] = st.where(_loc(constraint))
                if contype in keyed:
                    # PRIMARY KEY, UNIQUE and EXCLUDE constraints create an index of the same name.
                    index = qualify(table.name.split(".", 1)[0], constraint.conname)
                    self._claim_relation(st, index, "index", _loc(constraint))
            else:
                table.generated_names.add(_generated_name(table.name, constraint, column))
        if contype in (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE):
            columns = tuple(_strings(constraint.keys)) or ((column,) if column else ())
            complete = bool(columns) or not constraint.indexname
            table.keys.append(_Key(columns=columns, unique=True, complete=complete))
            if contype == ConstrType.CONSTR_PRIMARY:
                table.primary = True
                table.primary_key = columns if complete and columns else None
            self.pending_columns.append((st, table, columns, _loc(constraint), "key"))
            self.pending_columns.append((st, table, tuple(_strings(constraint.including)), _loc(constraint), "key"))
        elif contype == ConstrType.CONSTR_FOREIGN:
            columns = tuple(_strings(constraint.fk_attrs)) or ((column,) if column else ())
            table.foreign_keys.append(_ForeignKey(where=st, constraint=constraint, table=table.name, columns=columns))
        elif contype in (ConstrType.CONSTR_CHECK, ConstrType.CONSTR_GENERATED):
            for name, offset in _column_refs(constraint.raw_expr):
                self.pending_columns.append((st, table, (name,), offset, "expression"))

    # attachments (pass 2)

    def _table_of(self, st: _Stmt, rv: ast.RangeVar, what: str,
                  kinds: tuple[str, ...] = ("table",)) -> _Relation | None:
        name = _rv_name(rv)
        relation = self.relations.get(name)
        if relation is None:
            self.report(st, "SC004", f"{what} refers to table {name}, which is not defined", _loc(rv))
            return None
        if relation.kind not in kinds:
            self.report(st, "SC004", f"{what} refers to {name}, which is a {relation.kind}, not a "
                        f"{' or '.join(kinds)}", _loc(rv))
            return None
        return relation

    def _attach_alter_table(self, st: _Stmt) -> None:
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
                relation.rls_offset = _loc(node.relation)

    def _attach_index(self, st: _Stmt) -> None:
        node: ast.IndexStmt = st.node
        table = self._table_of(st, node.relation, "index", ("table", "materialized view"))
        if table is None:
            return
        plain: list[str] = []
        complete = True
        for element in node.indexParams or ():
            if element.name:
                self.pending_columns.append((st, table, (element.name,), None, "index"))
                if complete:
                    plain.append(element.name)
            else:
                complete = False
                for name, offset in _column_refs(element.expr):
                    self.pending_columns.append((st, table, (name,), offset, "index"))
        for element in node.indexIncludingParams or ():
            if element.name:
                self.pending_columns.append((st, table, (element.name,), None, "index"))
        for name, offset in _column_refs(node.whereClause):
            self.pending_columns.append((st, table, (name,), offset, "index"))
        table.keys.append(_Key(columns=tuple(plain), unique=bool(node.unique),
                               partial=node.whereClause is not None, complete=complete))

    def _attach_trigger(self, st: _Stmt) -> None:
        node: ast.CreateTrigStmt = st.node
        table = self._table_of(st, node.relation, "trigger", ("table", "view"))
        if table is None:
            return
        if node.trigname in table.triggers:
            self.report(st, "SC003", f"trigger {node.trigname} on {table.name} is already defined "
                        f"(at {table.triggers[node.trigname]})")
        else:
            table.triggers[node.trigname] = st.where()
        columns = tuple(_strings(node.columns))
        if columns:
            self.pending_columns.append((st, table, columns, None, "trigger"))

    def _attach_policy(self, st: _Stmt) -> None:
        node: ast.CreatePolicyStmt = st.node
        table = self._table_of(st, node.table, "policy", ("table",))
        if table is None:
            return
        if node.policy_name in table.policies:
            self.report(st, "SC003", f"policy {node.policy_name} on {table.name} is already defined "
                        f"(at {table.policies[node.policy_name].where()})")
        else:
            table.policies[node.policy_name] = st

    # references (pass 3)

    def _check_references(self, st: _Stmt) -> None:
        node = st.node
        if isinstance(node, ast.CreateStmt):
            self._require_schema(st, node.relation.schemaname, _loc(node.relation))
        elif isinstance(node, ast.ViewStmt):
            self._require_schema(st, node.view.schemaname, _loc(node.view))
            self._check_query_relations(st, node.query, f"view {_rv_name(node.view)}")
        elif isinstance(node, ast.CreateTableAsStmt):
            self._check_query_relations(st, node.query, f"materialized view {_rv_name(node.into.rel)}")
        elif isinstance(node, ast.CreateSeqStmt):
            self._require_schema(st, node.sequence.schemaname, _loc(node.sequence))
        elif isinstance(node, ast.CreateFunctionStmt):
            names = _strings(node.funcname)
            self._require_schema(st, names[-2] if len(names) > 1 else None, None)
        elif isinstance(node, ast.CreateTrigStmt):
            self._check_function(st, node.funcname, (), "trigger function")
        elif isinstance(node, ast.CreatePolicyStmt):
            what = f"policy {node.policy_name}"
            self._check_query_relations(st, node.qual, what)
            self._check_query_relations(st, node.with_check, what)
        elif isinstance(node, ast.GrantStmt):
            self._check_grant(st, node)
        elif isinstance(node, ast.CommentStmt):
            self._check_comment(st, node)
        elif isinstance(node, ast.AlterOwnerStmt):
            if isinstance(node.object, ast.ObjectWithArgs):
                self._check_function_object(st, node.object, "OWNER TO of function")
            elif node.objectType == ObjectType.OBJECT_SCHEMA and isinstance(node.object, ast.String):
                self._require_schema(st, node.object.sval, None)
        elif isinstance(node, ast.AlterSeqStmt):
            self._check_sequence(st, node.sequence)
            for option in node.options or ():
                if option.defname == "owned_by":
                    self._check_owned_by(st, _strings(option.arg))

    def _check_query_relations(self, st: _Stmt, query: Any, what: str) -> None:
        if query is None:
            return
        ctes = {sub.ctename for sub in walk(query) if isinstance(sub, ast.CommonTableExpr)}
        for sub in walk(query):
            if not isinstance(sub, ast.RangeVar):
                continue
            if sub.schemaname in _SYSTEM_SCHEMAS or (sub.schemaname is None and sub.relname in ctes):
                continue
            if sub.schemaname is None and sub.relname.startswith("pg_"):
                continue
            name = _rv_name(sub)
            relation = self.relations.get(name)
            if relation is None or relation.kind == "index":
                self.report(st, "SC004", f"{what} reads {name}, which is not defined", _loc(sub))

    def _check_sequence(self, st: _Stmt, rv: ast.RangeVar) -> None:
        name = _rv_name(rv)
        relation = self.relations.get(name)
        if relation is None or relation.kind != "sequence":
            self.report(st, "SC004", f"sequence {name} is not defined", _loc(rv))

    def _check_owned_by(self, st: _Stmt, names: list[str]) -> None:
        if len(names) < 2 or names == ["none"]:
            return
        table = qualify(names[-3] if len(names) > 2 else None, names[-2])
        relation = self.relations.get(table)
        if relation is None:
            self.report(st, "SC004", f"OWNED BY refers to table {table}, which is not defined")
        elif not relation.has_column(names[-1]):
            self.report(st, "SC005", f"OWNED BY refers to column {names[-1]}, which {table} does not have")

    def _check_function(self, st: _Stmt, funcname: Iterable[Any], signature: tuple[str, ...] | None,
                        what: str) -> None:
        parts = _strings(funcname)
        name = _list_name(funcname)
        if len(parts) > 1 and parts[-2] in _SYSTEM_SCHEMAS:
            return
        overloads = self.functions.get(name)
        if not overloads:
            if len(parts) == 1 and parts[0] in _BUILTIN_TRIGGER_FUNCTIONS:
                return
            if self.extensions:
                # A declared extension may ship it; its functions are not known offline.
                return
            shown = name if signature is None else _show_function(name, signature)
            self.report(st, "SC006", f"{what} {shown} is not defined")
            return
        if signature is not None and signature not in overloads:
            defined = ", ".join(_show_function(name, s) for s in sorted(overloads))
            self.report(st, "SC006", f"{what} {_show_function(name, signature)} is not defined "
                        f"(defined: {defined})")

    def _check_function_object(self, st: _Stmt, target: ast.ObjectWithArgs, what: str) -> None:
        signature = None if target.args_unspecified else tuple(_type_name(t) for t in target.objargs or ())
        self._check_function(st, target.objname, signature, what)

    def _check_grant(self, st: _Stmt, node: ast.GrantStmt) -> None:
        verb = "GRANT" if node.is_grant else "REVOKE"
        if node.targtype == GrantTargetType.ACL_TARGET_ALL_IN_SCHEMA:
            for schema in _strings(node.objects):
                self._require_schema(st, schema, None)
            return
        if node.objtype == ObjectType.OBJECT_SCHEMA:
            for schema in _strings(node.objects):
                self._require_schema(st, schema, None)
        elif node.objtype in (ObjectType.OBJECT_FUNCTION, ObjectType.OBJECT_PROCEDURE, ObjectType.OBJECT_ROUTINE):
            for target in node.objects or ():
                if isinstance(target, ast.ObjectWithArgs):
                    self._check_function_object(st, target, f"{verb} on function")
        elif node.objtype == ObjectType.OBJECT_SEQUENCE:
            for target in node.objects or ():
                if isinstance(target, ast.RangeVar):
                    self._check_sequence(st, target)
        elif node.objtype == ObjectType.OBJECT_TABLE:
            columns = [c for priv in node.privileges or () for c in _strings(priv.cols)]
            for target in node.objects or ():
                if not isinstance(target, ast.RangeVar):
                    continue
                name = _rv_name(target)
                relation = self.relations.get(name)
                if relation is None or relation.kind == "index":
                    self.report(st, "SC004", f"{verb} on table {name}, which is not defined", _loc(target))
                    continue
                for column in columns:
                    if not relation.has_column(column):
                        self.report(st, "SC005", f"{verb} on column {column}, which {relation.kind} {name} "
                                    "does not have", _loc(target))

    def _check_comment(self, st: _Stmt, node: ast.CommentStmt) -> None:
        objtype = node.objtype
        target = node.object
        relation_kinds = {
            ObjectType.OBJECT_TABLE: ("table",),
            ObjectType.OBJECT_VIEW: ("view",),
            ObjectType.OBJECT_MATVIEW: ("materialized view",),
            ObjectType.OBJECT_SEQUENCE: ("sequence",),
            ObjectType.OBJECT_INDEX: ("index",),
        }
        if objtype in relation_kinds:
            name = _list_name(target)
            relation = self.relations.get(name)
            kinds = relation_kinds[objtype]
            if relation is None and objtype == ObjectType.OBJECT_INDEX and self._generated_index_name(name):
                return
            if relation is None:
                self.report(st, "SC004", f"COMMENT on {kinds[0]} {name}, which is not defined")
            elif relation.kind not in kinds:
                self.report(st, "SC004", f"COMMENT on {kinds[0]} {name}, which is a {relation.kind}")
        elif objtype == ObjectType.OBJECT_COLUMN:
            name = _list_name(target[:-1])
            column = target[-1].sval
            relation = self.relations.get(name)
            if relation is None or relation.kind not in ("table", "view", "materialized view"):
                self.report(st, "SC004", f"COMMENT on column {column} of {name}, which is not defined")
            elif not relation.has_column(column):
                self.report(st, "SC005", f"COMMENT on column {column}, which {relation.kind} {name} does not have")
        elif objtype in (ObjectType.OBJECT_TRIGGER, ObjectType.OBJECT_POLICY, ObjectType.OBJECT_TABCONSTRAINT):
            name = _list_name(target[:-1])
            member = target[-1].sval
            what = {ObjectType.OBJECT_TRIGGER: "trigger", ObjectType.OBJECT_POLICY: "policy",
                    ObjectType.OBJECT_TABCONSTRAINT: "constraint"}[objtype]
            relation = self.relations.get(name)
            if relation is None or relation.kind == "index":
                self.report(st, "SC004", f"COMMENT on {what} {member} on {name}, which is not defined")
                return
            members = {"trigger": relation.triggers, "policy": relation.policies,
                       "constraint": relation.constraints}[what]
            if member in members:
                return
            if what == "constraint" and _numbered(member) in relation.generated_names:
                return
            self.report(st, "SC004", f"COMMENT on {what} {member}, which {name} does not have")
        elif objtype in (ObjectType.OBJECT_FUNCTION, ObjectType.OBJECT_PROCEDURE, ObjectType.OBJECT_ROUTINE):
            if isinstance(target, ast.ObjectWithArgs):
                self._check_function_object(st, target, "COMMENT on function")
        elif objtype == ObjectType.OBJECT_SCHEMA:
            self._require_schema(st, target.sval, None)
        elif objtype == ObjectType.OBJECT_EXTENSION:
            if target.sval not in self.extensions:
                self.report(st, "SC004", f"COMMENT on extension {target.sval}, which is not defined")

    def _generated_index_name(self, index: str) -> bool:
        """True when an index name is what PostgreSQL names the index of an unnamed PRIMARY KEY or UNIQUE."""
        schema, short = index.split(".", 1)
        short = _numbered(short)
        return any(short in r.generated_names and short.endswith(("_pkey", "_key", "_excl"))
                   for r in self.relations.values() if r.name.split(".", 1)[0] == schema)

    # SC011

    def _check_roles(self, st: _Stmt) -> None:
        node = st.node
        for sub in walk(node):
            if isinstance(sub, ast.RoleSpec) and sub.roletype == RoleSpecType.ROLESPEC_CSTRING:
                self._require_role(st, sub.rolename, _loc(sub))
        if isinstance(node, ast.GrantRoleStmt):
            for granted in node.granted_roles or ():
                self._require_role(st, granted.priv_name, None)
        elif isinstance(node, ast.CommentStmt) and node.objtype == ObjectType.OBJECT_ROLE:
            self._require_role(st, node.object.sval, None)

    def _require_role(self, st: _Stmt, role: str, offset: int | None) -> None:
        if role in self.roles or role.startswith("pg_"):
            return
        self.report(st, "SC011", f"role {role} is not defined in the schema (CREATE ROLE {role})", offset)

    # per-relation rules (SC005 pending, SC007, SC008, SC009, SC010, SC012, SC004 for FK targets)

    def _check_relation(self, relation: _Relation) -> None:
        if relation.kind != "table" or relation.defined_by is None:
            return
        # A partition takes its parent's key; LIKE, INHERITS and OF bring keys not known offline.
        known_shape = relation.columns is not None
        if known_shape and not relation.primary:
            self.report(relation.defined_by, "SC007", f"table {relation.name} has no primary key", relation.defined_at)
        for fk in relation.foreign_keys:
            self._check_foreign_key(relation, fk, check_index=known_shape)
        if relation.rls is not None and not relation.policies:
            self.report(relation.rls, "SC009", f"row-level security is enabled on {relation.name} but it has no "
                        "policy: every row is hidden from everyone but the owner", relation.rls_offset)
        if relation.rls is None:
            for policy, st in relation.policies.items():
                self.report(st, "SC010", f"policy {policy} on {relation.name} has no effect: row-level security "
                            f"is not enabled (ALTER TABLE {relation.name} ENABLE ROW LEVEL SECURITY)",
                            _loc(st.node.table))

    def _check_pending_columns(self) -> None:
        for st, relation, columns, offset, what in self.pending_columns:
            for column in columns:
                if not relation.has_column(column):
                    self.report(st, "SC005", f"{_COLUMN_CONTEXT[what]} column {column}, which {relation.kind} "
                                f"{relation.name} does not have", offset)

    def _check_foreign_key(self, relation: _Relation, fk: _ForeignKey, *, check_index: bool) -> None:
        st, constraint = fk.where, fk.constraint
        offset = _loc(constraint)
        shown = f"foreign key {constraint.conname}" if constraint.conname else "foreign key"
        for column in fk.columns:
            if not relation.has_column(column):
                self.report(st, "SC005", f"{shown} uses column {column}, which table {relation.name} does not have",
                            offset)
        target_name = _rv_name(constraint.pktable)
        target = self.relations.get(target_name)
        if target is None or target.kind != "table":
            what = "which is not defined" if target is None else f"which is a {target.kind}, not a table"
            self.report(st, "SC004", f"{shown} references {target_name}, {what}", _loc(constraint.pktable))
        else:
            referenced = tuple(_strings(constraint.pk_attrs))
            for column in referenced:
                if not target.has_column(column):
                    self.report(st, "SC005", f"{shown} references column {column}, which table {target_name} "
                                "does not have", _loc(constraint.pktable))
            self._check_foreign_key_target(st, fk, target, referenced, shown)
        if check_index and all(relation.has_column(c) for c in fk.columns) and not _supported(relation, fk.columns):
            columns = ", ".join(fk.columns)
            self.report(st, "SC008", f"{shown} ({columns}) on {relation.name} has no supporting index: "
                        f"add an index on {relation.name} ({columns})", offset)

    def _check_foreign_key_target(self, st: _Stmt, fk: _ForeignKey, target: _Relation,
                                  referenced: tuple[str, ...], shown: str) -> None:
        if target.columns is None:
            return
        offset = _loc(fk.constraint.pktable)
        if not referenced:
            if target.primary_key is None:
                self.report(st, "SC012", f"{shown} names no columns, and {target.name} has no primary key", offset)
                return
            referenced = target.primary_key
        if len(referenced) != len(fk.columns):
            self.report(st, "SC012", f"{shown} has {len(fk.columns)} columns but references {len(referenced)}",
                        offset)
            return
        keys = [set(k.columns) for k in target.keys if k.unique and not k.partial and k.complete]
        if set(referenced) not in keys and all(target.has_column(c) for c in referenced):
            self.report(st, "SC012", f"{shown} references {target.name} ({', '.join(referenced)}), which is not "
                        "its primary key or a unique constraint", offset)


_COLUMN_CONTEXT = {
    "key": "key uses",
    "expression": "expression uses",
    "index": "index uses",
    "trigger": "trigger fires on",
}


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
        referenced = sorted({name for name, _ in _column_refs(constraint.raw_expr)})
        single = column or (referenced[0] if len(referenced) == 1 else None)
        return f"{short}_{single}_check" if single else f"{short}_check"
    if contype == ConstrType.CONSTR_FOREIGN:
        columns = _strings(constraint.fk_attrs)
    elif contype == ConstrType.CONSTR_EXCLUSION:
        columns = [element[0].name for element in constraint.exclusions or () if element[0].name]
    else:
        columns = _strings(constraint.keys)
    columns = columns or ([column] if column else [])
    return "_".join([short, *columns, _GENERATED_SUFFIXES[contype]])


def _numbered(name: str) -> str:
    """A generated name without the digits PostgreSQL appends to keep it unique."""
    return name.rstrip("0123456789")


def _supported(relation: _Relation, columns: tuple[str, ...]) -> bool:
    """True when an index, PRIMARY KEY or UNIQUE of relation leads with exactly these columns."""
    if not columns:
        return True
    wanted = set(columns)
    for key in relation.keys:
        if key.partial or len(key.columns) < len(columns):
            continue
        if set(key.columns[:len(columns)]) == wanted:
            return True
    return False


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


# Words after which a statement's label reads on: CREATE OR REPLACE FUNCTION, DROP MATERIALIZED VIEW.
_LABEL_PREFIXES = frozenset({
    "CREATE", "ALTER", "DROP", "OR", "REPLACE", "MATERIALIZED", "FOREIGN", "UNIQUE", "UNLOGGED", "TEMP",
    "TEMPORARY", "DEFAULT",
})


def _statement_label(sql: str) -> str:
    """What a statement is, as its leading keywords read: `DROP TABLE`, `ALTER SEQUENCE`, `INSERT`."""
    words: list[str] = []
    for word in sql.replace(";", " ").split()[:5]:
        words.append(word.upper())
        if words[-1] not in _LABEL_PREFIXES:
            break
    return " ".join(words) or "statement"

"""Which database object a planned statement changes, named one way everywhere (drift reports).

A name is schema-qualified and quoted only where PostgreSQL's quote_ident() would quote it;
a function carries its identity arguments as regprocedure prints them (`public.f(integer,text)`);
triggers, policies and constraints are `name on schema.table`, columns `schema.table.column`,
as pg_identify_object() writes them. A statement that changes no object (a session SET) has none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass

from pglast import ast, parse_sql
from pglast.enums import AlterTableType, ObjectType
from pglast.enums.parsenodes import FunctionParameterMode
from pglast.keywords import COL_NAME_KEYWORDS, RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS
from pglast.parser import ParseError

from schemactl.errors import SchemactlError

__all__ = ["KINDS", "ObjectId", "UnknownObject", "identify", "quote_name", "name_of_object"]

# Every kind an item of a drift report can have (the JSON Schema lists the same).
KINDS = (
    "role", "database", "schema", "extension", "type", "domain", "collation", "sequence", "table", "column",
    "constraint", "index", "view", "materialized view", "function", "procedure", "trigger", "policy",
    "default privileges", "rule", "aggregate", "operator", "operator class", "operator family", "statistics",
    "conversion", "text search configuration", "text search dictionary", "text search template",
    "text search parser",
)

# What the statement does to its object: brings it into being, removes it, or changes it.
CREATE, DROP, CHANGE = "create", "drop", "change"

_SIMPLE = re.compile(r"^[a-z_][a-z0-9_]*$")
_KEYWORDS = frozenset(RESERVED_KEYWORDS) | frozenset(TYPE_FUNC_NAME_KEYWORDS) | frozenset(COL_NAME_KEYWORDS)
# migra renames an enum it replaces to this, creates the new one, then drops the old.
_OLD_ENUM_SUFFIX = "__old_version_to_be_dropped"

# format_type()'s spelling of the built-in types the grammar turns into pg_catalog names: SQL's
# own words, never quoted (numeric, bit and interval are keywords, but format_type prints them bare).
_TYPE_NAMES = {
    "numeric": "numeric", "bit": "bit", "interval": "interval",
    "int2": "smallint", "int4": "integer", "int8": "bigint", "float4": "real", "float8": "double precision",
    "bool": "boolean", "bpchar": "character", "varchar": "character varying", "varbit": "bit varying",
    "time": "time without time zone", "timetz": "time with time zone",
    "timestamp": "timestamp without time zone", "timestamptz": "timestamp with time zone",
}


class UnknownObject(SchemactlError):
    """A planned statement names no object the reports know: a gap in this module, never skipped silently."""


@dataclass(frozen=True)
class ObjectId:
    """One object: its kind, its canonical name, what a statement does to it, and (for a column,
    constraint, index, trigger or policy, where the statement says) the table it belongs to."""

    kind: str
    name: str
    effect: str = CHANGE
    table: str = ""


# Keywords (not unreserved) that pglast's grammar knows but older servers do not: quote_ident() on
# a server before this major leaves them bare.
_KEYWORD_SINCE = {
    "json": 16, "json_array": 16, "json_arrayagg": 16, "json_object": 16, "json_objectagg": 16, "system_user": 16,
    "json_exists": 17, "json_query": 17, "json_scalar": 17, "json_serialize": 17, "json_table": 17,
    "json_value": 17, "merge_action": 17,
}
# The server major the names are spelled for (None: the newest grammar), set by identify().
_MAJOR: ContextVar[int | None] = ContextVar("identity_major", default=None)


def quote_name(name: str, *, major: int | None = None) -> str:
    """name as quote_ident() on a server of this major returns it: bare when lower-case and not a
    keyword other than unreserved."""
    major = major if major is not None else _MAJOR.get()
    keyword = name in _KEYWORDS and (major is None or _KEYWORD_SINCE.get(name, 0) <= major)
    if _SIMPLE.match(name) and not keyword:
        return name
    return '"' + name.replace('"', '""') + '"'


def _qualified(schema: str | None, name: str) -> str:
    return f"{quote_name(schema or 'public')}.{quote_name(name)}"


def _rel(rv: ast.RangeVar) -> str:
    return _qualified(rv.schemaname, rv.relname)


def _strings(names: Sequence[ast.Node]) -> list[str]:
    return [n.sval for n in names if isinstance(n, ast.String)]


def _names(names: Sequence[ast.Node]) -> str:
    parts = _strings(names)
    return _qualified(parts[-2] if len(parts) > 1 else None, parts[-1])


def _on(kind: str, names: Sequence[ast.Node], effect: str = CHANGE) -> ObjectId:
    """A trigger, policy or constraint, `name on schema.table`, from a (schema, table, name) list."""
    parts = _strings(names)
    table = _qualified(parts[-3] if len(parts) > 2 else None, parts[-2])
    return _part_of(kind, parts[-1], table, effect)


def _part_of(kind: str, name: str, table: str, effect: str = CHANGE) -> ObjectId:
    return ObjectId(kind, f"{quote_name(name)} on {table}", effect, table)


def _type(type_name: ast.TypeName) -> str:
    """A type as format_type() prints it (without modifiers, as in regprocedure)."""
    parts = _strings(type_name.names)
    if len(parts) == 2 and parts[0] == "pg_catalog":
        text = _TYPE_NAMES.get(parts[1], quote_name(parts[1]))
    elif len(parts) > 1:
        text = ".".join(quote_name(p) for p in parts[-2:])
    else:
        text = quote_name(parts[0])
    return text + ("[]" if type_name.arrayBounds else "")


_INPUT_MODES = {FunctionParameterMode.FUNC_PARAM_IN, FunctionParameterMode.FUNC_PARAM_INOUT,
                FunctionParameterMode.FUNC_PARAM_VARIADIC, FunctionParameterMode.FUNC_PARAM_DEFAULT}


def _signature(names: Sequence[ast.Node], parameters: Sequence[ast.FunctionParameter] | None) -> str:
    """schema.name(type,type): the identity arguments, as regprocedure prints them."""
    types = [_type(p.argType) for p in parameters or () if p.mode in _INPUT_MODES]
    return f"{_names(names)}({','.join(types)})"


def _function(obj: ast.ObjectWithArgs) -> str:
    if obj.objfuncargs is not None:
        return _signature(obj.objname, obj.objfuncargs)
    return f"{_names(obj.objname)}({','.join(_type(t) for t in obj.objargs or ())})"


_RELATION_KINDS = {
    ObjectType.OBJECT_TABLE: "table", ObjectType.OBJECT_VIEW: "view", ObjectType.OBJECT_MATVIEW: "materialized view",
    ObjectType.OBJECT_INDEX: "index", ObjectType.OBJECT_SEQUENCE: "sequence", ObjectType.OBJECT_FOREIGN_TABLE: "table",
}

_COLUMN_COMMANDS = {
    AlterTableType.AT_AddColumn, AlterTableType.AT_DropColumn, AlterTableType.AT_AlterColumnType,
    AlterTableType.AT_ColumnDefault, AlterTableType.AT_SetNotNull, AlterTableType.AT_DropNotNull,
    AlterTableType.AT_AddIdentity, AlterTableType.AT_DropIdentity, AlterTableType.AT_SetIdentity,
    AlterTableType.AT_DropExpression, AlterTableType.AT_SetStatistics, AlterTableType.AT_SetStorage,
    AlterTableType.AT_SetOptions, AlterTableType.AT_ResetOptions, AlterTableType.AT_SetCompression,
    AlterTableType.AT_AlterColumnGenericOptions, AlterTableType.AT_CookedColumnDefault,
}
_CONSTRAINT_COMMANDS = {
    AlterTableType.AT_AddConstraint, AlterTableType.AT_DropConstraint, AlterTableType.AT_ValidateConstraint,
    AlterTableType.AT_AlterConstraint, AlterTableType.AT_AddIndexConstraint,
}


def _alter_table_part(relation: str, cmd: ast.AlterTableCmd) -> ObjectId | None:
    """The column or constraint one ALTER TABLE command changes (None: the table itself)."""
    subtype = cmd.subtype
    if subtype in _COLUMN_COMMANDS:
        column = cmd.def_.colname if subtype == AlterTableType.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef) \
            else cmd.name
        if column:
            effect = {AlterTableType.AT_AddColumn: CREATE, AlterTableType.AT_DropColumn: DROP}.get(subtype, CHANGE)
            return ObjectId("column", f"{relation}.{quote_name(column)}", effect, relation)
    if subtype in _CONSTRAINT_COMMANDS:
        constraint = cmd.def_.conname if isinstance(cmd.def_, ast.Constraint) else cmd.name
        if constraint:
            effect = {AlterTableType.AT_AddConstraint: CREATE, AlterTableType.AT_AddIndexConstraint: CREATE,
                      AlterTableType.AT_DropConstraint: DROP}.get(subtype, CHANGE)
            return _part_of("constraint", constraint, relation, effect)
    return None


def _alter_table(node: ast.AlterTableStmt) -> ObjectId:
    relation = _rel(node.relation)
    kind = "type" if node.objtype == ObjectType.OBJECT_TYPE else _RELATION_KINDS.get(node.objtype, "table")
    parts = {_alter_table_part(relation, cmd) if kind == "table" else None for cmd in node.cmds or ()}
    if len(parts) == 1 and None not in parts:
        part = parts.pop()
        if part is not None:
            return part
    if len(parts) == 2 and None not in parts:
        # A column dropped and added back in one statement (a regenerated column) is one change of it.
        first, second = sorted(parts, key=lambda p: p.effect)
        if first.name == second.name:
            return ObjectId(first.kind, first.name, CHANGE, relation)
    return ObjectId(kind, relation)


def _drop(node: ast.DropStmt) -> ObjectId | None:
    obj = node.objects[0] if node.objects else None
    kind = node.removeType
    if kind in (ObjectType.OBJECT_FUNCTION, ObjectType.OBJECT_PROCEDURE) and isinstance(obj, ast.ObjectWithArgs):
        word = "procedure" if kind == ObjectType.OBJECT_PROCEDURE else "function"
        return ObjectId(word, _function(obj), DROP)
    if kind in (ObjectType.OBJECT_TRIGGER, ObjectType.OBJECT_POLICY) and isinstance(obj, (tuple, list)):
        return _on("trigger" if kind == ObjectType.OBJECT_TRIGGER else "policy", obj, DROP)
    if kind == ObjectType.OBJECT_DOMAIN and isinstance(obj, ast.TypeName):
        return ObjectId("domain", _names(obj.names), DROP)
    if kind == ObjectType.OBJECT_TYPE and isinstance(obj, ast.TypeName):
        parts = _strings(obj.names)
        name = parts[-1].removesuffix(_OLD_ENUM_SUFFIX)
        # The old copy of a replaced enum going away is the last step of changing the enum.
        effect = CHANGE if name != parts[-1] else DROP
        return ObjectId("type", _qualified(parts[-2] if len(parts) > 1 else None, name), effect)
    if kind in (ObjectType.OBJECT_SCHEMA, ObjectType.OBJECT_EXTENSION) and isinstance(obj, ast.String):
        return ObjectId("schema" if kind == ObjectType.OBJECT_SCHEMA else "extension", quote_name(obj.sval), DROP)
    if kind == ObjectType.OBJECT_COLLATION and isinstance(obj, (tuple, list)):
        return ObjectId("collation", _names(obj), DROP)
    if kind in _RELATION_KINDS and isinstance(obj, (tuple, list)):
        return ObjectId(_RELATION_KINDS[kind], _names(obj), DROP)
    return None


def _comment(node: ast.CommentStmt) -> ObjectId | None:
    target, objtype = node.object, node.objtype
    if objtype in _RELATION_KINDS:
        return ObjectId(_RELATION_KINDS[objtype], _names(target))
    if objtype == ObjectType.OBJECT_COLUMN:
        parts = _strings(target)
        table = _qualified(parts[-3] if len(parts) > 2 else None, parts[-2])
        return ObjectId("column", f"{table}.{quote_name(parts[-1])}", CHANGE, table)
    if objtype in (ObjectType.OBJECT_FUNCTION, ObjectType.OBJECT_PROCEDURE):
        return ObjectId("procedure" if objtype == ObjectType.OBJECT_PROCEDURE else "function", _function(target))
    if objtype in (ObjectType.OBJECT_TRIGGER, ObjectType.OBJECT_POLICY, ObjectType.OBJECT_TABCONSTRAINT):
        word = {ObjectType.OBJECT_TRIGGER: "trigger", ObjectType.OBJECT_POLICY: "policy"}.get(objtype, "constraint")
        return _on(word, target)
    if objtype in (ObjectType.OBJECT_ROLE, ObjectType.OBJECT_SCHEMA, ObjectType.OBJECT_EXTENSION,
                   ObjectType.OBJECT_DATABASE) and isinstance(target, ast.String):
        word = {ObjectType.OBJECT_ROLE: "role", ObjectType.OBJECT_SCHEMA: "schema",
                ObjectType.OBJECT_EXTENSION: "extension"}.get(objtype, "database")
        return ObjectId(word, quote_name(target.sval))
    if objtype in (ObjectType.OBJECT_TYPE, ObjectType.OBJECT_DOMAIN) and isinstance(target, ast.TypeName):
        return ObjectId("domain" if objtype == ObjectType.OBJECT_DOMAIN else "type", _names(target.names))
    return None


def _grant(node: ast.GrantStmt) -> ObjectId | None:
    target = node.objects[0] if node.objects else None
    if isinstance(target, ast.RangeVar):
        kind = "sequence" if node.objtype == ObjectType.OBJECT_SEQUENCE else "table"
        columns = {c.sval for p in node.privileges or () for c in p.cols or () if isinstance(c, ast.String)}
        if kind == "table" and len(columns) == 1:
            return ObjectId("column", f"{_rel(target)}.{quote_name(columns.pop())}", CHANGE, _rel(target))
        return ObjectId(kind, _rel(target))
    if isinstance(target, ast.ObjectWithArgs):
        return ObjectId("procedure" if node.objtype == ObjectType.OBJECT_PROCEDURE else "function", _function(target))
    if isinstance(target, ast.String):
        word = {ObjectType.OBJECT_SCHEMA: "schema", ObjectType.OBJECT_DATABASE: "database"}.get(node.objtype)
        return ObjectId(word, quote_name(target.sval)) if word else None
    if isinstance(target, (tuple, list)) and node.objtype in (ObjectType.OBJECT_TYPE, ObjectType.OBJECT_DOMAIN):
        return ObjectId("domain" if node.objtype == ObjectType.OBJECT_DOMAIN else "type", _names(target))
    return None


def _owner(node: ast.AlterOwnerStmt) -> ObjectId | None:
    if isinstance(node.object, ast.ObjectWithArgs):
        return ObjectId("procedure" if node.objectType == ObjectType.OBJECT_PROCEDURE else "function",
                        _function(node.object))
    if isinstance(node.object, ast.String):
        word = {ObjectType.OBJECT_SCHEMA: "schema", ObjectType.OBJECT_DATABASE: "database"}.get(node.objectType)
        return ObjectId(word, quote_name(node.object.sval)) if word else None
    if isinstance(node.object, (tuple, list)):
        word = {ObjectType.OBJECT_TYPE: "type", ObjectType.OBJECT_DOMAIN: "domain",
                ObjectType.OBJECT_COLLATION: "collation"}.get(node.objectType)
        return ObjectId(word, _names(node.object)) if word else None
    return None


def _rename(node: ast.RenameStmt) -> ObjectId | None:
    if node.renameType == ObjectType.OBJECT_COLUMN and node.relation is not None:
        return ObjectId("column", f"{_rel(node.relation)}.{quote_name(node.newname)}", CREATE, _rel(node.relation))
    if node.renameType in _RELATION_KINDS and node.relation is not None:
        schema = node.relation.schemaname
        return ObjectId(_RELATION_KINDS[node.renameType], _qualified(schema, node.newname), CREATE)
    if node.renameType in (ObjectType.OBJECT_TABCONSTRAINT, ObjectType.OBJECT_TRIGGER, ObjectType.OBJECT_POLICY) \
            and node.relation is not None:
        word = {ObjectType.OBJECT_TRIGGER: "trigger", ObjectType.OBJECT_POLICY: "policy"}.get(node.renameType,
                                                                                             "constraint")
        return _part_of(word, node.newname, _rel(node.relation), CREATE)
    if node.renameType == ObjectType.OBJECT_TYPE and isinstance(node.object, (tuple, list)):
        # migra's first step of replacing an enum: the old one moves aside (the new one is created next).
        return ObjectId("type", _names(node.object), DROP if node.newname.endswith(_OLD_ENUM_SUFFIX) else CHANGE)
    return None


def _role(node: ast.Node) -> ObjectId | None:
    if isinstance(node, ast.CreateRoleStmt):
        return ObjectId("role", quote_name(node.role), CREATE)
    if isinstance(node, ast.AlterRoleStmt) and node.role is not None and node.role.rolename:
        return ObjectId("role", quote_name(node.role.rolename))
    if isinstance(node, ast.AlterRoleSetStmt) and node.role is not None and node.role.rolename:
        return ObjectId("role", quote_name(node.role.rolename))
    if isinstance(node, ast.DropRoleStmt) and node.roles:
        return ObjectId("role", quote_name(node.roles[0].rolename), DROP)
    if isinstance(node, ast.GrantRoleStmt) and node.grantee_roles:
        # A membership belongs to the member.
        return ObjectId("role", quote_name(node.grantee_roles[0].rolename))
    return None


def _of_node(node: ast.Node) -> ObjectId | None:  # noqa: PLR0911, PLR0912  (one branch a statement kind)
    if isinstance(node, ast.CreateStmt):
        return ObjectId("table", _rel(node.relation), CREATE)
    if isinstance(node, ast.ViewStmt):
        return ObjectId("view", _rel(node.view), CHANGE if node.replace else CREATE)
    if isinstance(node, ast.CreateTableAsStmt) and node.into is not None:
        return ObjectId("materialized view", _rel(node.into.rel), CREATE)
    if isinstance(node, ast.IndexStmt) and node.idxname:
        return ObjectId("index", _qualified(node.relation.schemaname, node.idxname), CREATE, _rel(node.relation))
    if isinstance(node, ast.CreateFunctionStmt):
        word = "procedure" if node.is_procedure else "function"
        return ObjectId(word, _signature(node.funcname, node.parameters), CHANGE if node.replace else CREATE)
    if isinstance(node, ast.CreateTrigStmt):
        return _part_of("trigger", node.trigname, _rel(node.relation), CREATE)
    if isinstance(node, ast.CreatePolicyStmt):
        return _part_of("policy", node.policy_name, _rel(node.table), CREATE)
    if isinstance(node, ast.AlterPolicyStmt):
        return _part_of("policy", node.policy_name, _rel(node.table))
    if isinstance(node, ast.DropStmt):
        return _drop(node)
    if isinstance(node, ast.AlterTableStmt):
        return _alter_table(node)
    if isinstance(node, ast.GrantStmt):
        return _grant(node)
    if isinstance(node, ast.CommentStmt):
        return _comment(node)
    if isinstance(node, ast.AlterOwnerStmt):
        return _owner(node)
    if isinstance(node, ast.RenameStmt):
        return _rename(node)
    if isinstance(node, ast.CreateSchemaStmt):
        return ObjectId("schema", quote_name(node.schemaname), CREATE)
    if isinstance(node, ast.CreateExtensionStmt):
        return ObjectId("extension", quote_name(node.extname), CREATE)
    if isinstance(node, ast.AlterExtensionStmt):
        return ObjectId("extension", quote_name(node.extname))
    if isinstance(node, ast.CreateSeqStmt):
        return ObjectId("sequence", _rel(node.sequence), CREATE)
    if isinstance(node, ast.AlterSeqStmt):
        return ObjectId("sequence", _rel(node.sequence))
    if isinstance(node, ast.CompositeTypeStmt):
        return ObjectId("type", _rel(node.typevar), CREATE)
    if isinstance(node, ast.CreateEnumStmt):
        return ObjectId("type", _names(node.typeName), CREATE)
    if isinstance(node, ast.CreateDomainStmt):
        return ObjectId("domain", _names(node.domainname), CREATE)
    if isinstance(node, ast.AlterDomainStmt):
        return ObjectId("domain", _names(node.typeName))
    if isinstance(node, ast.AlterEnumStmt):
        return ObjectId("type", _names(node.typeName))
    if isinstance(node, ast.DefineStmt) and node.kind == ObjectType.OBJECT_COLLATION:
        return ObjectId("collation", _names(node.defnames), CREATE)
    if isinstance(node, ast.AlterObjectSchemaStmt) and node.objectType == ObjectType.OBJECT_EXTENSION \
            and isinstance(node.object, ast.String):
        return ObjectId("extension", quote_name(node.object.sval))
    return _role(node)


# The engine's own object strings (Change.object) for what it writes as DO blocks.
_OBJECT_WORDS = ("materialized view", "default privileges", "role", "database", "schema", "extension", "type", "domain",
                 "collation", "sequence", "table", "index", "view", "function", "procedure", "trigger", "policy")


def name_of_object(text: str, *, database: str = "", major: int | None = None) -> ObjectId | None:
    """The kind and name of an engine object string ('role app', 'database (current)', 'table "s"."t"')."""
    if major is not None:
        token = _MAJOR.set(major)
        try:
            return name_of_object(text, database=database)
        finally:
            _MAJOR.reset(token)
    for word in _OBJECT_WORDS:
        if not text.startswith(word + " "):
            continue
        rest = text[len(word) + 1:]
        if word == "role":
            return ObjectId("role", quote_name(rest))
        if word == "database":
            return ObjectId("database", quote_name(database) if database else rest)
        if word == "default privileges":
            return ObjectId(word, _default_privileges(rest))
        parts = _dotted(rest)
        if parts and word not in ("function", "procedure", "trigger", "policy"):
            return ObjectId(word, ".".join(quote_name(p) for p in parts))
        return None
    return None


_PART = re.compile(r'"((?:[^"]|"")*)"|([^."\s]+)')


def _dotted(text: str) -> list[str]:
    """The parts of a dotted name, quoted or not ('"s"."t"', 's.t'); [] when it is not one."""
    parts: list[str] = []
    position = 0
    while position < len(text):
        match = _PART.match(text, position)
        if match is None:
            return []
        parts.append(match.group(1).replace('""', '"') if match.group(1) is not None else match.group(2))
        position = match.end()
        if position < len(text):
            if text[position] != ".":
                return []
            position += 1
    return parts if 1 <= len(parts) <= 3 else []


def _default_privileges(rest: str) -> str:
    """'on tables for app in schema public' as pg_identify_object writes it: 'for role app in schema public on tables'."""
    match = re.match(r"^on (?P<objects>.+?) for (?P<role>.+?)(?: in schema (?P<schema>.+))?$", rest)
    if not match:
        return rest
    schema = f" in schema {quote_name(match['schema'])}" if match["schema"] else ""
    role = match["role"] if match["role"].startswith("(") else quote_name(match["role"])  # "(the applying role)"
    return f"for role {role}{schema} on {match['objects']}"


def identify(statement: str, *, engine_object: str = "", database: str = "",
             major: int | None = None) -> ObjectId | None:
    """The object one planned statement changes; None for a session setting, which changes no object.

    engine_object is the plan's own name for it, used where the SQL is a DO block (roles, the
    database's privileges); major is the server's, whose keywords decide the quoting. A statement
    that names no object known here raises UnknownObject.
    """
    token = _MAJOR.set(major)
    try:
        return _identify(statement, engine_object, database)
    finally:
        _MAJOR.reset(token)


def _identify(statement: str, engine_object: str, database: str) -> ObjectId | None:
    try:
        parsed = parse_sql(statement)
    except ParseError:
        parsed = ()
    nodes = [raw.stmt for raw in parsed]
    if nodes and all(isinstance(n, ast.VariableSetStmt) for n in nodes):
        return None  # SET check_function_bodies and kin: session settings, not objects
    found = {_of_node(n) for n in nodes if not isinstance(n, (ast.DoStmt, ast.VariableSetStmt))}
    if len(found) == 1 and None not in found:
        return found.pop()
    if None not in found and len({(f.kind, f.name) for f in found}) == 1:
        # A few statements on one object (a role's block, a domain and its comment): a create
        # with its details creates it, a drop and a create change it.
        effects = {f.effect for f in found}
        effect = CREATE if CREATE in effects and DROP not in effects else \
            DROP if DROP in effects and CREATE not in effects else CHANGE
        one = found.pop()
        return ObjectId(one.kind, one.name, effect, one.table)
    named = name_of_object(engine_object, database=database) if engine_object else None
    if named is not None:
        return named
    first = statement.strip().splitlines()[0][:120] if statement.strip() else "(empty)"
    raise UnknownObject(f"cannot tell which object this statement changes ({engine_object or 'no name'}): {first}")

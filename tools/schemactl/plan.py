"""Plan stage: changes as data, each with its SQL, its reverse and its hazards."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from pglast import ast, parse_sql
from pglast.enums import AlterTableType, ConstrType, DropBehavior, ObjectType
from pglast.parser import ParseError
from psycopg import sql

from schemactl.quoting import ident, qualified

__all__ = [
    "Change",
    "Plan",
    "HAZARDS",
    "DESTRUCTIVE_HAZARDS",
    "classify",
    "object_of",
    "online_forms",
    "destructive_refusal",
]

# Hazard codes, in the spirit of pg-schema-diff's; each with what it means for an operator.
HAZARDS: dict[str, str] = {
    "deletes_data": "permanently deletes data (a table, column or sequence is dropped, or a type change may lose values)",
    "access_exclusive_lock": "takes an ACCESS EXCLUSIVE lock: reads and writes on the table wait",
    "index_build": "builds an index: reads the whole table",
    "table_rewrite": "rewrites the table and its indexes under an ACCESS EXCLUSIVE lock",
    "validates_constraint": "scans the table to validate a constraint",
    "authorization": "changes who may read or write data (grants, policies, RLS, roles, ownership)",
    "has_untracked_dependencies": "drops or replaces an object other code may call (a function or view)",
    "not_transactional": "runs outside the migration's transaction (CONCURRENTLY / VALIDATE)",
}
DESTRUCTIVE_HAZARDS = frozenset({"deletes_data"})


@dataclass(frozen=True)
class Change:
    """One statement of a plan."""

    sql: str
    object: str
    action: str
    hazards: tuple[str, ...] = ()
    reverse: tuple[str, ...] = ()
    transactional: bool = True
    origin: str = "migra"

    @property
    def destructive(self) -> bool:
        return bool(DESTRUCTIVE_HAZARDS & set(self.hazards))

    def as_dict(self) -> dict[str, object]:
        return {
            "sql": self.sql,
            "object": self.object,
            "action": self.action,
            "hazards": list(self.hazards),
            "reverse": list(self.reverse),
            "transactional": self.transactional,
            "origin": self.origin,
        }


@dataclass(frozen=True)
class Plan:
    """Ordered changes from one schema to another, and the verified way back."""

    changes: tuple[Change, ...]
    rollback: tuple[Change, ...] = ()
    source: str = ""
    target: str = ""
    verified: bool = False
    notes: tuple[str, ...] = field(default=())
    # Why there is no verified rollback ("" when there is one, or the plan is empty).
    irreversible: str = ""

    @property
    def empty(self) -> bool:
        return not self.changes

    @property
    def destructive(self) -> bool:
        return any(c.destructive for c in self.changes)

    @property
    def hazards(self) -> tuple[str, ...]:
        return tuple(sorted({h for c in self.changes for h in c.hazards}))

    @property
    def destructive_objects(self) -> tuple[str, ...]:
        """The objects whose changes delete data, each once, in plan order."""
        return tuple(dict.fromkeys(f"{c.action} {c.object}" for c in self.changes if c.destructive))

    def as_dict(self) -> dict[str, object]:
        return {
            "from": self.source,
            "to": self.target,
            "verified": self.verified,
            "destructive": self.destructive,
            "hazards": {h: HAZARDS[h] for h in self.hazards},
            "changes": [c.as_dict() for c in self.changes],
            "rollback": [c.as_dict() for c in self.rollback],
            "notes": list(self.notes),
            "irreversible": self.irreversible,
        }


def _parse_one(sql: str) -> ast.Node | None:
    try:
        parsed = parse_sql(sql)
    except ParseError:
        return None
    return parsed[0].stmt if parsed else None


def qualified_name(rv: ast.RangeVar) -> str:
    """schema.name of a relation as written (public when unqualified), unquoted."""
    return f"{rv.schemaname or 'public'}.{rv.relname}"


def _names(names: Sequence[ast.Node]) -> str:
    parts = [n.sval for n in names if isinstance(n, ast.String)]
    return ".".join(parts)


_OBJECT_WORDS = {
    ObjectType.OBJECT_TABLE: "table",
    ObjectType.OBJECT_VIEW: "view",
    ObjectType.OBJECT_MATVIEW: "materialized view",
    ObjectType.OBJECT_INDEX: "index",
    ObjectType.OBJECT_SEQUENCE: "sequence",
    ObjectType.OBJECT_FUNCTION: "function",
    ObjectType.OBJECT_PROCEDURE: "procedure",
    ObjectType.OBJECT_TRIGGER: "trigger",
    ObjectType.OBJECT_POLICY: "policy",
    ObjectType.OBJECT_SCHEMA: "schema",
    ObjectType.OBJECT_EXTENSION: "extension",
    ObjectType.OBJECT_TYPE: "type",
    ObjectType.OBJECT_COLLATION: "collation",
}


def _drop_target(node: ast.DropStmt) -> str:
    word = _OBJECT_WORDS.get(node.removeType, "object")
    obj = node.objects[0] if node.objects else None
    if isinstance(obj, ast.ObjectWithArgs):
        name = _names(obj.objname)
    elif isinstance(obj, (tuple, list)):
        name = _names(obj)
    elif isinstance(obj, ast.String):
        name = obj.sval
    else:
        name = "?"
    if node.removeType in (ObjectType.OBJECT_TRIGGER, ObjectType.OBJECT_POLICY) and "." in name:
        table, _, object_name = name.rpartition(".")
        return f"{word} {object_name} on {table}"
    return f"{word} {name}"


def object_of(sql: str) -> tuple[str, str]:
    """(action, object) for a statement: what it does and to which object."""
    node = _parse_one(sql)
    if node is None:
        return "other", sql.split("\n", 1)[0][:60]
    if isinstance(node, ast.CreateStmt):
        return "create", f"table {qualified_name(node.relation)}"
    if isinstance(node, ast.ViewStmt):
        return ("replace" if node.replace else "create"), f"view {qualified_name(node.view)}"
    if isinstance(node, ast.IndexStmt):
        schema = node.relation.schemaname or "public"
        return "create", f"index {schema}.{node.idxname}"
    if isinstance(node, ast.CreateFunctionStmt):
        return ("replace" if node.replace else "create"), f"function {_names(node.funcname)}"
    if isinstance(node, ast.CreateTrigStmt):
        return "create", f"trigger {node.trigname} on {qualified_name(node.relation)}"
    if isinstance(node, ast.CreatePolicyStmt):
        return "create", f"policy {node.policy_name} on {qualified_name(node.table)}"
    if isinstance(node, ast.AlterPolicyStmt):
        return "alter", f"policy {node.policy_name} on {qualified_name(node.table)}"
    if isinstance(node, ast.DropStmt):
        return "drop", _drop_target(node)
    if isinstance(node, ast.AlterTableStmt):
        cmd = node.cmds[0] if node.cmds else None
        base = f"table {qualified_name(node.relation)}"
        if cmd is not None and cmd.subtype == AlterTableType.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
            return "alter", f"{base} column {cmd.def_.colname}"
        if cmd is not None and cmd.name:
            return "alter", f"{base} column {cmd.name}" if cmd.subtype in _COLUMN_SUBTYPES else f"{base} {cmd.name}"
        if cmd is not None and isinstance(cmd.def_, ast.Constraint) and cmd.def_.conname:
            return "alter", f"{base} constraint {cmd.def_.conname}"
        return "alter", base
    if isinstance(node, ast.GrantStmt):
        targets = ", ".join(qualified_name(o) if isinstance(o, ast.RangeVar) else "?" for o in node.objects or ())
        return ("grant" if node.is_grant else "revoke"), f"privileges on {targets}"
    if isinstance(node, ast.CreateSchemaStmt):
        return "create", f"schema {node.schemaname}"
    if isinstance(node, ast.CreateExtensionStmt):
        return "create", f"extension {node.extname}"
    if isinstance(node, ast.AlterExtensionStmt):
        return "alter", f"extension {node.extname}"
    if isinstance(node, ast.CreateSeqStmt):
        return "create", f"sequence {qualified_name(node.sequence)}"
    if isinstance(node, ast.AlterSeqStmt):
        return "alter", f"sequence {qualified_name(node.sequence)}"
    if isinstance(node, ast.CompositeTypeStmt):
        return "create", f"type {qualified_name(node.typevar)}"
    if isinstance(node, ast.CreateEnumStmt):
        return "create", f"type {_names(node.typeName)}"
    return "other", type(node).__name__


_COLUMN_SUBTYPES = {
    AlterTableType.AT_AddColumn,
    AlterTableType.AT_DropColumn,
    AlterTableType.AT_AlterColumnType,
    AlterTableType.AT_ColumnDefault,
    AlterTableType.AT_SetNotNull,
    AlterTableType.AT_DropNotNull,
    AlterTableType.AT_AddIdentity,
    AlterTableType.AT_DropIdentity,
    AlterTableType.AT_SetIdentity,
    AlterTableType.AT_DropExpression,
}

# Type changes PostgreSQL performs without losing values (and, for most, without a rewrite).
_WIDENINGS = {
    ("smallint", "integer"), ("smallint", "bigint"), ("integer", "bigint"),
    ("real", "double precision"), ("character varying", "text"), ("character", "text"),
}


def _base_type(type_text: str) -> tuple[str, tuple[int, ...]]:
    match = re.match(r"\s*([a-z ]+?)\s*(?:\(([\d, ]+)\))?\s*$", type_text.lower())
    if not match:
        return type_text.lower().strip(), ()
    mods = tuple(int(x) for x in match.group(2).split(",")) if match.group(2) else ()
    name = {"int": "integer", "int4": "integer", "int8": "bigint", "int2": "smallint",
            "varchar": "character varying", "float8": "double precision", "float4": "real"}.get(
        match.group(1).strip(), match.group(1).strip())
    return name, mods


def is_widening(old_type: str, new_type: str) -> bool:
    """True when every value of old_type survives a change to new_type."""
    old, old_mods = _base_type(old_type)
    new, new_mods = _base_type(new_type)
    if (old, new) in _WIDENINGS:
        return True
    if old == new:
        if not new_mods:
            return True
        if old_mods and len(old_mods) == len(new_mods):
            if old == "numeric":
                # numeric(p, s): both integer digits and scale must not shrink.
                return new_mods[0] - new_mods[-1] >= old_mods[0] - old_mods[-1] and new_mods[-1] >= old_mods[-1]
            return all(n >= o for n, o in zip(new_mods, old_mods))
    return False


ColumnType = Callable[[str, str], str | None]
TableHasRows = Callable[[str], bool]


def _alter_table_hazards(node: ast.AlterTableStmt, column_type: ColumnType, has_rows: TableHasRows) -> set[str]:
    hazards: set[str] = set()
    table = qualified_name(node.relation)
    for cmd in node.cmds or ():
        subtype = cmd.subtype
        if subtype == AlterTableType.AT_DropColumn:
            hazards |= {"access_exclusive_lock"}
            if cmd.name not in _regenerated(node):
                hazards.add("deletes_data")
        elif subtype == AlterTableType.AT_AlterColumnType:
            hazards |= {"access_exclusive_lock", "table_rewrite"}
            new_type = _format_type(cmd.def_.typeName) if isinstance(cmd.def_, ast.ColumnDef) else ""
            old_type = column_type(table, cmd.name or "")
            if old_type is None or not is_widening(old_type, new_type):
                hazards.add("deletes_data")
        elif subtype == AlterTableType.AT_AddColumn:
            hazards.add("access_exclusive_lock")
            column = cmd.def_
            for constraint in (column.constraints or ()) if isinstance(column, ast.ColumnDef) else ():
                if constraint.contype == ConstrType.CONSTR_DEFAULT and _is_volatile(constraint.raw_expr):
                    hazards.add("table_rewrite")
                if constraint.contype == ConstrType.CONSTR_GENERATED or (
                    constraint.contype == ConstrType.CONSTR_IDENTITY
                ):
                    hazards.add("table_rewrite")
        elif subtype in (AlterTableType.AT_SetLogged, AlterTableType.AT_SetUnLogged):
            # SET LOGGED / UNLOGGED writes the table anew (and, when logged, into the WAL).
            hazards |= {"access_exclusive_lock", "table_rewrite"}
        elif subtype in (AlterTableType.AT_SetNotNull,):
            hazards |= {"access_exclusive_lock", "validates_constraint"}
        elif subtype == AlterTableType.AT_AddConstraint:
            constraint = cmd.def_
            if isinstance(constraint, ast.Constraint) and not constraint.skip_validation:
                hazards.add("validates_constraint")
            hazards.add("access_exclusive_lock")
        elif subtype == AlterTableType.AT_ValidateConstraint:
            hazards.add("validates_constraint")
        elif subtype in (AlterTableType.AT_EnableRowSecurity, AlterTableType.AT_DisableRowSecurity,
                         AlterTableType.AT_ForceRowSecurity, AlterTableType.AT_NoForceRowSecurity,
                         AlterTableType.AT_ChangeOwner):
            hazards.add("authorization")
        elif subtype == AlterTableType.AT_AddIndexConstraint:
            hazards.add("access_exclusive_lock")
        else:
            hazards.add("access_exclusive_lock")
    if "deletes_data" in hazards and not has_rows(table):
        # An empty table loses nothing; the lock is still taken.
        pass
    return hazards


def _regenerated(node: ast.AlterTableStmt) -> set[str]:
    """Columns the same statement adds back as generated columns (their values are derived)."""
    names: set[str] = set()
    for cmd in node.cmds or ():
        column = cmd.def_
        if cmd.subtype == AlterTableType.AT_AddColumn and isinstance(column, ast.ColumnDef) and any(
                c.contype == ConstrType.CONSTR_GENERATED for c in column.constraints or ()):
            names.add(column.colname)
    return names


def _format_type(type_name: ast.TypeName) -> str:
    names = [n.sval for n in type_name.names if n.sval != "pg_catalog"]
    base = {"int4": "integer", "int8": "bigint", "int2": "smallint", "varchar": "character varying",
            "float8": "double precision", "float4": "real", "bpchar": "character"}.get(names[-1], names[-1])
    mods = []
    for mod in type_name.typmods or ():
        if isinstance(mod, ast.A_Const) and isinstance(mod.val, ast.Integer):
            mods.append(str(mod.val.ival))
    return f"{base}({','.join(mods)})" if mods else base


def _is_volatile(expr: ast.Node | None) -> bool:
    for sub in _walk(expr):
        if isinstance(sub, ast.FuncCall) and _names(sub.funcname) in (
            "random", "gen_random_uuid", "clock_timestamp", "nextval", "uuid_generate_v4", "timeofday"
        ):
            return True
    return False


def _walk(node: object):
    from schemactl.objects import walk

    return walk(node) if node is not None else iter(())


def classify(sql: str, *, column_type: ColumnType, has_rows: TableHasRows) -> tuple[str, ...]:
    """The hazards of one statement, given facts about the database it will run on."""
    node = _parse_one(sql)
    hazards: set[str] = set()
    if node is None:
        return ()
    if isinstance(node, ast.DropStmt):
        kind = node.removeType
        if kind in (ObjectType.OBJECT_TABLE, ObjectType.OBJECT_SEQUENCE, ObjectType.OBJECT_MATVIEW):
            hazards |= {"deletes_data", "access_exclusive_lock"}
        elif kind == ObjectType.OBJECT_SCHEMA or kind == ObjectType.OBJECT_EXTENSION:
            hazards |= {"deletes_data"}
        elif kind == ObjectType.OBJECT_INDEX:
            hazards.add("access_exclusive_lock")
        elif kind in (ObjectType.OBJECT_VIEW, ObjectType.OBJECT_FUNCTION, ObjectType.OBJECT_PROCEDURE):
            hazards.add("has_untracked_dependencies")
        elif kind == ObjectType.OBJECT_POLICY:
            hazards.add("authorization")
        elif kind == ObjectType.OBJECT_TRIGGER:
            hazards.add("access_exclusive_lock")
        elif kind == ObjectType.OBJECT_TYPE:
            hazards.add("deletes_data")
    elif isinstance(node, ast.AlterTableStmt):
        hazards |= _alter_table_hazards(node, column_type, has_rows)
    elif isinstance(node, ast.IndexStmt):
        hazards.add("index_build")
        if node.concurrent:
            hazards.add("not_transactional")
    elif isinstance(node, (ast.GrantStmt, ast.GrantRoleStmt, ast.CreatePolicyStmt, ast.AlterPolicyStmt,
                           ast.CreateRoleStmt, ast.AlterRoleStmt, ast.DropRoleStmt, ast.AlterOwnerStmt)):
        hazards.add("authorization")
    elif isinstance(node, ast.ViewStmt) and node.replace:
        hazards.add("has_untracked_dependencies")
    elif isinstance(node, ast.CreateFunctionStmt) and node.replace:
        hazards.add("has_untracked_dependencies")
    elif isinstance(node, ast.CreateTrigStmt):
        hazards.add("access_exclusive_lock")
    elif isinstance(node, ast.CreateStmt) and node.partbound is not None:
        hazards.add("access_exclusive_lock")  # CREATE TABLE ... PARTITION OF locks the parent
    return tuple(sorted(hazards))


IndexTable = Callable[[str], str | None]


def _no_index_table(_: str) -> str | None:
    return None


def online_forms(change: Change, *, has_rows: TableHasRows, index_table: IndexTable = _no_index_table) -> list[Change]:
    """Rewrite a change into its online form when its table already holds rows.

    CREATE INDEX becomes CREATE INDEX CONCURRENTLY and DROP INDEX becomes DROP INDEX
    CONCURRENTLY (both outside the transaction); a new CHECK or FOREIGN KEY is added NOT
    VALID inside it and validated afterwards. index_table gives the table of an existing
    index (schema.name), or None where the drop must stay in the transaction.
    """
    node = _parse_one(change.sql)
    if (isinstance(node, ast.DropStmt) and node.removeType == ObjectType.OBJECT_INDEX and not node.concurrent
            and len(node.objects or ()) == 1 and node.behavior != DropBehavior.DROP_CASCADE):
        index = _names(node.objects[0])
        index = index if "." in index else f"public.{index}"
        table = index_table(index)
        if table is not None and has_rows(table):
            schema, _, name = index.partition(".")
            online = sql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {}.{};").format(
                sql.Identifier(schema), sql.Identifier(name)).as_string(None)
            return [replace(change, sql=online, transactional=False,
                            hazards=tuple(sorted((set(change.hazards) - {"access_exclusive_lock"})
                                                 | {"not_transactional"})))]
    if isinstance(node, ast.IndexStmt) and not node.concurrent and has_rows(qualified_name(node.relation)):
        # IF NOT EXISTS lets a file whose run died part way be run again (squawk's
        # prefer-robust-stmts); a failed build's INVALID index is dropped by the runner.
        online = re.sub(r"(?i)^\s*create\s+(unique\s+)?index\s+(?!if\s+not\s+exists\s)",
                        lambda m: f"CREATE {m.group(1) or ''}INDEX CONCURRENTLY IF NOT EXISTS ", change.sql, count=1)
        return [replace(change, sql=online, transactional=False,
                        hazards=tuple(sorted(set(change.hazards) | {"not_transactional"})))]
    if isinstance(node, ast.AlterTableStmt) and len(node.cmds or ()) == 1:
        cmd = node.cmds[0]
        if cmd.subtype == AlterTableType.AT_ValidateConstraint and has_rows(qualified_name(node.relation)):
            # VALIDATE takes only SHARE UPDATE EXCLUSIVE: run it after the transaction commits.
            return [replace(change, transactional=False,
                            hazards=tuple(sorted(set(change.hazards) | {"not_transactional"})))]
        constraint = cmd.def_
        if (cmd.subtype == AlterTableType.AT_AddConstraint and isinstance(constraint, ast.Constraint)
                and constraint.contype in (ConstrType.CONSTR_CHECK, ConstrType.CONSTR_FOREIGN)
                and not constraint.skip_validation and constraint.conname
                and has_rows(qualified_name(node.relation))):
            body = change.sql.rstrip().rstrip(";")
            add = replace(change, sql=f"{body} NOT VALID;",
                          hazards=tuple(sorted(set(change.hazards) - {"validates_constraint"})))
            table = qualified(node.relation.schemaname, node.relation.relname)
            validate = Change(
                sql=f"alter table {table} validate constraint {ident(constraint.conname)};",
                object=change.object,
                action="validate",
                hazards=("not_transactional", "validates_constraint"),
                transactional=False,
                origin=change.origin,
            )
            return [add, validate]
    return [change]


def destructive_refusal(plan: Plan, *, outcome: str = "") -> str:
    """The message that refuses a plan deleting data: which objects, and how to accept it."""
    from schemactl.renames import suggestion  # noqa: PLC0415  (renames builds on this module)

    listed = "; ".join(plan.destructive_objects)
    dropped = {c.object for c in plan.changes if c.action == "drop" and c.object.startswith("table ")}
    recreated = sorted(dropped & {c.object for c in plan.changes if c.action == "create"})
    again = ""
    if recreated:
        again = (f"; {', '.join(recreated)} {'is' if len(recreated) == 1 else 'are'} dropped and created again "
                 "(PostgreSQL cannot turn a table partitioned or plain in place): to keep the rows, create the "
                 "new table under another name, move the rows, then swap the names")
    return (f"the plan deletes data (hazard deletes_data): {listed}{outcome}. "
            f"Re-run with --allow-destructive to accept it{again}{suggestion(plan.changes)}")

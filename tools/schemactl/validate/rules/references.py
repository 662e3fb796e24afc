"""Reference rules: every object, column and function the schema names is one it defines."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pglast import ast
from pglast.enums import GrantTargetType, ObjectType

from schemactl.objects import qualify, walk
from schemactl.validate.base import Issue, Rule
from schemactl.validate.rules.keys import fk_label
from schemactl.validate.symbols import (
    BUILTIN_SCHEMAS,
    ForeignKey,
    SYSTEM_SCHEMAS,
    Located,
    Symbols,
    list_name,
    loc,
    numbered,
    rv_name,
    show_function,
    strings,
    type_name,
)

__all__ = ["RULES", "UnknownColumn", "UnknownFunction", "UnknownObject", "check"]


class UnknownObject(Rule):
    """A reference to a table, view, sequence, index, schema, trigger, policy or constraint that is not defined.

    Bad::

        CREATE TABLE memory_assets (asset_id uuid PRIMARY KEY, owner_address text, batch_id uuid);
        CREATE VIEW active_memory_assets AS SELECT * FROM memory_asset;

    Good::

        CREATE TABLE memory_assets (asset_id uuid PRIMARY KEY, owner_address text, batch_id uuid);
        CREATE VIEW active_memory_assets AS SELECT * FROM memory_assets;
    """

    code = "SC004"
    name = "references.unknown-object"
    summary = "a reference to an object the schema does not define"
    whole_schema = True


class UnknownColumn(Rule):
    """A column that its table (or view) does not have.

    Checked in foreign keys on both sides, keys, CHECK and generated expressions, index columns,
    expressions and predicates, UPDATE OF columns, column grants and column comments.

    Bad::

        CREATE TABLE memory_assets (asset_id uuid PRIMARY KEY, owner_address text, batch_id uuid);
        CREATE INDEX memory_assets_batch_id_idx ON memory_assets (batchid);

    Good::

        CREATE TABLE memory_assets (asset_id uuid PRIMARY KEY, owner_address text, batch_id uuid);
        CREATE INDEX memory_assets_batch_id_idx ON memory_assets (batch_id);
    """

    code = "SC005"
    name = "references.unknown-column"
    summary = "a column its table or view does not have"
    whole_schema = True


class UnknownFunction(Rule):
    """A trigger function, or the function of a GRANT, COMMENT or OWNER TO, not defined with that signature.

    Bad::

        CREATE TRIGGER update_memory_assets_updated_at BEFORE UPDATE ON memory_assets
            FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    Good::

        CREATE FUNCTION update_updated_at_column() RETURNS trigger LANGUAGE plpgsql
            AS $$ BEGIN NEW.updated_at = now(); RETURN NEW; END $$;
        CREATE TRIGGER update_memory_assets_updated_at BEFORE UPDATE ON memory_assets
            FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
    """

    code = "SC006"
    name = "references.unknown-function"
    summary = "a function the schema does not define with that signature"
    whole_schema = True


RULES = (UnknownObject, UnknownColumn, UnknownFunction)

# Trigger functions shipped in pg_catalog, usable unqualified.
_BUILTIN_TRIGGER_FUNCTIONS = frozenset({
    "suppress_redundant_updates_trigger", "tsvector_update_trigger", "tsvector_update_trigger_column",
})

_COLUMN_CONTEXT = {
    "key": "key uses",
    "expression": "expression uses",
    "index": "index uses",
    "trigger": "trigger fires on",
}

_OBJECT = UnknownObject.code
_COLUMN = UnknownColumn.code
_FUNCTION = UnknownFunction.code


def check(symbols: Symbols) -> Iterator[Issue]:
    """SC004, SC005 and SC006 over every declarative statement, pending column and foreign key."""
    yield from symbols.unresolved
    references = _References(symbols)
    for st in symbols.declarative:
        yield from references.statement(st)
    for pending in symbols.pending_columns:
        relation = pending.relation
        for column in pending.columns:
            if not relation.has_column(column):
                yield Issue(_COLUMN, pending.at, f"{_COLUMN_CONTEXT[pending.context]} column {column}, which "
                            f"{relation.kind} {relation.name} does not have", pending.offset)
    for relation in symbols.relations.values():
        if relation.kind == "table" and relation.defined_by is not None:
            for fk in relation.foreign_keys:
                yield from references.foreign_key(relation.name, fk)


class _References:
    """The reference checks of one statement kind each, against the symbol table."""

    def __init__(self, symbols: Symbols) -> None:
        self.symbols = symbols

    def statement(self, st: Located) -> Iterator[Issue]:
        node = st.node
        if isinstance(node, ast.CreateStmt):
            yield from self.schema(st, node.relation.schemaname, loc(node.relation))
        elif isinstance(node, ast.ViewStmt):
            yield from self.schema(st, node.view.schemaname, loc(node.view))
            yield from self.query_relations(st, node.query, f"view {rv_name(node.view)}")
        elif isinstance(node, ast.CreateTableAsStmt):
            yield from self.query_relations(st, node.query, f"materialized view {rv_name(node.into.rel)}")
        elif isinstance(node, ast.CreateSeqStmt):
            yield from self.schema(st, node.sequence.schemaname, loc(node.sequence))
        elif isinstance(node, ast.CreateFunctionStmt):
            names = strings(node.funcname)
            yield from self.schema(st, names[-2] if len(names) > 1 else None, None)
        elif isinstance(node, ast.CreateTrigStmt):
            yield from self.function(st, node.funcname, (), "trigger function")
        elif isinstance(node, ast.CreatePolicyStmt):
            what = f"policy {node.policy_name}"
            yield from self.query_relations(st, node.qual, what)
            yield from self.query_relations(st, node.with_check, what)
        elif isinstance(node, ast.GrantStmt):
            yield from self.grant(st, node)
        elif isinstance(node, ast.CommentStmt):
            yield from self.comment(st, node)
        elif isinstance(node, ast.AlterOwnerStmt):
            if isinstance(node.object, ast.ObjectWithArgs):
                yield from self.function_object(st, node.object, "OWNER TO of function")
            elif node.objectType == ObjectType.OBJECT_SCHEMA and isinstance(node.object, ast.String):
                yield from self.schema(st, node.object.sval, None)
        elif isinstance(node, ast.AlterSeqStmt):
            yield from self.sequence(st, node.sequence)
            for option in node.options or ():
                if option.defname == "owned_by":
                    yield from self.owned_by(st, strings(option.arg))

    def schema(self, st: Located, schema: str | None, offset: int | None) -> Iterator[Issue]:
        if schema and schema not in BUILTIN_SCHEMAS and schema not in self.symbols.schemas:
            yield Issue(_OBJECT, st, f"schema {schema} is not defined (CREATE SCHEMA {schema})", offset)

    def query_relations(self, st: Located, query: Any, what: str) -> Iterator[Issue]:
        if query is None:
            return
        ctes = {sub.ctename for sub in walk(query) if isinstance(sub, ast.CommonTableExpr)}
        for sub in walk(query):
            if not isinstance(sub, ast.RangeVar):
                continue
            if sub.schemaname in SYSTEM_SCHEMAS or (sub.schemaname is None and sub.relname in ctes):
                continue
            if sub.schemaname is None and sub.relname.startswith("pg_"):
                continue
            name = rv_name(sub)
            relation = self.symbols.relations.get(name)
            if relation is None or relation.kind == "index":
                yield Issue(_OBJECT, st, f"{what} reads {name}, which is not defined", loc(sub))

    def sequence(self, st: Located, rv: ast.RangeVar) -> Iterator[Issue]:
        name = rv_name(rv)
        relation = self.symbols.relations.get(name)
        if relation is None or relation.kind != "sequence":
            yield Issue(_OBJECT, st, f"sequence {name} is not defined", loc(rv))

    def owned_by(self, st: Located, names: list[str]) -> Iterator[Issue]:
        if len(names) < 2 or names == ["none"]:
            return
        table = qualify(names[-3] if len(names) > 2 else None, names[-2])
        relation = self.symbols.relations.get(table)
        if relation is None:
            yield Issue(_OBJECT, st, f"OWNED BY refers to table {table}, which is not defined")
        elif not relation.has_column(names[-1]):
            yield Issue(_COLUMN, st, f"OWNED BY refers to column {names[-1]}, which {table} does not have")

    def function(self, st: Located, funcname: Iterable[Any], signature: tuple[str, ...] | None,
                 what: str) -> Iterator[Issue]:
        parts = strings(funcname)
        name = list_name(funcname)
        if len(parts) > 1 and parts[-2] in SYSTEM_SCHEMAS:
            return
        overloads = self.symbols.functions.get(name)
        if not overloads:
            if len(parts) == 1 and parts[0] in _BUILTIN_TRIGGER_FUNCTIONS:
                return
            if self.symbols.extensions:
                # A declared extension may ship it; its functions are not known offline.
                return
            shown = name if signature is None else show_function(name, signature)
            yield Issue(_FUNCTION, st, f"{what} {shown} is not defined")
            return
        if signature is not None and signature not in overloads:
            defined = ", ".join(show_function(name, s) for s in sorted(overloads))
            yield Issue(_FUNCTION, st, f"{what} {show_function(name, signature)} is not defined "
                        f"(defined: {defined})")

    def function_object(self, st: Located, target: ast.ObjectWithArgs, what: str) -> Iterator[Issue]:
        signature = None if target.args_unspecified else tuple(type_name(t) for t in target.objargs or ())
        yield from self.function(st, target.objname, signature, what)

    def grant(self, st: Located, node: ast.GrantStmt) -> Iterator[Issue]:
        verb = "GRANT" if node.is_grant else "REVOKE"
        if node.targtype == GrantTargetType.ACL_TARGET_ALL_IN_SCHEMA:
            for schema in strings(node.objects):
                yield from self.schema(st, schema, None)
            return
        if node.objtype == ObjectType.OBJECT_SCHEMA:
            for schema in strings(node.objects):
                yield from self.schema(st, schema, None)
        elif node.objtype in (ObjectType.OBJECT_FUNCTION, ObjectType.OBJECT_PROCEDURE, ObjectType.OBJECT_ROUTINE):
            for target in node.objects or ():
                if isinstance(target, ast.ObjectWithArgs):
                    yield from self.function_object(st, target, f"{verb} on function")
        elif node.objtype == ObjectType.OBJECT_SEQUENCE:
            for target in node.objects or ():
                if isinstance(target, ast.RangeVar):
                    yield from self.sequence(st, target)
        elif node.objtype == ObjectType.OBJECT_TABLE:
            columns = [c for priv in node.privileges or () for c in strings(priv.cols)]
            for target in node.objects or ():
                if not isinstance(target, ast.RangeVar):
                    continue
                name = rv_name(target)
                relation = self.symbols.relations.get(name)
                if relation is None or relation.kind == "index":
                    yield Issue(_OBJECT, st, f"{verb} on table {name}, which is not defined", loc(target))
                    continue
                for column in columns:
                    if not relation.has_column(column):
                        yield Issue(_COLUMN, st, f"{verb} on column {column}, which {relation.kind} {name} "
                                    "does not have", loc(target))

    def comment(self, st: Located, node: ast.CommentStmt) -> Iterator[Issue]:
        objtype = node.objtype
        target = node.object
        relation_kinds = {
            ObjectType.OBJECT_TABLE: ("table",),
            ObjectType.OBJECT_VIEW: ("view",),
            ObjectType.OBJECT_MATVIEW: ("materialized view",),
            ObjectType.OBJECT_SEQUENCE: ("sequence",),
            ObjectType.OBJECT_INDEX: ("index",),
        }
        relations = self.symbols.relations
        if objtype in relation_kinds:
            name = list_name(target)
            relation = relations.get(name)
            kinds = relation_kinds[objtype]
            if relation is None and objtype == ObjectType.OBJECT_INDEX and self.symbols.generated_index_name(name):
                return
            if relation is None:
                yield Issue(_OBJECT, st, f"COMMENT on {kinds[0]} {name}, which is not defined")
            elif relation.kind not in kinds:
                yield Issue(_OBJECT, st, f"COMMENT on {kinds[0]} {name}, which is a {relation.kind}")
        elif objtype == ObjectType.OBJECT_COLUMN:
            name = list_name(target[:-1])
            column = target[-1].sval
            relation = relations.get(name)
            if relation is None or relation.kind not in ("table", "view", "materialized view"):
                yield Issue(_OBJECT, st, f"COMMENT on column {column} of {name}, which is not defined")
            elif not relation.has_column(column):
                yield Issue(_COLUMN, st, f"COMMENT on column {column}, which {relation.kind} {name} does not have")
        elif objtype in (ObjectType.OBJECT_TRIGGER, ObjectType.OBJECT_POLICY, ObjectType.OBJECT_TABCONSTRAINT):
            name = list_name(target[:-1])
            member = target[-1].sval
            what = {ObjectType.OBJECT_TRIGGER: "trigger", ObjectType.OBJECT_POLICY: "policy",
                    ObjectType.OBJECT_TABCONSTRAINT: "constraint"}[objtype]
            relation = relations.get(name)
            if relation is None or relation.kind == "index":
                yield Issue(_OBJECT, st, f"COMMENT on {what} {member} on {name}, which is not defined")
                return
            members = {"trigger": relation.triggers, "policy": relation.policies,
                       "constraint": relation.constraints}[what]
            if member in members:
                return
            if what == "constraint" and numbered(member) in relation.generated_names:
                return
            yield Issue(_OBJECT, st, f"COMMENT on {what} {member}, which {name} does not have")
        elif objtype in (ObjectType.OBJECT_FUNCTION, ObjectType.OBJECT_PROCEDURE, ObjectType.OBJECT_ROUTINE):
            if isinstance(target, ast.ObjectWithArgs):
                yield from self.function_object(st, target, "COMMENT on function")
        elif objtype == ObjectType.OBJECT_SCHEMA:
            yield from self.schema(st, target.sval, None)
        elif objtype == ObjectType.OBJECT_EXTENSION:
            if target.sval not in self.symbols.extensions:
                yield Issue(_OBJECT, st, f"COMMENT on extension {target.sval}, which is not defined")

    def foreign_key(self, table: str, fk: ForeignKey) -> Iterator[Issue]:
        relations = self.symbols.relations
        relation = relations[table]
        st, constraint = fk.where, fk.constraint
        shown = fk_label(fk)
        for column in fk.columns:
            if not relation.has_column(column):
                yield Issue(_COLUMN, st, f"{shown} uses column {column}, which table {relation.name} does not have",
                            loc(constraint))
        target_name = rv_name(constraint.pktable)
        target = relations.get(target_name)
        if target is None or target.kind != "table":
            what = "which is not defined" if target is None else f"which is a {target.kind}, not a table"
            yield Issue(_OBJECT, st, f"{shown} references {target_name}, {what}", loc(constraint.pktable))
            return
        for column in strings(constraint.pk_attrs):
            if not target.has_column(column):
                yield Issue(_COLUMN, st, f"{shown} references column {column}, which table {target_name} "
                            "does not have", loc(constraint.pktable))

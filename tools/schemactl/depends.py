"""Plan order from the catalog: pg_depend of both sides decides which change runs first.

Drops follow the source's graph in reverse (a dependent goes before what it depends on),
creates follow the target's graph (what an object needs comes first), at any depth and
down to the column. Everything else keeps the order the diff produced.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pglast import ast, parse_sql
from pglast.enums import AlterTableType, ObjectType

__all__ = ["Graph", "StatementKeys", "statement_keys", "graph_from_rows", "dependency_order"]

# key -> the keys it depends on; a key is "kind:schema.name[.sub]" as sql/depends.sql writes it.
Graph = dict[str, frozenset[str]]


@dataclass
class StatementKeys:
    """The catalog objects a statement removes (or alters away) and makes (or alters into being)."""

    removes: set[str] = field(default_factory=set)
    makes: set[str] = field(default_factory=set)
    # Objects the statement only uses (a comment, grant, VALIDATE): it runs after they are made.
    needs: set[str] = field(default_factory=set)


def _qualified(schema: str | None, name: str) -> str:
    return f"{schema or 'public'}.{name}"


def _rel(node: ast.RangeVar) -> str:
    return _qualified(node.schemaname, node.relname)


def _from_names(names: Sequence[ast.Node]) -> str:
    parts = [n.sval for n in names if isinstance(n, ast.String)]
    return _qualified(parts[-2] if len(parts) > 1 else None, parts[-1]) if parts else ""


_DROP_PREFIX = {
    ObjectType.OBJECT_TABLE: "rel:", ObjectType.OBJECT_VIEW: "rel:", ObjectType.OBJECT_MATVIEW: "rel:",
    ObjectType.OBJECT_SEQUENCE: "rel:", ObjectType.OBJECT_INDEX: "index:", ObjectType.OBJECT_FUNCTION: "func:",
    ObjectType.OBJECT_PROCEDURE: "func:", ObjectType.OBJECT_TYPE: "type:", ObjectType.OBJECT_DOMAIN: "type:",
    ObjectType.OBJECT_POLICY: "policy:", ObjectType.OBJECT_TRIGGER: "trigger:",
}


def _drop_keys(node: ast.DropStmt) -> set[str]:
    prefix = _DROP_PREFIX.get(node.removeType)
    if prefix is None:
        return set()
    keys = set()
    for item in node.objects or ():
        if isinstance(item, ast.ObjectWithArgs):
            keys.add(prefix + _from_names(item.objname))
        elif isinstance(item, ast.TypeName):
            keys.add(prefix + _from_names(item.names))
        elif isinstance(item, (tuple, list)):
            parts = [n.sval for n in item if isinstance(n, ast.String)]
            if prefix in ("policy:", "trigger:"):
                keys.add(prefix + _qualified(parts[-3] if len(parts) > 2 else None, parts[-2]) + "." + parts[-1])
            elif parts:
                keys.add(prefix + _qualified(parts[-2] if len(parts) > 1 else None, parts[-1]))
    return keys


def _alter_table_keys(node: ast.AlterTableStmt, keys: StatementKeys) -> None:
    table = _rel(node.relation)
    for cmd in node.cmds or ():
        subtype = cmd.subtype
        column = f"col:{table}.{cmd.name}" if cmd.name else ""
        if subtype == AlterTableType.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
            keys.makes.add(f"col:{table}.{cmd.def_.colname}")
        elif subtype == AlterTableType.AT_DropColumn:
            keys.removes.add(column)
        elif subtype == AlterTableType.AT_ColumnDefault:
            (keys.makes if cmd.def_ is not None else keys.removes).add(column)
        elif subtype in (AlterTableType.AT_AlterColumnType, AlterTableType.AT_DropExpression):
            keys.removes.add(column)
            keys.makes.add(column)
        elif subtype == AlterTableType.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint):
            keys.makes.add(f"con:{table}.{cmd.def_.conname}")
        elif subtype == AlterTableType.AT_DropConstraint:
            keys.removes.add(f"con:{table}.{cmd.name}")
            # A unique, primary key or exclusion constraint drops the index of its name with it.
            keys.removes.add(f"index:{table.split('.', 1)[0]}.{cmd.name}")
        elif subtype == AlterTableType.AT_AttachPartition:
            keys.makes.add("rel:" + _rel(cmd.def_.name))
        elif subtype == AlterTableType.AT_DetachPartition:
            # The table stays (with the indexes its parent's gave it, now its own): what
            # depends on it need not go first.
            keys.removes.add("partition:" + _rel(cmd.def_.name))
        elif subtype == AlterTableType.AT_ValidateConstraint:
            keys.needs.add(f"con:{table}.{cmd.name}")


def _mentions(node: ast.Node, keys: StatementKeys) -> None:
    """Relations and functions a statement names: it needs them made first."""
    from schemactl.objects import walk  # noqa: PLC0415

    for sub in walk(node):
        if isinstance(sub, ast.RangeVar):
            keys.needs.add("rel:" + _rel(sub))
        elif isinstance(sub, ast.FuncCall):
            keys.needs.add("func:" + _from_names(sub.funcname))
        elif isinstance(sub, ast.ObjectWithArgs) and sub.objname:
            keys.needs.add("func:" + _from_names(sub.objname))


def statement_keys(text: str) -> StatementKeys:
    """What one statement removes and makes, in the keys of sql/depends.sql."""
    keys = StatementKeys()
    try:
        parsed = parse_sql(text)
    except Exception:  # noqa: BLE001  (a statement pglast cannot read keeps its place)
        return keys
    for raw in parsed:
        node = raw.stmt
        if isinstance(node, ast.CreateStmt):
            keys.makes.add("rel:" + _rel(node.relation))
        elif isinstance(node, ast.ViewStmt):
            keys.makes.add("rel:" + _rel(node.view))
            if node.replace:
                keys.removes.add("rel:" + _rel(node.view))
        elif isinstance(node, ast.CreateTableAsStmt):
            keys.makes.add("rel:" + _rel(node.into.rel))
        elif isinstance(node, ast.CreateSeqStmt):
            keys.makes.add("rel:" + _rel(node.sequence))
        elif isinstance(node, ast.IndexStmt) and node.idxname:
            keys.makes.add("index:" + _qualified(node.relation.schemaname, node.idxname))
        elif isinstance(node, ast.CreateFunctionStmt):
            keys.makes.add("func:" + _from_names(node.funcname))
        elif isinstance(node, (ast.CreateEnumStmt, ast.CreateDomainStmt)):
            keys.makes.add("type:" + _from_names(node.typeName if isinstance(node, ast.CreateEnumStmt)
                                                 else node.domainname))
        elif isinstance(node, ast.CompositeTypeStmt):
            keys.makes.add("type:" + _rel(node.typevar))
        elif isinstance(node, ast.CreatePolicyStmt):
            keys.makes.add(f"policy:{_rel(node.table)}.{node.policy_name}")
        elif isinstance(node, ast.AlterPolicyStmt):
            keys.removes.add(f"policy:{_rel(node.table)}.{node.policy_name}")
            keys.makes.add(f"policy:{_rel(node.table)}.{node.policy_name}")
        elif isinstance(node, ast.CreateTrigStmt):
            keys.makes.add(f"trigger:{_rel(node.relation)}.{node.trigname}")
        elif isinstance(node, ast.DropStmt):
            keys.removes |= _drop_keys(node)
        elif isinstance(node, ast.AlterTableStmt):
            _alter_table_keys(node, keys)
        if not isinstance(node, ast.DropStmt):
            _mentions(node, keys)
    keys.needs -= keys.makes | keys.removes
    return keys


def graph_from_rows(rows: Iterable[tuple[str, str, str | None]]) -> Graph:
    """The graph of sql/depends.sql's rows; a table also needs what its parts need."""
    needs: dict[str, set[str]] = defaultdict(set)
    for dependent, referenced, table in rows:
        needs[dependent].add(referenced)
        if table and referenced != table and _owner_rel(referenced) != table:
            needs[table].add(referenced)
    return {key: frozenset(values) for key, values in needs.items()}


def _owner_rel(key: str) -> str | None:
    """rel: key of the table a column, constraint, policy or trigger key belongs to."""
    kind, _, name = key.partition(":")
    if kind in ("col", "con", "policy", "trigger"):
        return "rel:" + name.rsplit(".", 1)[0]
    return None


def dependency_order(statements: Sequence[str], source: Graph, target: Graph) -> list[int]:
    """Indexes of statements in an order both graphs accept; otherwise the given order.

    A statement that removes X runs after every statement removing something that depends
    on X in the source; a statement that makes X runs after every statement making
    something X depends on in the target; and a removal of X precedes a making of X.
    """
    keys = [statement_keys(text) for text in statements]
    makers: dict[str, set[int]] = defaultdict(set)
    removers: dict[str, set[int]] = defaultdict(set)
    for index, found in enumerate(keys):
        for key in found.makes:
            makers[key].add(index)
        for key in found.removes:
            removers[key].add(index)

    def holders(table: dict[str, set[int]], key: str) -> set[int]:
        found = set(table.get(key, ()))
        owner = _owner_rel(key)
        if owner is not None:
            found |= table.get(owner, set())
        return found

    dependents: dict[str, set[str]] = defaultdict(set)
    for key, needed in source.items():
        if key.startswith("owned:"):
            continue
        for referenced in needed:
            dependents[referenced].add(key)
            # What depends on a column depends on its table too: dropping the table (which
            # removes only the relation's key) must wait for the constraint drops that name it.
            owner = _owner_rel(referenced)
            if owner is not None and owner != key:
                dependents[owner].add(key)
    # Removing a table (or its column) removes the sequences OWNED BY it as well.
    owned_by: dict[str, set[str]] = defaultdict(set)
    for key, needed in source.items():
        if key.startswith("owned:"):
            for column in needed:
                owned_by[column].add(key[len("owned:"):])
                owner = _owner_rel(column)
                if owner is not None:
                    owned_by[owner].add(key[len("owned:"):])
    edges: dict[int, set[int]] = defaultdict(set)
    for index, found in enumerate(keys):
        removed = set(found.removes)
        for key in found.removes:
            removed |= owned_by.get(key, set())
        for key in removed:
            for dependent in dependents.get(key, ()):
                for before in holders(removers, dependent):
                    if before != index:
                        edges[before].add(index)
            for after in makers.get(key, ()):
                if after != index:
                    edges[index].add(after)
        for key in found.needs:
            for before in makers.get(key, ()):
                if before != index:
                    edges[before].add(index)
        for key in found.makes:
            for needed in target.get(key, ()):
                for before in holders(makers, needed):
                    if before != index:
                        edges[before].add(index)
    return _stable_topological(len(statements), edges)


def _stable_topological(count: int, edges: dict[int, set[int]]) -> list[int]:
    """Kahn's algorithm taking the lowest index first; a cycle keeps the given order."""
    indegree = [0] * count
    for followers in edges.values():
        for follower in followers:
            indegree[follower] += 1
    ready = [i for i in range(count) if indegree[i] == 0]
    heapq.heapify(ready)
    ordered: list[int] = []
    while ready:
        index = heapq.heappop(ready)
        ordered.append(index)
        for follower in edges.get(index, ()):
            indegree[follower] -= 1
            if indegree[follower] == 0:
                heapq.heappush(ready, follower)
    if len(ordered) != count:
        return list(range(count))
    return ordered

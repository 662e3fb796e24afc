"""What a statement defines and what it refers to, read off its pglast AST."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pglast import ast
from pglast.enums import ObjectType, RoleSpecType

__all__ = ["Facts", "describe", "walk", "qualify", "rel_key", "func_key", "KIND_RANK"]

DEFAULT_SCHEMA = "public"

# Where a statement kind falls when nothing else orders it (ties only).
KIND_RANK = {
    "role": 0,
    "alter_role": 1,
    "grant_role": 2,
    "role_setting": 2,
    "schema": 3,
    "extension": 4,
    "default_privileges": 4,
    "type": 5,
    "sequence": 5,
    "type": 5,
    "function": 6,
    "table": 7,
    "alter_table": 8,
    "index": 9,
    "view": 10,
    "trigger": 11,
    "policy": 12,
    "alter_owner": 13,
    "grant": 14,
    "revoke": 15,
    "comment": 16,
    "other": 17,
}


@dataclass
class Facts:
    """The kind and name of a statement, the keys it provides and requires."""

    kind: str = "other"
    name: str = ""
    provides: set[str] = field(default_factory=set)
    requires: set[str] = field(default_factory=set)


def qualify(schema: str | None, name: str) -> str:
    """`schema.name`, with the default schema filled in."""
    return f"{schema or DEFAULT_SCHEMA}.{name}"


def rel_key(schema: str | None, name: str) -> str:
    return "rel:" + qualify(schema, name)


def func_key(names: tuple[Any, ...] | list[Any]) -> str:
    parts = [n.sval for n in names]
    if len(parts) == 1:
        return "func:" + qualify(None, parts[0])
    return "func:" + qualify(parts[-2], parts[-1])


def walk(node: Any) -> Iterator[Any]:
    """Every AST node below (and including) node, depth first."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Node):
            yield current
            for attr in current.__slots__:
                value = getattr(current, attr, None)
                if isinstance(value, (ast.Node, tuple, list)):
                    stack.append(value)
        elif isinstance(current, (tuple, list)):
            stack.extend(reversed(current))


def _references(node: Any, facts: Facts, *, skip: Any = None) -> None:
    """Add every table, function and role mentioned below node to requires."""
    for sub in walk(node):
        if sub is skip:
            continue
        if isinstance(sub, ast.RangeVar):
            facts.requires.add(rel_key(sub.schemaname, sub.relname))
            if sub.schemaname:
                facts.requires.add("schema:" + sub.schemaname)
        elif isinstance(sub, ast.FuncCall):
            facts.requires.add(func_key(sub.funcname))
        elif isinstance(sub, ast.TypeName) and sub.names:
            # A user type (enum, domain, composite) must exist before a column or argument uses it.
            parts = [n.sval for n in sub.names]
            if parts[0] != "pg_catalog":
                facts.requires.add("type:" + qualify(parts[-2] if len(parts) > 1 else None, parts[-1]))
        elif isinstance(sub, ast.RoleSpec) and sub.roletype == RoleSpecType.ROLESPEC_CSTRING:
            facts.requires.add("role:" + sub.rolename)
        elif isinstance(sub, ast.CollateClause) and sub.collname:
            # A collation the schema creates must exist before a column or index uses it.
            parts = [n.sval for n in sub.collname]
            if parts[0] != "pg_catalog":
                facts.requires.add("collation:" + qualify(parts[-2] if len(parts) > 1 else None, parts[-1]))


def _names_key(names: tuple[Any, ...], prefix: str = "rel:") -> str:
    parts = [n.sval for n in names]
    if len(parts) == 1:
        return prefix + qualify(None, parts[0])
    return prefix + qualify(parts[-2], parts[-1])


def _describe_comment(node: ast.CommentStmt, facts: Facts) -> None:
    objtype = node.objtype
    target = node.object
    facts.kind = "comment"
    if objtype in (ObjectType.OBJECT_TABLE, ObjectType.OBJECT_VIEW, ObjectType.OBJECT_SEQUENCE,
                   ObjectType.OBJECT_MATVIEW, ObjectType.OBJECT_INDEX):
        facts.requires.add(_names_key(target))
        facts.name = _names_key(target)[4:]
    elif objtype == ObjectType.OBJECT_COLUMN:
        facts.requires.add(_names_key(target[:-1]))
        facts.name = _names_key(target[:-1])[4:] + "." + target[-1].sval
    elif objtype in (ObjectType.OBJECT_FUNCTION, ObjectType.OBJECT_PROCEDURE):
        facts.requires.add(func_key(target.objname))
        facts.name = func_key(target.objname)[5:]
    elif objtype in (ObjectType.OBJECT_POLICY, ObjectType.OBJECT_TRIGGER):
        facts.requires.add(_names_key(target[:-1]))
        facts.name = _names_key(target[:-1])[4:] + "." + target[-1].sval
    elif objtype == ObjectType.OBJECT_ROLE:
        facts.requires.add("role:" + target.sval)
        facts.name = target.sval
    elif objtype == ObjectType.OBJECT_SCHEMA:
        facts.requires.add("schema:" + target.sval)
        facts.name = target.sval
    elif objtype == ObjectType.OBJECT_EXTENSION:
        facts.requires.add("ext:" + target.sval)
        facts.name = target.sval
    elif objtype == ObjectType.OBJECT_TABCONSTRAINT:
        facts.requires.add(_names_key(target[:-1]))
        facts.name = _names_key(target[:-1])[4:] + "." + target[-1].sval


def describe(node: Any) -> Facts:
    """Classify one statement node and list the keys it provides and requires."""
    facts = Facts()
    if isinstance(node, ast.CreateStmt):
        rel = node.relation
        facts.kind, facts.name = "table", qualify(rel.schemaname, rel.relname)
        facts.provides.add(rel_key(rel.schemaname, rel.relname))
        _references(node, facts, skip=rel)
    elif isinstance(node, ast.ViewStmt):
        rel = node.view
        facts.kind, facts.name = "view", qualify(rel.schemaname, rel.relname)
        facts.provides.add(rel_key(rel.schemaname, rel.relname))
        _references(node.query, facts)
    elif isinstance(node, ast.CreateTableAsStmt):
        rel = node.into.rel
        facts.kind, facts.name = "view", qualify(rel.schemaname, rel.relname)
        facts.provides.add(rel_key(rel.schemaname, rel.relname))
        _references(node.query, facts)
    elif isinstance(node, ast.IndexStmt):
        rel = node.relation
        facts.kind = "index"
        facts.name = qualify(rel.schemaname, node.idxname or "")
        facts.provides.add("index:" + facts.name)
        _references(node, facts)
    elif isinstance(node, ast.CreateFunctionStmt):
        facts.kind = "function"
        key = func_key(node.funcname)
        facts.name = key[5:]
        facts.provides.add(key)
        _references(node.parameters, facts)
        _references(node.returnType, facts)
        # SQL-standard bodies (BEGIN ATOMIC / RETURN) are bound when created.
        if getattr(node, "sql_body", None) is not None:
            _references(node.sql_body, facts)
    elif isinstance(node, ast.CreateTrigStmt):
        rel = node.relation
        facts.kind = "trigger"
        facts.name = qualify(rel.schemaname, rel.relname) + "." + node.trigname
        facts.provides.add("trigger:" + facts.name)
        facts.requires.add(rel_key(rel.schemaname, rel.relname))
        facts.requires.add(func_key(node.funcname))
    elif isinstance(node, ast.CreatePolicyStmt):
        rel = node.table
        facts.kind = "policy"
        facts.name = qualify(rel.schemaname, rel.relname) + "." + node.policy_name
        facts.provides.add("policy:" + facts.name)
        _references(node, facts)
    elif isinstance(node, ast.CreateRoleStmt):
        facts.kind, facts.name = "role", node.role
        facts.provides.add("role:" + node.role)
        for option in node.options or ():
            if option.defname in ("rolemembers", "addroleto", "adminmembers"):
                _references(option.arg, facts)
    elif isinstance(node, ast.AlterRoleStmt):
        facts.kind = "alter_role"
        facts.name = node.role.rolename or ""
        _references(node, facts)
    elif isinstance(node, ast.AlterRoleSetStmt):
        facts.kind = "role_setting"
        facts.name = node.role.rolename if node.role is not None and node.role.rolename else ""
        _references(node.role, facts)
    elif isinstance(node, ast.GrantRoleStmt):
        facts.kind = "grant_role" if node.is_grant else "revoke"
        for granted in node.granted_roles or ():
            facts.requires.add("role:" + granted.priv_name)
        _references(node.grantee_roles, facts)
    elif isinstance(node, (ast.CreateEnumStmt, ast.CompositeTypeStmt, ast.CreateDomainStmt)):
        # Types come before the columns, functions and views that use them.
        if isinstance(node, ast.CompositeTypeStmt):
            key = "type:" + qualify(node.typevar.schemaname, node.typevar.relname)
        else:
            key = _names_key(node.domainname if isinstance(node, ast.CreateDomainStmt) else node.typeName, "type:")
        facts.kind, facts.name = "type", key[5:]
        facts.provides.add(key)
        _references(node, facts)
    elif isinstance(node, ast.DefineStmt) and node.kind == ObjectType.OBJECT_COLLATION:
        key = _names_key(node.defnames, "collation:")
        facts.kind, facts.name = "collation", key[len("collation:"):]
        facts.provides.add(key)
    elif isinstance(node, ast.CreateSchemaStmt):
        facts.kind, facts.name = "schema", node.schemaname
        facts.provides.add("schema:" + node.schemaname)
    elif isinstance(node, ast.CreateExtensionStmt):
        facts.kind, facts.name = "extension", node.extname
        facts.provides.add("ext:" + node.extname)
        for option in node.options or ():
            if option.defname == "schema":
                facts.requires.add("schema:" + option.arg.sval)
    elif isinstance(node, (ast.CreateEnumStmt, ast.CreateDomainStmt, ast.CompositeTypeStmt)):
        if isinstance(node, ast.CompositeTypeStmt):
            names = (node.typevar.schemaname, node.typevar.relname)
        else:
            parts = [n.sval for n in (node.typeName if isinstance(node, ast.CreateEnumStmt) else node.domainname)]
            names = (parts[-2] if len(parts) > 1 else None, parts[-1])
        facts.kind, facts.name = "type", qualify(*names)
        facts.provides.add("type:" + facts.name)
        _references(node, facts)
    elif isinstance(node, ast.CreateSeqStmt):
        rel = node.sequence
        facts.kind, facts.name = "sequence", qualify(rel.schemaname, rel.relname)
        facts.provides.add(rel_key(rel.schemaname, rel.relname))
    elif isinstance(node, ast.AlterTableStmt):
        rel = node.relation
        facts.kind, facts.name = "alter_table", qualify(rel.schemaname, rel.relname)
        _references(node, facts)
        if node.objtype == ObjectType.OBJECT_INDEX:
            # ALTER INDEX parent ATTACH PARTITION child: both indexes first.
            facts.requires.add("index:" + qualify(rel.schemaname, rel.relname))
            for cmd in node.cmds or ():
                if isinstance(cmd.def_, ast.PartitionCmd) and cmd.def_.name is not None:
                    facts.requires.add("index:" + qualify(cmd.def_.name.schemaname, cmd.def_.name.relname))
        for cmd in node.cmds or ():
            # REPLICA IDENTITY USING INDEX and ADD CONSTRAINT ... USING INDEX name an index of the table.
            index = getattr(cmd.def_, "name", None) if isinstance(cmd.def_, ast.ReplicaIdentityStmt) else \
                getattr(cmd.def_, "indexname", None) if isinstance(cmd.def_, ast.Constraint) else None
            if index:
                facts.requires.add("index:" + qualify(rel.schemaname, index))
    elif isinstance(node, ast.AlterOwnerStmt):
        facts.kind = "alter_owner"
        _references(node, facts)
        if isinstance(node.object, ast.ObjectWithArgs):
            facts.requires.add(func_key(node.object.objname))
    elif isinstance(node, ast.GrantStmt):
        facts.kind = "grant" if node.is_grant else "revoke"
        _references(node.grantees, facts)
        for target in node.objects or ():
            if isinstance(target, ast.RangeVar):
                facts.requires.add(rel_key(target.schemaname, target.relname))
            elif isinstance(target, ast.ObjectWithArgs):
                facts.requires.add(func_key(target.objname))
            elif isinstance(target, ast.String) and node.objtype == ObjectType.OBJECT_SCHEMA:
                facts.requires.add("schema:" + target.sval)
    elif isinstance(node, ast.AlterDefaultPrivilegesStmt):
        # Runs before the objects it would apply to, in the build as in a plan.
        facts.kind = "default_privileges"
        _references(node, facts)
        for option in node.options or ():
            if option.defname == "schemas":
                facts.requires.update("schema:" + s.sval for s in option.arg)
    elif isinstance(node, ast.CommentStmt):
        _describe_comment(node, facts)
    else:
        facts.kind = "other"
    # Every object lives in its schema; the statement needs that schema first.
    if facts.name and "." in facts.name and facts.kind not in ("role", "alter_role", "schema", "extension"):
        facts.requires.add("schema:" + facts.name.split(".", 1)[0])
    facts.requires -= facts.provides
    return facts

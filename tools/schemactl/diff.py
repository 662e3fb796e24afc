"""Diff stage: migra between two databases, plus what migra does not diff.

migra covers tables, columns, constraints, indexes, views, functions, triggers, RLS
policies, sequences, enums, extensions, schemas and table privileges. The tool adds roles
(attributes and memberships), comments, ownership, privileges on schemas, functions,
sequences and columns, relation options (a view's security_invoker) and FORCE ROW LEVEL
SECURITY. Objects neither can compare stop the diff with an error that names them.
"""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import psycopg
from psycopg import sql

from schemactl.catalog import DEFAULT_OWNER, MANAGED_EXCLUDED_SCHEMAS, QUERIES, Snapshot, snapshot
from schemactl.conninfo import connect, mask, pinned_options
from schemactl.database_privileges import current_database_entry_sql
from schemactl.depends import dependency_order, statement_keys
from schemactl.errors import ConnectionFailed, InputError
from schemactl.plan import Change, classify, object_of, online_forms, qualified_name
from schemactl.roles import (
    Role,
    role_alter_sql,
    role_comment_sql,
    role_create_sql,
    role_drop_sql,
    role_ensure_sql,
    role_grant_sql,
    role_reset_sql,
    role_revoke_sql,
    role_set_sql,
)
from schemactl.lexed import (
    insert_at,
    insert_after_keyword,
    list_elements,
    replace_last_identifier,
    without_keyword_before,
)
from schemactl.quoting import harden, one_statement, qualified, split_statements

if TYPE_CHECKING:
    from schemactl.renames import Rename

__all__ = ["Side", "Differences", "Inspection", "differences", "inspect", "migra_statements", "Unsupported"]


class Unsupported(InputError):
    """An object kind the tool cannot diff was found; it is named, never skipped."""


@dataclass(frozen=True)
class Side:
    """One end of a diff: a database holding the schema, and its roles."""

    url: str
    roles: dict[str, Role] = field(default_factory=dict)
    label: str = ""
    # The owner(s) that count as "whoever applies the schema" (default: the session user).
    default_owner: str | tuple[str, ...] | None = None
    # A user's database may hold rows: online forms and data-loss hazards apply.
    live: bool = False
    # A replayed migration history stands for the databases it runs on, which hold rows in
    # every table it created: changes to those tables take their online forms.
    assume_rows: bool = False
    # Rename hints of a schema built from SQL files (renames.py): the desired side's.
    renames: tuple[Rename, ...] = ()
    # Schemas left out of the comparison besides the tool's own (drift-exclude-schemas).
    excluded: tuple[str, ...] = ()

    @property
    def shown(self) -> str:
        return self.label or mask(self.url)


@dataclass(frozen=True)
class Differences:
    """The ordered changes that turn `source` into `target`."""

    changes: tuple[Change, ...]
    source: Side
    target: Side

    @property
    def empty(self) -> bool:
        return not self.changes


def _sqlalchemy_url(url: str) -> str:
    return "postgresql+psycopg2://" + url.split("://", 1)[1]


@contextlib.contextmanager
def _migra_session(url: str) -> Iterator[object]:
    """A SQLAlchemy connection for migra, without a pool: nothing lingers afterwards."""
    from sqlalchemy import create_engine  # noqa: PLC0415  (heavy import, only when diffing)
    from sqlalchemy.pool import NullPool  # noqa: PLC0415

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        engine = create_engine(_sqlalchemy_url(url), poolclass=NullPool,
                               connect_args={"options": pinned_options(url)})
        try:
            with engine.connect() as connection:
                yield connection
        except Exception as exc:  # sqlalchemy wraps every driver error in its own class
            if type(exc).__module__.startswith("sqlalchemy"):
                reason = " ".join(str(getattr(exc, "orig", exc)).split())
                raise ConnectionFailed(f"cannot inspect {mask(url)}: {mask(reason)}") from None
            raise
        finally:
            engine.dispose()


@dataclass(frozen=True)
class Inspection:
    """Everything read from one database for a diff: migra's inspector and the catalog snapshot."""

    inspector: object
    snapshot: Snapshot


def _snapshot_of(side: Side) -> Snapshot:
    with connect(side.url) as conn:
        return snapshot(conn, default_owner=side.default_owner, excluded=(*MANAGED_EXCLUDED_SCHEMAS, *side.excluded))


def inspect(side: Side) -> Inspection:
    """Read one side once; the result can serve several diffs while the database is unchanged."""
    from schemactl.preload import import_diff_modules  # noqa: PLC0415

    import_diff_modules()  # first: schemainspect imported cheaply, its relations query corrected
    from schemainspect import get_inspector  # noqa: PLC0415
    logging.getLogger("sqlalchemy").setLevel(logging.ERROR)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # Both readers mostly wait for the server: the catalog snapshot is read meanwhile.
        snapped = pool.submit(_snapshot_of, side)
        try:
            with _migra_session(side.url) as session:
                inspector = harden(get_inspector(session, exclude_schema=MANAGED_EXCLUDED_SCHEMAS[0]))
                for schema in side.excluded:
                    _leave_out(inspector, schema)
        except Exception:
            # Objects schemainspect cannot read are named, rather than the error it trips on.
            _raise_unsupported(side, snapped.result().unsupported)
            raise
        found = snapped.result()
    for function in getattr(inspector, "functions", {}).values():
        # A SQL-standard body (RETURN / BEGIN ATOMIC) has no prosrc: migra would compare two
        # empty strings. The whole definition tells such functions apart.
        if not (function.definition or "").strip():
            function.definition = function.full_definition
    _raise_unsupported(side, found.unsupported)
    return Inspection(inspector=inspector, snapshot=found)


def _leave_out(inspector: object, schema: str) -> None:
    """Drop one schema's objects from an inspection, as schemainspect's exclude_schema does for one."""
    inspector.exclude_schema(schema)  # type: ignore[attr-defined]
    for family in ("domains", "types"):
        found = getattr(inspector, family, None)
        if isinstance(found, dict):
            setattr(inspector, family, {k: v for k, v in found.items() if getattr(v, "schema", None) != schema})


_TO_PUBLIC = re.compile(r'^((?:grant|revoke) .* (?:to|from) )"PUBLIC";$', re.DOTALL)


def migra_statements(source: object, target: object) -> list[str]:
    """migra's statements from source to target (URLs or schemainspect inspectors)."""
    from schemactl.preload import import_diff_modules  # noqa: PLC0415

    import_diff_modules()
    from migra import Migration  # noqa: PLC0415

    with contextlib.ExitStack() as stack:
        ends = [stack.enter_context(_migra_session(x)) if isinstance(x, str) else x for x in (source, target)]
        migration = Migration(ends[0], ends[1], exclude_schema=MANAGED_EXCLUDED_SCHEMAS[0])
        harden(migration.changes.i_from)
        harden(migration.changes.i_target)
        migration.set_safety(False)
        migration.add_all_changes(privileges=True)
        statements = [str(s).strip() for s in migration.statements if str(s).strip()]
    # migra quotes the PUBLIC pseudo-role as if it were a role named "PUBLIC".
    return [replace_last_identifier(text, '"PUBLIC"', "PUBLIC", ("TO", "FROM")) if _TO_PUBLIC.match(text) else text
            for text in statements]


def _one_each(statements: list[str]) -> list[str]:
    """migra's strings as single statements.

    migra writes a disabled trigger as CREATE TRIGGER plus ALTER TABLE ... DISABLE TRIGGER in one
    string; that pair is split. Any other string holding more than one statement means a name
    escaped its quotes, and the diff stops rather than print it.
    """
    from pglast import ast, parse_sql  # noqa: PLC0415

    out: list[str] = []
    for text in statements:
        parts = split_statements(text)
        if len(parts) > 1:
            nodes = [parse_sql(p)[0].stmt for p in parts]
            trigger_pair = (len(nodes) == 2 and isinstance(nodes[0], ast.CreateTrigStmt)
                            and isinstance(nodes[1], ast.AlterTableStmt))
            if not trigger_pair:
                one_statement(text)
        out.extend(parts if len(parts) > 1 else [text])
    return out


def _literal(value: str | None) -> str:
    return sql.Literal(value).as_string(None) if value is not None else "NULL"


def _ident(name: str) -> str:
    return sql.Identifier(name).as_string(None)


def _owner_target(owner: str) -> str:
    return "CURRENT_USER" if owner == DEFAULT_OWNER else _ident(owner)


def _recreated(statements: list[str]) -> set[str]:
    """Identities (as the catalog queries print them) of objects migra (re)creates."""
    from pglast import ast, parse_sql  # noqa: PLC0415
    from pglast.enums import ObjectType  # noqa: PLC0415

    made: set[str] = set()
    nodes = []
    for text in statements:
        try:
            nodes.append(parse_sql(text)[0].stmt)
        except Exception:  # noqa: BLE001  (a statement pglast cannot read is simply not tracked)
            continue
    # CREATE OR REPLACE FUNCTION keeps the comment, owner and privileges unless the function was dropped.
    dropped_functions = {
        tuple(n.sval for n in obj.objname)
        for node in nodes if isinstance(node, ast.DropStmt)
        and node.removeType in (ObjectType.OBJECT_FUNCTION, ObjectType.OBJECT_PROCEDURE)
        for obj in node.objects if isinstance(obj, ast.ObjectWithArgs)
    }
    for node in nodes:
        relation = None
        if isinstance(node, ast.CreateStmt):
            relation = node.relation
        elif isinstance(node, ast.ViewStmt):
            relation = node.view
        elif isinstance(node, ast.CreateSeqStmt):
            relation = node.sequence
        if isinstance(node, (ast.CreatePolicyStmt, ast.CreateTrigStmt)):
            # Comments and the like on a re-created policy or trigger are gone with the old one.
            table = node.table if isinstance(node, ast.CreatePolicyStmt) else node.relation
            name = node.policy_name if isinstance(node, ast.CreatePolicyStmt) else node.trigname
            made.add(f"{_ident(name)} ON {_ident(table.schemaname or 'public')}.{_ident(table.relname)}")
        elif isinstance(node, ast.IndexStmt) and node.idxname:
            made.add(f"{_ident(node.relation.schemaname or 'public')}.{_ident(node.idxname)}")
        elif isinstance(node, ast.AlterTableStmt):
            for cmd in node.cmds or ():
                if isinstance(getattr(cmd, "def_", None), ast.Constraint) and cmd.def_.conname:
                    rel = node.relation
                    made.add(f"{_ident(cmd.def_.conname)} ON {_ident(rel.schemaname or 'public')}.{_ident(rel.relname)}")
        if relation is not None:
            made.add(f"{_ident(relation.schemaname or 'public')}.{_ident(relation.relname)}")
        elif isinstance(node, ast.CreateFunctionStmt) and (
                not node.replace or tuple(n.sval for n in node.funcname) in dropped_functions):
            names = [n.sval for n in node.funcname]
            schema, name = (names[0], names[1]) if len(names) > 1 else ("public", names[0])
            made.add(f"{_ident(schema)}.{_ident(name)}(")
    return made


def _names_made(statements: list[str]) -> set[str]:
    """Names of the indexes and constraints the statements create (both share the index namespace)."""
    from pglast import ast, parse_sql  # noqa: PLC0415

    made: set[str] = set()
    for text in statements:
        try:
            node = parse_sql(text)[0].stmt
        except Exception:  # noqa: BLE001  (a statement pglast cannot read creates nothing we track)
            continue
        if isinstance(node, ast.IndexStmt) and node.idxname:
            made.add(node.idxname)
        elif isinstance(node, ast.AlterTableStmt):
            made.update(cmd.def_.conname for cmd in node.cmds or ()
                        if isinstance(getattr(cmd, "def_", None), ast.Constraint) and cmd.def_.conname)
    return made


def _touched(identity: str, recreated: set[str]) -> bool:
    # Quoting differs between quote_ident() and sql.Identifier; compare unquoted.
    identity = identity.replace('"', "")
    for made in (m.replace('"', "") for m in recreated):
        if identity == made or identity.startswith(made + ".") or identity.startswith(made) and made.endswith("("):
            return True
        if " ON " in identity and identity.split(" ON ", 1)[1] == made:
            return True
    return False


def _role_change(name: str, action: str, forward: sql.Composable, reverse: sql.Composable | None,
                 hazards: tuple[str, ...] = ("authorization",)) -> Change:
    undo = (reverse.as_string(None) + ";",) if reverse is not None else ()
    return Change(sql=forward.as_string(None) + ";", object=f"role {name}", action=action, hazards=hazards,
                  reverse=undo, origin="schemactl")


def _role_setting_changes(name: str, before: dict[str, str], after: dict[str, str]) -> list[Change]:
    """ALTER ROLE ... SET / RESET for settings that differ (each a no-op where already so)."""
    changes: list[Change] = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        forward = role_set_sql(name, key, new) if new is not None else role_reset_sql(name, key)
        reverse = role_set_sql(name, key, old) if old is not None else role_reset_sql(name, key)
        changes.append(_role_change(name, "alter", forward, reverse))
    return changes


def _role_changes(before: dict[str, Role], after: dict[str, Role]) -> tuple[list[Change], list[Change]]:
    """Role changes to run first (creates, alters) and last (drops).

    Every statement checks the catalog first (see roles.py): on a cluster whose roles an
    administrator already made as declared, they are no-ops that need no privilege.
    """
    first: list[Change] = []
    last: list[Change] = []
    # Memberships after every create: a role may be made a member of one that sorts after it.
    memberships: list[Change] = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if new is not None and old is None:
            first.append(_role_change(name, "create", role_create_sql(new), role_drop_sql(name)))
            old_members: frozenset[str] = frozenset()
        elif new is None and old is not None:
            last.append(_role_change(name, "drop", role_drop_sql(name), role_ensure_sql(old)))
            continue
        else:
            assert old is not None and new is not None
            changed = {k: v for k, v in new.attrs.items() if old.attrs.get(k) != v}
            if changed:
                undo = {k: old.attrs[k] for k in changed}
                first.append(_role_change(name, "alter", role_alter_sql(name, changed), role_alter_sql(name, undo)))
            old_members = old.member_of
        assert new is not None
        first += _role_setting_changes(name, old.setting_map if old is not None else {}, new.setting_map)
        for group in sorted(new.member_of - old_members):
            memberships.append(_role_change(name, "grant", role_grant_sql(group, name), role_revoke_sql(group, name)))
        for group in sorted(old_members - new.member_of):
            memberships.append(_role_change(name, "revoke", role_revoke_sql(group, name), role_grant_sql(group, name)))
        old_comment = old.comment if old is not None else None
        if new.comment != old_comment:
            first.append(_role_change(name, "comment", role_comment_sql(name, new.comment),
                                      role_comment_sql(name, old_comment), hazards=()))
    return first + memberships, last


def _acl_sql(grant: bool, kind: str, identity: str, grantee: str, privilege: str, grantable: bool) -> str:
    who = "PUBLIC" if grantee == "PUBLIC" else _ident(grantee)
    if kind == "TABLE OPTION":
        # Only the grant option: the privilege itself is migra's to grant or revoke.
        if grant:
            return f"GRANT {privilege} ON TABLE {identity} TO {who} WITH GRANT OPTION;"
        return f"REVOKE GRANT OPTION FOR {privilege} ON TABLE {identity} FROM {who};"
    if kind == "COLUMN":
        table, _, column = identity.rpartition(".")
        target, privilege_sql = f"TABLE {table}", f"{privilege} ({column})"
    else:
        target, privilege_sql = f"{kind} {identity}", privilege
    if grant:
        option = " WITH GRANT OPTION" if grantable else ""
        return f"GRANT {privilege_sql} ON {target} TO {who}{option};"
    return f"REVOKE {privilege_sql} ON {target} FROM {who};"


# ---------------------------------------------------------------------------
# Default privileges (ALTER DEFAULT PRIVILEGES), compared per pg_default_acl key.

_DEFAULT_ACL_OBJECTS = {"r": "TABLES", "S": "SEQUENCES", "f": "FUNCTIONS", "T": "TYPES", "n": "SCHEMAS"}
# What a role's future objects get when no pg_default_acl row says otherwise (acldefault()).
_BUILTIN_OWNER_PRIVILEGES = {
    "r": ("DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE", "UPDATE"),
    "S": ("SELECT", "UPDATE", "USAGE"), "f": ("EXECUTE",), "T": ("USAGE",), "n": ("CREATE", "USAGE"),
}
_BUILTIN_PUBLIC_PRIVILEGES = {"f": ("EXECUTE",), "T": ("USAGE",)}
# An owned object's kind -> its kind in acls.sql and the default-privilege object type that governs
# a new one (base tables are left to migra, which diffs their privileges itself).
_ACL_KIND_OBJTYPE = {"FUNCTION": ("FUNCTION", "f"), "PROCEDURE": ("PROCEDURE", "f"), "SEQUENCE": ("SEQUENCE", "S"),
                     "VIEW": ("TABLE", "r"), "MATERIALIZED VIEW": ("TABLE", "r"), "SCHEMA": ("SCHEMA", "n")}

DefaultAclKey = tuple[str, str, str]


def _builtin_default_acl(role: str, objtype: str) -> frozenset[tuple[str, str, bool]]:
    owner = {(role, p, False) for p in _BUILTIN_OWNER_PRIVILEGES[objtype]}
    public = {("PUBLIC", p, False) for p in _BUILTIN_PUBLIC_PRIVILEGES.get(objtype, ())}
    return frozenset(owner | public)


def _effective_default_acl(snap: Snapshot, key: DefaultAclKey) -> frozenset[tuple[str, str, bool]]:
    """A key's entries; a missing all-schemas row means the built-in default, a missing per-schema row none."""
    if key in snap.default_acls:
        return snap.default_acls[key]
    role, schema, objtype = key
    return _builtin_default_acl(role, objtype) if not schema else frozenset()


def _new_object_acl(snap: Snapshot, kind: str, identity: str) -> set[tuple[str, str, str, str, bool]]:
    """The ACL entries (as acls.sql lists them) an object gets when the applying role creates it."""
    if kind not in _ACL_KIND_OBJTYPE:
        return set()
    kind, objtype = _ACL_KIND_OBJTYPE[kind]
    schema = "" if kind == "SCHEMA" else identity.split(".", 1)[0].replace('"', "")
    entries = set(_effective_default_acl(snap, (DEFAULT_OWNER, "", objtype)))
    if schema:
        entries |= _effective_default_acl(snap, (DEFAULT_OWNER, schema, objtype))
    return {(kind, identity, grantee, privilege, grantable) for grantee, privilege, grantable in entries
            if grantee != DEFAULT_OWNER}


def _default_acl_sql(grant: bool, key: DefaultAclKey, grantee: str, privilege: str, grantable: bool) -> str:
    role, schema, objtype = key
    parts = [sql.SQL("ALTER DEFAULT PRIVILEGES")]
    if role != DEFAULT_OWNER:
        parts.append(sql.SQL("FOR ROLE {}").format(sql.Identifier(role)))
    if schema:
        parts.append(sql.SQL("IN SCHEMA {}").format(sql.Identifier(schema)))
    who = sql.SQL("PUBLIC") if grantee == "PUBLIC" else (
        sql.SQL("CURRENT_USER") if grantee == DEFAULT_OWNER else sql.Identifier(grantee))
    target = sql.SQL(_DEFAULT_ACL_OBJECTS[objtype])
    if grant:
        option = sql.SQL(" WITH GRANT OPTION") if grantable else sql.SQL("")
        parts.append(sql.SQL("GRANT {} ON {} TO {}{}").format(sql.SQL(privilege), target, who, option))
    else:
        parts.append(sql.SQL("REVOKE {} ON {} FROM {}").format(sql.SQL(privilege), target, who))
    return sql.SQL(" ").join(parts).as_string(None) + ";"


def _default_privilege_changes(old: Snapshot, new: Snapshot) -> list[Change]:
    """ALTER DEFAULT PRIVILEGES for every entry that differs; run before objects are created."""
    changes: list[Change] = []
    for key in sorted(set(old.default_acls) | set(new.default_acls)):
        before, after = _effective_default_acl(old, key), _effective_default_acl(new, key)
        role, schema, objtype = key
        shown = f"default privileges on {_DEFAULT_ACL_OBJECTS[objtype].lower()} for {role}" + (
            f" in schema {schema}" if schema else "")
        for entry in sorted(before - after):
            changes.append(Change(sql=_default_acl_sql(False, key, *entry), object=shown, action="revoke",
                                  hazards=("authorization",), reverse=(_default_acl_sql(True, key, *entry),),
                                  origin="schemactl"))
        for entry in sorted(after - before):
            changes.append(Change(sql=_default_acl_sql(True, key, *entry), object=shown, action="grant",
                                  hazards=("authorization",), reverse=(_default_acl_sql(False, key, *entry),),
                                  origin="schemactl"))
    return changes


# ---------------------------------------------------------------------------
# Privileges on the current database (datacl), emitted without a database name.

def _database_acl_changes(old: Snapshot, new: Snapshot) -> list[Change]:
    """GRANT/REVOKE ... ON DATABASE current_database() for every entry that differs."""
    changes: list[Change] = []
    for entry in sorted(old.database_acl - new.database_acl):
        changes.append(Change(sql=current_database_entry_sql(False, *entry), object="database (current)",
                              action="revoke", hazards=("authorization",),
                              reverse=(current_database_entry_sql(True, *entry),), origin="schemactl"))
    for entry in sorted(new.database_acl - old.database_acl):
        changes.append(Change(sql=current_database_entry_sql(True, *entry), object="database (current)",
                              action="grant", hazards=("authorization",),
                              reverse=(current_database_entry_sql(False, *entry),), origin="schemactl"))
    return changes


_SEQUENCE_MAX = {"smallint": 32767, "integer": 2147483647, "bigint": 9223372036854775807}


def _default_sequence(data_type: str) -> tuple:
    """The options CREATE SEQUENCE gives a sequence of this type when none are written."""
    return (data_type, 1, 1, 1, _SEQUENCE_MAX.get(data_type, _SEQUENCE_MAX["bigint"]), 1, False)


def _sequence_sql(identity: str, options: tuple, *, restart: bool = False) -> str:
    data_type, start, increment, minimum, maximum, cache, cycle = options
    # A sequence made by this plan starts at its START (its counter may lie outside new bounds);
    # an existing one keeps its counter.
    again = f" RESTART WITH {int(start)}" if restart else ""
    return (f"ALTER SEQUENCE {identity} AS {data_type} INCREMENT BY {int(increment)} MINVALUE {int(minimum)} "
            f"MAXVALUE {int(maximum)} START WITH {int(start)}{again} CACHE {int(cache)} {'' if cycle else 'NO '}CYCLE;")


# schema.name as quote_ident() writes it: group 1 is the schema.
_QUALIFIED = re.compile(r'^((?:"(?:[^"]|"")*"|[^."]+))\.(.+)$')


def _identity_sql(table: str, column: str, options: tuple, previous: tuple) -> str:
    _, start, increment, minimum, maximum, cache, cycle = options
    # A sequence whose old start lies outside the new range would be refused by PostgreSQL;
    # it restarts at the new start (a sequence in use past that point keeps its position).
    restart = " RESTART" if not int(minimum) <= int(previous[1]) <= int(maximum) else ""
    return (f"ALTER TABLE {table} ALTER COLUMN {column} SET INCREMENT BY {int(increment)} SET MINVALUE {int(minimum)} "
            f"SET MAXVALUE {int(maximum)} SET START WITH {int(start)} SET CACHE {int(cache)} "
            f"SET {'' if cycle else 'NO '}CYCLE{restart};")


def _domain_create_sql(identity: str, domain: tuple) -> str:
    base, collation, default, not_null, checks, _ = domain
    parts = [f"CREATE DOMAIN {identity} AS {base}"]
    if collation:
        parts.append(f"COLLATE {collation}")
    if default is not None:
        parts.append(f"DEFAULT {default}")
    if not_null:
        parts.append("NOT NULL")
    parts += [f"CONSTRAINT {_ident(name)} {definition}" for name, definition in checks]
    return " ".join(parts) + ";"


def _domain_comment_sql(identity: str, comment: str | None) -> str:
    return f"COMMENT ON DOMAIN {identity} IS {_literal(comment) if comment is not None else 'NULL'};"


def _domain_changes(old: Snapshot, new: Snapshot) -> tuple[list[Change], list[Change]]:
    """Domains created, dropped and altered in place (migra does not compare them).

    Default, NOT NULL, CHECK constraints (by name) and the comment have ALTER DOMAIN forms; a
    new base type or collation has none: the domain is dropped and created again when no
    column uses it, and the change is refused naming it otherwise.

    Returns the drops and alterations, which go before migra's statements (a schema migra drops
    must be empty by then), and the creations, which go after them (a schema migra creates must
    exist by then); pg_depend orders the domains' users around both.
    """
    changes: list[Change] = []
    made: list[Change] = []
    for identity in sorted(set(old.domains) | set(new.domains)):
        before, after = old.domains.get(identity), new.domains.get(identity)
        if before == after:
            continue
        obj = f"domain {identity}"
        drop = f"DROP DOMAIN {identity};"
        create = (_domain_create_sql(identity, after),) if after else ()
        recreate = (_domain_create_sql(identity, before),) if before else ()
        if before is None:
            made.append(Change(sql=create[0], object=obj, action="create", hazards=(), reverse=(drop,),
                               origin="schemactl"))
            if after[5] is not None:
                made.append(Change(sql=_domain_comment_sql(identity, after[5]), object=obj, action="alter",
                                   hazards=(), reverse=(), origin="schemactl"))
            continue
        if after is None:
            comment = (_domain_comment_sql(identity, before[5]),) if before[5] is not None else ()
            changes.append(Change(sql=drop, object=obj, action="drop", hazards=(), reverse=recreate + comment,
                                  origin="schemactl"))
            continue
        recreated = before[:2] != after[:2]
        if recreated:
            key = "type:" + identity.replace('"', "")
            users = sorted(k for k, needs in old.depends.items() if key in needs and not k.startswith("owned:"))
            if users:
                raise CannotChangeInPlace(
                    f"domain {identity} changes its base type or collation ({before[0]} -> {after[0]}): "
                    f"PostgreSQL has no ALTER DOMAIN for that and {', '.join(users[:5])} use it; create a new "
                    "domain, move the columns to it, then drop the old one")
            changes.append(Change(sql=drop, object=obj, action="drop", hazards=(), reverse=recreate,
                                  origin="schemactl"))
            made.append(Change(sql=create[0], object=obj, action="create", hazards=(), reverse=(drop,),
                               origin="schemactl"))
            before = (*after[:5], None)  # created again: as declared, without a comment yet
        if before[2] != after[2]:
            set_default = (f"ALTER DOMAIN {identity} SET DEFAULT {after[2]};" if after[2] is not None
                           else f"ALTER DOMAIN {identity} DROP DEFAULT;")
            undo = (f"ALTER DOMAIN {identity} SET DEFAULT {before[2]};" if before[2] is not None
                    else f"ALTER DOMAIN {identity} DROP DEFAULT;")
            changes.append(Change(sql=set_default, object=obj, action="alter", hazards=(), reverse=(undo,),
                                  origin="schemactl"))
        if before[3] != after[3]:
            verb, undo = ("SET", "DROP") if after[3] else ("DROP", "SET")
            changes.append(Change(sql=f"ALTER DOMAIN {identity} {verb} NOT NULL;", object=obj, action="alter",
                                  hazards=("validates_constraint",) if after[3] else (),
                                  reverse=(f"ALTER DOMAIN {identity} {undo} NOT NULL;",), origin="schemactl"))
        old_checks, new_checks = dict(before[4]), dict(after[4])
        for name in sorted(set(old_checks) | set(new_checks)):
            if old_checks.get(name) == new_checks.get(name):
                continue
            drop_check = f"ALTER DOMAIN {identity} DROP CONSTRAINT {_ident(name)};"
            if name in old_checks:
                changes.append(Change(sql=drop_check, object=obj, action="alter", hazards=(),
                                      reverse=(f"ALTER DOMAIN {identity} ADD CONSTRAINT {_ident(name)} "
                                               f"{old_checks[name]};",), origin="schemactl"))
            if name in new_checks:
                changes.append(Change(sql=f"ALTER DOMAIN {identity} ADD CONSTRAINT {_ident(name)} {new_checks[name]};",
                                      object=obj, action="alter", hazards=("validates_constraint",),
                                      reverse=(drop_check,), origin="schemactl"))
        if before[5] != after[5]:
            comment = Change(sql=_domain_comment_sql(identity, after[5]), object=obj, action="alter", hazards=(),
                             reverse=(_domain_comment_sql(identity, before[5]),), origin="schemactl")
            (made if recreated else changes).append(comment)
    return changes, made


def _extra_changes(old: Snapshot, new: Snapshot, recreated: set[str]) -> list[Change]:
    changes: list[Change] = []
    # Relation options, FORCE ROW LEVEL SECURITY and partitions' row-level security.
    new_relations = {(k, i) for (k, i) in new.owners}
    option_keys = sorted(set(old.options) | set(new.options))
    for kind, identity, name in option_keys:
        if (kind, identity) not in new_relations:
            continue
        before = None if _touched(identity, recreated) else old.options.get((kind, identity, name))
        after = new.options.get((kind, identity, name))
        if before == after:
            continue
        if name == "replica_identity":
            schema = _QUALIFIED.match(identity).group(1)
            if before and before.startswith("USING INDEX ") and _touched(f"{schema}.{before[12:]}", recreated):
                before = None  # the index was re-created: the setting went with it
            if before == after:
                continue
            changes.append(Change(sql=f"ALTER TABLE {identity} REPLICA IDENTITY {after or 'DEFAULT'};",
                                  object=f"table {identity}", action="alter", hazards=("access_exclusive_lock",),
                                  reverse=(f"ALTER TABLE {identity} REPLICA IDENTITY {before or 'DEFAULT'};",),
                                  origin="schemactl"))
            continue
        if name in ("force_row_level_security", "partition_row_level_security"):
            on, off = ("FORCE", "NO FORCE") if name.startswith("force") else ("ENABLE", "DISABLE")
            verb, undo = (on, off) if after else (off, on)
            changes.append(Change(sql=f"ALTER TABLE {identity} {verb} ROW LEVEL SECURITY;", object=f"table {identity}",
                                  action="alter", hazards=("authorization",),
                                  reverse=(f"ALTER TABLE {identity} {undo} ROW LEVEL SECURITY;",), origin="schemactl"))
            continue
        word = "VIEW" if kind == "VIEW" else ("MATERIALIZED VIEW" if kind.startswith("MAT") else "TABLE")
        set_sql = f"ALTER {word} {identity} SET ({name} = {_literal(after)});" if after is not None else \
            f"ALTER {word} {identity} RESET ({name});"
        undo_sql = f"ALTER {word} {identity} SET ({name} = {_literal(before)});" if before is not None else \
            f"ALTER {word} {identity} RESET ({name});"
        hazards = ("authorization",) if name.startswith("security_") else ()
        changes.append(Change(sql=set_sql, object=f"{word.lower()} {identity}", action="alter", hazards=hazards,
                              reverse=(undo_sql,), origin="schemactl"))
    # Sequence options: migra creates sequences with the defaults of their type.
    for identity in sorted(new.sequences):
        after = new.sequences[identity]
        before = None if _touched(identity, recreated) else old.sequences.get(identity)
        made = before is None
        if before is None:
            # migra writes CREATE SEQUENCE without AS: a bigint sequence, whatever the column's type.
            before = _default_sequence("bigint")
        if before != after:
            changes.append(Change(sql=_sequence_sql(identity, after, restart=made), object=f"sequence {identity}",
                                  action="alter",
                                  reverse=(_sequence_sql(identity, before),), origin="schemactl"))
    # Identity columns' sequence options: migra adds identities with the defaults of their type.
    for key in sorted(new.identities):
        table, column = key
        after = new.identities[key]
        before = None if _touched(table, recreated) else old.identities.get(key)
        if before is None or before[0] != after[0]:
            before = _default_sequence(after[0])
        if before != after:
            changes.append(Change(sql=_identity_sql(table, column, after, before),
                                  object=f"table {table} column {column}", action="alter",
                                  hazards=("access_exclusive_lock",),
                                  reverse=(_identity_sql(table, column, before, after),), origin="schemactl"))
    # Privileges migra does not diff. An object missing from `new` is dropped with its ACL;
    # an object that is created (or re-created) starts from PostgreSQL's default ACL.
    exists_new = {identity for (_, identity) in new.comments}
    old_acls = {a for a in old.acls if not _touched(a[1], recreated)}
    existed = {identity for (_, identity) in old.owners if not _touched(identity, recreated)}
    for kind, identity in new.owners:
        if identity not in existed:
            # A new object starts from the default privileges in effect when the plan creates it.
            old_acls |= _new_object_acl(new, kind, identity)
    for entry in sorted(old_acls - new.acls):
        if entry[1] not in exists_new:
            continue
        changes.append(Change(sql=_acl_sql(False, *entry), object=f"{entry[0].split()[0].lower()} {entry[1]}",
                              action="revoke",
                              hazards=("authorization",), reverse=(_acl_sql(True, *entry),), origin="schemactl"))
    for entry in sorted(new.acls - old_acls):
        changes.append(Change(sql=_acl_sql(True, *entry), object=f"{entry[0].split()[0].lower()} {entry[1]}",
                              action="grant",
                              hazards=("authorization",), reverse=(_acl_sql(False, *entry),), origin="schemactl"))
    # Ownership, schemas first: the new owner of an object must hold CREATE on its schema, which
    # a schema's new owner has only once the schema is handed over.
    for key in sorted(set(new.owners), key=lambda k: (k[0] != "SCHEMA", k)):
        kind, identity = key
        before = None if _touched(identity, recreated) else old.owners.get(key)
        after = new.owners[key]
        if before == after or (before is None and after == DEFAULT_OWNER):
            continue
        undo = (f"ALTER {kind} {identity} OWNER TO {_owner_target(before)};",) if before else ()
        changes.append(Change(sql=f"ALTER {kind} {identity} OWNER TO {_owner_target(after)};",
                              object=f"{kind.lower()} {identity}", action="owner", hazards=("authorization",),
                              reverse=undo, origin="schemactl"))
    # Comments, last: every object they name exists by now.
    for key in sorted(new.comments):
        kind, identity = key
        before = None if _touched(identity, recreated) else old.comments.get(key)
        after = new.comments[key]
        if before == after:
            continue
        if key not in old.comments and after is None:
            continue
        changes.append(Change(sql=f"COMMENT ON {kind} {identity} IS {_literal(after)};",
                              object=f"{kind.lower()} {identity}", action="comment",
                              reverse=(f"COMMENT ON {kind} {identity} IS {_literal(before)};",), origin="schemactl"))
    return changes


def _partitioning_fixed(statements: list[str], old: Snapshot, new: Snapshot) -> list[str]:
    """migra's statements with its partitioning mistakes corrected.

    A partition's indexes and constraints come from its parent: PostgreSQL creates them with
    the partition (or when the parent's index is created) and drops them with the parent's.
    migra creates and drops them one by one, and builds the parent's index ON ONLY, which
    leaves it invalid. Those statements are dropped or rewritten here.
    """
    from pglast import ast, enums, parse_sql  # noqa: PLC0415

    parsed: list[tuple[str, object]] = []
    for text in statements:
        try:
            parsed.append((text, parse_sql(text)[0].stmt))
        except Exception:  # noqa: BLE001  (kept as migra wrote it)
            parsed.append((text, None))

    def dropped(node: object, kind: object) -> list[str]:
        if not isinstance(node, ast.DropStmt) or node.removeType != kind:
            return []
        names = [".".join(n.sval for n in item) for item in node.objects]
        return [n if "." in n else f"public.{n}" for n in names]

    dropped_tables = {n.replace('"', "") for _, node in parsed for n in dropped(node, enums.ObjectType.OBJECT_TABLE)}
    parent_of = {obj: parent for (fact, obj, parent) in old.partitioning if fact == "partition"}
    inherited_old = {obj for (fact, obj, _) in old.partitioning if fact == "inherited_index"}
    parent_index = {obj: parent for (fact, obj, parent) in new.partitioning if fact == "inherited_index"}
    constraint_indexes = {obj for (fact, obj, _) in new.partitioning if fact == "constraint_index"}
    # A partition's index whose parent index this plan creates is built first, under its own
    # name; the parent's CREATE INDEX then attaches it instead of making one with a generated name.
    children_first: dict[str, list[str]] = {}
    for text, node in parsed:
        if isinstance(node, ast.IndexStmt):
            parent = parent_index.get(f"{node.relation.schemaname or 'public'}.{node.idxname}")
            if parent and not old.has("partitioned_index", parent) and parent not in constraint_indexes:
                children_first.setdefault(parent, []).append(text)
    early = {text for texts in children_first.values() for text in texts}
    fixed: list[str] = []
    for text, node in parsed:
        if node is None:
            fixed.append(text)
            continue
        if text in early:
            continue
        tables = dropped(node, enums.ObjectType.OBJECT_TABLE)
        if tables and all(parent_of.get(t) in dropped_tables for t in tables):
            continue  # a partition goes with its dropped parent
        if isinstance(node, ast.IndexStmt):
            index = f"{node.relation.schemaname or 'public'}.{node.idxname}"
            table = qualified_name(node.relation)
            if index in parent_index or new.has("partitioned_constraint", table, node.idxname):
                continue  # made by the partition itself, or by the constraint below
            fixed.extend(children_first.get(index, ()))
            if new.has("partitioned_index", index) and not node.relation.inh:
                # The ONLY token right before the relation goes (the parser's position, the lexer's token).
                text = without_keyword_before(text, node.relation.location, "ONLY")
        elif dropped(node, enums.ObjectType.OBJECT_INDEX):
            if all(n in inherited_old for n in dropped(node, enums.ObjectType.OBJECT_INDEX)):
                continue
        elif isinstance(node, ast.CreateTrigStmt):
            if new.has("inherited_trigger", qualified_name(node.relation), node.trigname):
                continue  # created on the partition by the parent's CREATE TRIGGER
        elif isinstance(node, ast.DropStmt) and node.removeType == enums.ObjectType.OBJECT_TRIGGER:
            names = [[n.sval for n in item] for item in node.objects]
            if names and all(old.has("inherited_trigger", ".".join((["public"] + parts)[-3:-1]), parts[-1])
                             for parts in names):
                continue  # dropped with the parent's trigger
        elif isinstance(node, ast.AlterTableStmt) and len(node.cmds) == 1:
            table, cmd = qualified_name(node.relation), node.cmds[0]
            if cmd.subtype == enums.AlterTableType.AT_AddConstraint:
                name = cmd.def_.conname
                if new.has("inherited_constraint", table, name):
                    continue
                definition = new.partitioning.get(("partitioned_constraint", table, name))
                if definition is not None:
                    text = (f"ALTER TABLE {qualified(node.relation.schemaname or 'public', node.relation.relname)} "
                            f"ADD CONSTRAINT {_ident(name)} {definition}")
            elif cmd.subtype == enums.AlterTableType.AT_DropConstraint and old.has("inherited_constraint", table,
                                                                              cmd.name):
                continue
            elif cmd.subtype == enums.AlterTableType.AT_ValidateConstraint and new.has("inherited_constraint", table,
                                                                                  cmd.name):
                continue
        fixed.append(text)
        if isinstance(node, ast.AlterTableStmt) and len(node.cmds) == 1 \
                and node.cmds[0].subtype == enums.AlterTableType.AT_DetachPartition:
            # Detached, a partition keeps the indexes its parent's gave it, as its own: those
            # the target's table does not have go right after.
            partition = qualified_name(node.cmds[0].def_.name)
            wanted = {obj for (fact, obj, _) in new.partitioning if fact in ("local_index", "constraint_index")}
            for (fact, index, table) in sorted(old.partitioning):
                if fact == "partition_index" and table == partition and index not in wanted:
                    schema, _, name = index.partition(".")
                    fixed.append(f"DROP INDEX {_ident(schema)}.{_ident(name)};")
    # An index that outlives what owned it (its partitioned parent index, or a constraint
    # USING it) goes with the owner's drop; migra sees it on both sides and says nothing.
    owned = {obj for (fact, obj, _) in old.partitioning if fact in ("inherited_index", "constraint_index")}
    for key, definition in sorted(new.partitioning.items(), key=lambda item: item[0][1]):
        if key[0] == "local_index" and key[1] in owned and definition:
            fixed.append(definition)
    return fixed


_ADD_CONSTRAINT = re.compile(r"^alter table (?P<table>\S+) add constraint (?P<name>\S+) (?P<definition>.*) not valid;$",
                             re.DOTALL)
_DROP_CONSTRAINT = re.compile(r"^alter table (?P<table>\S+) drop constraint (?P<name>\S+);$")
_VALIDATE = re.compile(r"^alter table (?P<table>\S+) validate constraint (?P<name>\S+);$")


def _constraints_fixed(statements: list[str], old: object, new: object) -> list[str]:
    """migra's constraint statements with NOT VALID respected.

    migra adds every CHECK and FOREIGN KEY as NOT VALID and then validates it, also when the
    target's constraint is NOT VALID (which then stays validated, or reads "NOT VALID not
    valid"). A constraint that only turns valid is one VALIDATE CONSTRAINT, no drop and add.
    """
    old_constraints = getattr(old, "constraints", {})
    new_constraints = getattr(new, "constraints", {})
    dropped = {(m["table"], m["name"]) for m in map(_DROP_CONSTRAINT.match, statements) if m}
    skip_validate: set[tuple[str, str]] = set()
    only_validate: set[tuple[str, str]] = set()
    fixed: list[str] = []
    for text in statements:
        match = _ADD_CONSTRAINT.match(text)
        if match is None:
            fixed.append(text)
            continue
        key = (match["table"], match["name"])
        definition = match["definition"]
        target = new_constraints.get(f"{key[0]}.{key[1]}")
        source = old_constraints.get(f"{key[0]}.{key[1]}")
        if definition.endswith(" NOT VALID"):
            skip_validate.add(key)
            fixed.append(f"alter table {key[0]} add constraint {key[1]} {definition};")
        elif key in dropped and source is not None and target is not None and \
                source.definition == f"{target.definition} NOT VALID":
            only_validate.add(key)
        else:
            fixed.append(text)
    new_indexes = getattr(new, "indexes", {})
    old_indexes = getattr(old, "indexes", {})
    using = {m.group(1) for m in (re.search(r" using index (\S+);$", t) for t in fixed) if m}
    out: list[str] = []
    for text in fixed:
        drop, validate = _DROP_CONSTRAINT.match(text), _VALIDATE.match(text)
        if drop and (drop["table"], drop["name"]) in only_validate:
            continue
        if validate and (validate["table"], validate["name"]) in skip_validate:
            continue
        if (match := re.match(r"^drop index if exists (\S+)\.(\S+);$", text)) and match[2] in using:
            index = old_indexes.get(f"{match[1]}.{match[2]}")
            if index is not None and f"{index.definition};" in fixed:
                continue  # the same index is kept and becomes the constraint's (USING INDEX)
        if text.startswith("CREATE ") and any(text == f"{old_indexes[k].definition};" for k in old_indexes
                                              if k.rsplit(".", 1)[1] in using and k in new_indexes):
            continue
        out.append(text)
        if drop:
            # Dropping a unique or primary key constraint drops its index; the target keeps
            # an index of that name as a plain one, which migra sees as unchanged.
            source = old_constraints.get(f"{drop['table']}.{drop['name']}")
            schema = drop["table"].split(".", 1)[0]
            index = new_indexes.get(f"{schema}.{drop['name']}")
            if source is not None and source.index and index is not None and \
                    f"{drop['table']}.{drop['name']}" not in new_constraints and f"{index.definition};" not in fixed:
                out.append(f"{index.definition};")
    return out


def _policies_altered(statements: list[str], old: object, new: object) -> list[str]:
    """A changed policy as ALTER POLICY where PostgreSQL allows it, not drop and create.

    ALTER POLICY sets the roles, USING and WITH CHECK; the command and PERMISSIVE /
    RESTRICTIVE cannot change, and a clause cannot be removed: those stay drop + create.
    """
    old_policies = getattr(old, "rlspolicies", {})
    altered: dict[str, str] = {}
    for key, target in getattr(new, "rlspolicies", {}).items():
        source = old_policies.get(key)
        if source is None or source == target:
            continue
        if source.commandtype != target.commandtype or source.permissive != target.permissive:
            continue
        if (source.qual and not target.qual) or (source.withcheck and not target.withcheck):
            continue
        roles = ", ".join("PUBLIC" if r == "public" else _ident(r) for r in target.roles)
        clauses = [f"TO {roles}"]
        if target.qual:
            clauses.append(f"USING ({target.qual})")
        if target.withcheck:
            clauses.append(f"WITH CHECK ({target.withcheck})")
        table = f"{_ident(target.schema)}.{_ident(target.table_name)}"
        altered[f"policy {target.name} on {target.schema}.{target.table_name}"] = (
            f"ALTER POLICY {_ident(target.name)} ON {table} {' '.join(clauses)};")
    if not altered:
        return statements
    out: list[str] = []
    for text in statements:
        action, obj = object_of(text)
        if obj in altered and action == "drop":
            continue
        out.append(altered[obj] if obj in altered and action == "create" else text)
    return out


def _refuse_impossible_partitioning(old: Snapshot, new: Snapshot) -> None:
    """A partition key cannot change in place.

    A table that turns partitioned or plain is dropped and created again by the plan (its rows
    with it: deletes_data, so refused without --allow-destructive, the refusal saying how to
    keep the rows instead).
    """
    def tables(snap: Snapshot, fact: str) -> dict[str, str | None]:
        return {obj: definition for (kind, obj, _), definition in snap.partitioning.items() if kind == fact}

    old_partitioned, new_partitioned = tables(old, "partitioned_table"), tables(new, "partitioned_table")
    for table in sorted(set(old_partitioned) & set(new_partitioned)):
        if old_partitioned[table] != new_partitioned[table]:
            raise InputError(f"table {table} changes its partition key from {old_partitioned[table]} to "
                             f"{new_partitioned[table]}: PostgreSQL cannot change a partition key in place; "
                             "create the table anew under another name, move the rows, then swap the names")


_ALTER_TYPE = re.compile(r'^alter table (?P<table>\S+) alter column (?P<column>"(?:[^"]|"")+") set data type '
                         r'(?P<type>.+?)(?: collate \S+)? using .*;$', re.DOTALL)


def _refuse_uncastable_types(side: Side, statements: list[str]) -> None:
    """A column type change PostgreSQL has no cast for is refused, naming the column."""
    wanted = [m for m in map(_ALTER_TYPE.match, statements) if m]
    if not wanted:
        return
    with connect(side.url, autocommit=True) as conn:
        for match in wanted:
            table, column = match["table"], match["column"]
            try:
                with conn.transaction():
                    found = conn.execute(QUERIES["castable"], {
                        "table": table, "column": column[1:-1].replace('""', '"'), "type": match["type"]}).fetchone()
            except psycopg.Error:
                continue  # a type name the server cannot resolve alone: the rehearsal decides
            if found is None or found[1]:
                continue
            shown = f"{table}.{column}".replace('"', "")
            raise InputError(
                f"column {shown}: PostgreSQL has no cast from {found[0]} to {match['type']}; write this step by "
                f"hand as ALTER TABLE {table} ALTER COLUMN {column} TYPE {match['type']} USING <an expression of "
                f"{column}>, or add a new column, fill it and drop the old one")


def _views_kept(statements: list[str], old: Inspection, new: Inspection) -> list[str]:
    """Statements without the drop and re-create of views that need neither.

    migra re-creates every view that reads a changed table. A view whose definition is the
    same on both sides only has to go when something it depends on (per pg_depend, down to
    the column) is removed or re-created by the plan.
    """
    old_views, new_views = getattr(old.inspector, "views", {}), getattr(new.inspector, "views", {})
    candidates = {f"view {v.schema}.{v.name}": f"rel:{v.schema}.{v.name}"
                  for k, v in old_views.items() if k in new_views and new_views[k] == v}
    if not candidates:
        return statements
    described = [(text, *object_of(text)) for text in statements]
    removed: set[str] = set()
    for text, _, obj in described:
        if obj not in candidates:
            removed |= statement_keys(text).removes
    kept = set(candidates)
    changed = True
    while changed:
        changed = False
        gone = removed | {candidates[v] for v in set(candidates) - kept}
        for view in sorted(kept):
            needs = old.snapshot.depends.get(candidates[view], frozenset())
            owners = {f"rel:{n.split(':', 1)[1].rsplit('.', 1)[0]}" for n in needs if n.startswith(("col:", "con:"))}
            if needs & gone or owners & gone:
                kept.discard(view)
                changed = True
    return [text for text, action, obj in described
            if not (obj in kept and action in ("drop", "create", "replace"))]


def _enum_additions(old_labels: list[str], new_labels: list[str]) -> list[tuple[str, str, str]] | None:
    """(label, BEFORE/AFTER, neighbour) to add, or None when labels are removed or reordered."""
    kept = [label for label in new_labels if label in old_labels]
    if kept != old_labels or not old_labels:
        return None
    added: list[tuple[str, str, str]] = []
    for position, label in enumerate(new_labels):
        if label in old_labels:
            continue
        if position == 0:
            added.append((label, "BEFORE", old_labels[0]))
        else:
            added.append((label, "AFTER", new_labels[position - 1]))
    return added


def _enums_extended(statements: list[str], old: object, new: object) -> list[str]:
    """An enum that only gains labels is ALTER TYPE ... ADD VALUE, not re-created.

    migra renames the old type, creates the new one, converts every column through text and
    drops the old type: a table rewrite that fails when a view reads the column.
    """
    old_enums, new_enums = getattr(old, "enums", {}), getattr(new, "enums", {})
    old_tables, new_tables = getattr(old, "tables", {}), getattr(new, "tables", {})
    out = list(statements)
    for key, target in new_enums.items():
        source = old_enums.get(key)
        if source is None or list(source.elements) == list(target.elements):
            continue
        added = _enum_additions(list(source.elements), list(target.elements))
        if added is None:
            continue
        quoted = f"{_ident(target.schema)}.{_ident(target.name)}"
        retyped = re.compile(rf"^alter table (\S+) alter column (\S+) type {re.escape(key)} using .*;$")
        columns = {(m[1], m[2].strip('"')) for m in map(retyped.match, out) if m}

        def unchanged_default(table: str, column: str) -> bool:
            a, b = old_tables.get(table), new_tables.get(table)
            return bool(a and b and column in a.columns and column in b.columns
                        and a.columns[column].default == b.columns[column].default)

        def belongs(text: str) -> bool:
            if retyped.match(text) or text.startswith((f"alter type {key} rename to ", f"create type {key} as enum")):
                return True
            if text.startswith("drop type ") and text.endswith(f'{target.name}__old_version_to_be_dropped";'):
                return True
            match = re.match(r'^alter table (\S+) alter column "((?:[^"]|"")+)" (?:drop|set) default', text)
            return bool(match and (match[1], match[2]) in columns and unchanged_default(match[1], match[2]))

        out = [text for text in out if not belongs(text)]
        out[:0] = [f"ALTER TYPE {quoted} ADD VALUE {_literal(label)} {where} {_literal(neighbour)};"
                   for label, where, neighbour in added]
    return out


_COLUMN_DEFAULT = re.compile(r'^alter table (?P<table>\S+) alter column "(?P<column>(?:[^"]|"")+)" '
                             r'(?:set default .*|drop default);$', re.DOTALL)


def _generated_fixed(statements: list[str], old: Inspection, new: Inspection) -> list[str]:
    """Generated columns whose expression changes, appears or goes, as PostgreSQL 15 allows.

    migra sees a generation expression as a default. PostgreSQL 15 has DROP EXPRESSION (the
    column keeps its values) but no SET EXPRESSION: a changed expression is a drop and re-add
    of the column in one statement (a rewrite; its indexes are built again).
    """
    old_tables, new_tables = getattr(old.inspector, "tables", {}), getattr(new.inspector, "tables", {})
    out: list[str] = []
    for text in statements:
        match = _COLUMN_DEFAULT.match(text)
        table, column = (match["table"], match["column"].replace('""', '"')) if match else ("", "")
        before = old_tables[table].columns.get(column) if match and table in old_tables else None
        after = new_tables[table].columns.get(column) if match and table in new_tables else None
        if before is None or after is None or not (before.is_generated or after.is_generated):
            out.append(text)
            continue
        name = _ident(column)
        if before.is_generated and not after.is_generated:
            out.append(f"ALTER TABLE {table} ALTER COLUMN {name} DROP EXPRESSION;")
            if after.default:
                out.append(f"ALTER TABLE {table} ALTER COLUMN {name} SET DEFAULT {after.default};")
            continue
        added = (f"ADD COLUMN {name} {after.dbtypestr} GENERATED ALWAYS AS ({after.default}) STORED"
                 f"{' NOT NULL' if after.not_null else ''}")
        if before.is_generated:
            out.append(f"ALTER TABLE {table} DROP COLUMN {name}, {added};")
        else:
            out += [f"ALTER TABLE {table} DROP COLUMN {name};", f"ALTER TABLE {table} {added};"]
        # Indexes on the column went with it.
        key = f"col:{new_tables[table].schema}.{new_tables[table].name}.{column}"
        for index_key, needs in sorted(new.snapshot.depends.items()):
            index_name = f"{_ident(index_key[6:].split('.', 1)[0])}.{_ident(index_key[6:].split('.', 1)[1])}"
            if index_key.startswith("index:") and key in needs and index_name in getattr(new.inspector, "indexes", {}):
                out.append(f"{new.inspector.indexes[index_name].definition};")
    return out


def _defaults_released(statements: list[str], old: Inspection, new: Inspection) -> list[str]:
    """Column defaults that call a dropped function are dropped first and set again after.

    pg_depend ties a default to the functions it calls; migra replaces such a function
    (a new signature) without touching the default, which then blocks the DROP FUNCTION.
    """
    keys = [statement_keys(text) for text in statements]
    removed = set().union(*(k.removes for k in keys)) if keys else set()
    made = set().union(*(k.makes for k in keys)) if keys else set()
    dropped_functions = {key for key in removed if key.startswith("func:")}
    if not dropped_functions:
        return statements
    old_tables, new_tables = getattr(old.inspector, "tables", {}), getattr(new.inspector, "tables", {})
    first: list[str] = []
    last: list[str] = []
    old_functions, new_functions = getattr(old.inspector, "functions", {}), getattr(new.inspector, "functions", {})
    for dependent, needs in sorted(old.snapshot.depends.items()):
        if not needs & dropped_functions or dependent in removed:
            continue
        if dependent.startswith("func:"):
            # A SQL-standard body calling the dropped function: dropped first, created again.
            schema, _, name = dependent[5:].partition(".")
            for function in old_functions.values():
                if (function.schema, function.name) == (schema, name):
                    first.append(f"drop function if exists {function.quoted_full_name}({function.identity_arguments});")
            if dependent not in made:
                last += [f"{f.full_definition.strip()};" for f in new_functions.values()
                         if (f.schema, f.name) == (schema, name)]
            continue
        if not dependent.startswith("col:"):
            continue
        schema, _, rest = dependent[4:].partition(".")
        table_name, _, column = rest.rpartition(".")
        table = f"{_ident(schema)}.{_ident(table_name)}"
        before = old_tables[table].columns.get(column) if table in old_tables else None
        if before is None or before.is_generated or not before.default:
            continue
        first.append(f"ALTER TABLE {table} ALTER COLUMN {_ident(column)} DROP DEFAULT;")
        after = new_tables[table].columns.get(column) if table in new_tables else None
        if dependent not in made and after is not None and after.default and not after.is_generated:
            last.append(f"ALTER TABLE {table} ALTER COLUMN {_ident(column)} SET DEFAULT {after.default};")
    return first + statements + last


_RETYPE = re.compile(r'^alter table (?P<table>\S+) alter column (?P<column>"(?:[^"]|"")+"|[a-z_][a-z0-9_$]*) '
                     r'(?:set data )?type ', re.IGNORECASE)


_COLUMN_ALTER = re.compile(r'^alter table (?P<table>\S+) alter column (?P<column>"(?:[^"]|"")+") (?P<rest>.*)$',
                           re.DOTALL | re.IGNORECASE)


def _column_step_rank(rest: str) -> int:
    """Where a change of one column goes among that column's changes: an identity is dropped
    before the column gets a default, a default dropped before it becomes an identity."""
    rest = rest.lower()
    if rest.startswith("drop identity"):
        return 0
    if rest.startswith(("drop default", "drop expression")):
        return 1
    if rest.startswith("set default"):
        return 3
    if rest.startswith("add generated"):
        return 4
    return 2


def _column_steps_ordered(statements: list[str]) -> list[str]:
    """The statements migra emits for one column, in an order PostgreSQL accepts.

    migra writes `SET DEFAULT` before `DROP IDENTITY` when an identity column turns into one with
    a default ("column ... is an identity column"); each column's own statements are re-ordered
    among the places they already hold, everything else stays where it is.
    """
    places: dict[tuple[str, str], list[int]] = {}
    for number, text in enumerate(statements):
        match = _COLUMN_ALTER.match(text.strip())
        if match:
            places.setdefault((match["table"], match["column"]), []).append(number)
    result = list(statements)
    for numbers in places.values():
        if len(numbers) < 2:
            continue
        ranked = sorted(numbers, key=lambda n: _column_step_rank(_COLUMN_ALTER.match(statements[n].strip())["rest"]))
        for place, source in zip(numbers, ranked):
            result[place] = statements[source]
    return result


_ADD_COLUMN = re.compile(r'^alter table (?P<table>\S+) add column (?P<column>"(?:[^"]|"")+") ', re.IGNORECASE)
_DROP_COLUMN = re.compile(r'^alter table (?P<table>\S+) drop column (?P<column>"(?:[^"]|"")+");$', re.IGNORECASE)


def _child_columns_dropped_first(statements: list[str], old: Inspection) -> list[str]:
    """A child's own column dropped before its parent gains a column of that name.

    Added to the parent, the column merges into the child's (then inherited and local at once),
    and the child's DROP COLUMN that follows fails ("cannot drop inherited column"): dropped
    first, the child receives the parent's column as an inherited one, as the target has it.
    """
    tables = getattr(old.inspector, "tables", {})
    added = {}
    for number, text in enumerate(statements):
        match = _ADD_COLUMN.match(text.strip())
        if match:
            added.setdefault((match["table"], match["column"]), number)
    moves: dict[int, int] = {}
    for number, text in enumerate(statements):
        match = _DROP_COLUMN.match(text.strip())
        if not match:
            continue
        child = tables.get(match["table"])
        parent = getattr(child, "parent_table", None) if child is not None else None
        if parent and not getattr(child, "partition_def", None):
            place = added.get((parent, match["column"]))
            if place is not None and place < number:
                moves[number] = place
    if not moves:
        return statements
    result: list[str] = []
    before: dict[int, list[str]] = {}
    for number, place in moves.items():
        before.setdefault(place, []).append(statements[number])
    for number, text in enumerate(statements):
        if number in moves:
            continue
        result += before.get(number, [])
        result.append(text)
    return result


_CREATE_CHILD = re.compile(r'^(?P<head>create (?:unlogged )?table (?P<table>\S+) \()\n(?P<body>.*)\n(?P<tail>\) inherits '
                           r'\((?P<parents>[^)]*)\).*)$', re.DOTALL | re.IGNORECASE)


def _inherited_column_steps(statements: list[str], old: Inspection, new: Inspection) -> list[str]:
    """A column added to or dropped from a parent is added to or dropped from its inheritance
    children by PostgreSQL: the child's own ADD / DROP of it runs after the parent's, as
    ADD COLUMN IF NOT EXISTS / DROP COLUMN IF EXISTS (a column the child also declares itself
    is kept by the parent's DROP, and then still goes)."""
    from pglast import parse_sql  # noqa: PLC0415

    parent_of: dict[str, str] = {}
    for inspection in (old, new):
        for name, table in getattr(inspection.inspector, "tables", {}).items():
            if getattr(table, "parent_table", None) and not getattr(table, "partition_def", None):
                parent_of.setdefault(name, table.parent_table)
    if not parent_of:
        return statements
    steps: dict[tuple[str, str, str], int] = {}
    for number, text in enumerate(statements):
        for verb, pattern in (("add", _ADD_COLUMN), ("drop", _DROP_COLUMN)):
            match = pattern.match(text.strip())
            if match:
                steps[(verb, match["table"], match["column"])] = number
    moved: dict[int, list[str]] = {}
    skip: set[int] = set()
    for (verb, table, column), number in steps.items():
        parent = parent_of.get(table)
        at = steps.get((verb, parent, column)) if parent else None
        if at is None:
            continue
        text = statements[number].strip()
        if verb == "add":
            text = insert_at(text, parse_sql(text)[0].stmt.cmds[0].def_.location, "if not exists ")
        else:
            text = insert_after_keyword(text, ("DROP", "COLUMN"), " if exists")
        skip.add(number)
        moved.setdefault(at, []).append(text)
    if not skip:
        return statements
    result: list[str] = []
    for number, text in enumerate(statements):
        if number in skip:
            continue
        result.append(text)
        result += moved.get(number, [])
    return result


def _inherited_columns_left_out(statements: list[str], new: Inspection) -> list[str]:
    """A new inheritance child lists only its own columns, as the target has them.

    migra writes every column into `CREATE TABLE ... INHERITS`, which makes the inherited ones
    local as well (pg_dump then shows them, and a later DROP COLUMN on the parent would leave
    them behind). A column the target's child declares itself too is not told apart by the
    inspection: such a plan is refused by verification rather than made wrong.
    """
    from pglast import ast, parse_sql  # noqa: PLC0415

    tables = getattr(new.inspector, "tables", {})
    result = []
    for text in statements:
        match = _CREATE_CHILD.match(text.strip())
        child = tables.get(match["table"]) if match else None
        if child is None or getattr(child, "partition_def", None) or not child.parent_table:
            result.append(text)
            continue
        inherited: set[str] = set()
        for parent in (p.strip() for p in match["parents"].split(",")):
            if parent in tables:
                inherited |= {_ident(name) for name in tables[parent].columns}
        text = text.strip()
        # The elements are cut where the lexer finds their commas: a default's literal stays whole.
        located = {e.location for e in parse_sql(text)[0].stmt.tableElts or ()
                   if isinstance(e, ast.ColumnDef) and _ident(e.colname) in inherited}
        opening, closing, spans = list_elements(text)
        kept = [(a, b) for a, b in spans if len(text[a:b]) - len(text[a:b].lstrip()) + a not in located]
        if len(kept) == len(spans):
            result.append(text)
            continue
        body = ",".join(text[a:b] for a, b in kept).rstrip()
        result.append(f"{text[:opening + 1]}{body if kept else ''}\n{text[closing:]}")
    return result


_DROP_TABLE = re.compile(r'^drop table (?P<table>\S+);$', re.IGNORECASE)
_TABLE_COLUMN_STEP = re.compile(r'^alter table (?P<table>\S+) (?:add|drop|alter) column ', re.IGNORECASE)


def _recreated_tables_whole(statements: list[str]) -> list[str]:
    """A table the plan drops and creates again is created in its final shape: migra's column
    steps for it (ADD COLUMN of a column the CREATE already has, and the like) are left out."""
    dropped = {m["table"] for m in map(_DROP_TABLE.match, (t.strip() for t in statements)) if m}
    created = {m["table"] for m in map(_CREATE_TABLE.match, statements) if m}
    whole = dropped & created
    if not whole:
        return statements
    return [t for t in statements if not ((m := _TABLE_COLUMN_STEP.match(t.strip())) and m["table"] in whole)]


_CREATE_TABLE = re.compile(r'^create (?:unlogged )?table (?P<table>\S+) \(\n', re.IGNORECASE)


def _create_table_collations(statements: list[str], new: Inspection) -> list[str]:
    """Column collations in migra's CREATE TABLE, which it writes only in ADD COLUMN."""
    from pglast import ast, parse_sql  # noqa: PLC0415

    tables = getattr(new.inspector, "tables", {})
    result = []
    for text in statements:
        match = _CREATE_TABLE.match(text)
        table = tables.get(match["table"]) if match else None
        collated = [c for c in table.columns.values() if getattr(c, "collation", None)] if table is not None else []
        for column in collated:
            # Right after the column's type, where the parser puts the column and the lexer a token's end.
            written = f"{column.quoted_name} {column.dbtypestr}"
            found = [e for e in parse_sql(text)[0].stmt.tableElts or ()
                     if isinstance(e, ast.ColumnDef) and e.colname == column.name and e.collClause is None]
            if found and text[found[0].location:found[0].location + len(written)] == written:
                text = insert_at(text, found[0].location + len(written), column.collation_subclause)
        result.append(text)
    return result


def _defaults_around_type_changes(statements: list[str], old: Inspection, new: Inspection) -> list[str]:
    """A column whose type changes loses its default first and gets the target's after.

    PostgreSQL casts the old default to the new type and fails when it cannot (text -> an
    enum, a default that no longer fits); migra changes the type with the default in place.
    """
    old_tables, new_tables = getattr(old.inspector, "tables", {}), getattr(new.inspector, "tables", {})
    out: list[str] = []
    for text in statements:
        match = _RETYPE.match(text)
        if match is None:
            out.append(text)
            continue
        table = match["table"]
        column = match["column"][1:-1].replace('""', '"') if match["column"].startswith('"') else match["column"]
        before = old_tables[table].columns.get(column) if table in old_tables else None
        after = new_tables[table].columns.get(column) if table in new_tables else None
        if before is None or not before.default or before.is_generated or before.is_identity:
            out.append(text)
            continue
        name = _ident(column)
        drop = f'alter table {table} alter column {name} drop default;'
        if not any(t.lower() == drop for t in statements):
            out.append(f"ALTER TABLE {table} ALTER COLUMN {name} DROP DEFAULT;")
        out.append(text)
        set_default = re.compile(rf"^alter table {re.escape(table)} alter column {re.escape(name)} set default ",
                                 re.IGNORECASE)
        if after is not None and after.default and not any(set_default.match(t) for t in statements):
            out.append(f"ALTER TABLE {table} ALTER COLUMN {name} SET DEFAULT {after.default};")
    return out


def _without_repeats(statements: list[str]) -> list[str]:
    """Each statement once: two corrections may both restore the same index."""
    seen: set[str] = set()
    out: list[str] = []
    for text in statements:
        key = text.strip().rstrip(";").strip()
        if key.upper().startswith(("CREATE INDEX ", "CREATE UNIQUE INDEX ")) and key in seen:
            continue
        seen.add(key)
        out.append(text)
    return out


def _raise_unsupported(side: Side, found: tuple[tuple[str, str], ...]) -> None:
    if found:
        listed = ", ".join(f"{kind} {name}" for kind, name in found[:8])
        more = f" and {len(found) - 8} more" if len(found) > 8 else ""
        raise Unsupported(
            f"{side.shown} holds objects the diff engine cannot compare: {listed}{more}. "
            "Remove them from the schema or manage them outside schemactl"
        )


class CannotChangeInPlace(InputError):
    """A change PostgreSQL has no statement for; named, with what to do instead."""


def _recreated_parents_first(statements: list[str]) -> list[str]:
    """Partitions around a table the plan drops and re-creates: detached before the drop, created after.

    migra creates new partitions before it re-creates a table that turns partitioned, and
    detaches old ones after dropping their parent (which drops them too).
    """
    from pglast import ast, parse_sql  # noqa: PLC0415
    from pglast.enums import AlterTableType  # noqa: PLC0415

    def created(text: str) -> ast.CreateStmt | None:
        try:
            node = parse_sql(text)[0].stmt
        except Exception:  # noqa: BLE001  (not a statement this reorders)
            return None
        return node if isinstance(node, ast.CreateStmt) else None

    def detached_from(text: str) -> str | None:
        try:
            node = parse_sql(text)[0].stmt
        except Exception:  # noqa: BLE001  (not a statement this reorders)
            return None
        if isinstance(node, ast.AlterTableStmt) and any(
                c.subtype == AlterTableType.AT_DetachPartition for c in node.cmds or ()):
            return qualified_name(node.relation)
        return None

    out = list(statements)
    # A partition that outlives its parent is detached before the parent is dropped.
    for text in statements:
        parent = detached_from(text)
        if parent is None:
            continue
        drops = [i for i, other in enumerate(out) if object_of(other) == ("drop", f"table {parent}")]
        here = out.index(text)
        if drops and drops[0] < here:
            out.insert(drops[0], out.pop(here))
    # A table attached as a partition matches its parent only once the parent's columns changed.
    for text in statements:
        try:
            node = parse_sql(text)[0].stmt
        except Exception:  # noqa: BLE001  (not a statement this reorders)
            continue
        if not isinstance(node, ast.AlterTableStmt) or not any(
                c.subtype == AlterTableType.AT_AttachPartition for c in node.cmds or ()):
            continue
        parent = f"table {qualified_name(node.relation)}"
        later = [i for i, other in enumerate(out) if object_of(other)[0] == "alter"
                 and (object_of(other)[1] == parent or object_of(other)[1].startswith(parent + " "))]
        here = out.index(text)
        if later and later[-1] > here:
            out.insert(later[-1], out.pop(here))
    for text in statements:
        node = created(text)
        if node is None or node.partbound is None or not node.inhRelations:
            continue
        parent = qualified_name(node.inhRelations[0])
        later = [i for i, other in enumerate(out) if (made := created(other)) is not None
                 and made.partbound is None and qualified_name(made.relation) == parent]
        here = out.index(text)
        if later and later[-1] > here:
            out.insert(later[-1], out.pop(here))
    return out


class _TableFacts:
    """Facts about the source database used to grade hazards (row checks queried lazily)."""

    def __init__(self, side: Side, inspector: object) -> None:
        self.side = side
        self.inspector = inspector
        self._rows: dict[str, bool] = {}

    def column_type(self, table: str, column: str) -> str | None:
        schema, _, name = table.partition(".")
        key = f"{_ident(schema)}.{_ident(name)}"
        relation = getattr(self.inspector, "tables", {}).get(key)
        if relation is None or column not in relation.columns:
            return None
        return str(relation.columns[column].dbtypestr)

    def index_table(self, index: str) -> str | None:
        """schema.table of an existing index (schema.name, unquoted), None when unknown."""
        schema, _, name = index.replace('"', "").partition(".")
        found = getattr(self.inspector, "indexes", {}).get(f"{_ident(schema)}.{_ident(name)}")
        return f"{found.schema}.{found.table_name}" if found is not None else None

    def has_rows(self, table: str) -> bool:
        if self.side.assume_rows:
            schema, _, name = table.replace('"', "").partition(".")
            return f"{_ident(schema)}.{_ident(name)}" in getattr(self.inspector, "tables", {})
        if not self.side.live:
            return False
        if table not in self._rows:
            schema, _, name = table.partition(".")
            query = sql.SQL("SELECT EXISTS (SELECT 1 FROM {}.{})").format(sql.Identifier(schema), sql.Identifier(name))
            try:
                with connect(self.side.url, autocommit=True) as conn:
                    self._rows[table] = bool(conn.execute(query).fetchone()[0])
            except psycopg.Error:
                self._rows[table] = False
        return self._rows[table]


InspectionCache = dict[str, Inspection]


def _inspected(side: Side, cache: InspectionCache | None) -> Inspection:
    if cache is None:
        return inspect(side)
    if side.url not in cache:
        cache[side.url] = inspect(side)
    return cache[side.url]


def differences(source: Side, target: Side, *, cache: InspectionCache | None = None) -> Differences:
    """Every change that turns the schema at source into the schema at target, in order.

    With a cache, each database is read once; whoever changes a database drops its entry.
    """
    old = _inspected(source, cache)
    new = _inspected(target, cache)
    _refuse_impossible_partitioning(old.snapshot, new.snapshot)
    statements = _partitioning_fixed(_one_each(migra_statements(old.inspector, new.inspector)), old.snapshot,
                                     new.snapshot)
    statements = _recreated_parents_first(statements)
    _refuse_uncastable_types(source, statements)
    statements = _constraints_fixed(statements, old.inspector, new.inspector)
    statements = _policies_altered(statements, old.inspector, new.inspector)
    statements = _enums_extended(statements, old.inspector, new.inspector)
    statements = _generated_fixed(statements, old, new)
    statements = _defaults_released(statements, old, new)
    statements = _defaults_around_type_changes(statements, old, new)
    statements = _column_steps_ordered(statements)
    statements = _child_columns_dropped_first(statements, old)
    statements = _inherited_column_steps(statements, old, new)
    statements = _inherited_columns_left_out(statements, new)
    statements = _create_table_collations(statements, new)
    statements = _recreated_tables_whole(statements)
    statements = _views_kept(statements, old, new)
    statements = _without_repeats(statements)
    facts = _TableFacts(source, old.inspector)
    migra_changes: list[Change] = []
    # Views and functions the source already has (unquoted, functions without arguments).
    existing = {f"{kind.lower()} {identity.replace(chr(34), '').split('(')[0]}" for kind, identity in old.snapshot.owners}
    # Partitioned tables have no online forms (no CONCURRENTLY, no NOT VALID foreign keys).
    partitioned = {obj for snap in (old.snapshot, new.snapshot) for (fact, obj, _) in snap.partitioning
                   if fact == "partitioned_table"}

    def needs_online_forms(table: str) -> bool:
        return table.replace('"', "") not in partitioned and facts.has_rows(table)

    # An index dropped outside the transaction must not block a same-named object made inside it.
    made_here = _names_made(statements)

    def droppable_online(index: str) -> str | None:
        return None if index.partition(".")[2] in made_here else facts.index_table(index)

    for text in statements:
        action, obj = object_of(text)
        hazards = classify(text, column_type=facts.column_type, has_rows=facts.has_rows)
        if action == "replace" and obj not in existing:
            # CREATE OR REPLACE of an object the source lacks is a plain create: nothing depends on it yet.
            action = "create"
            hazards = tuple(h for h in hazards if h != "has_untracked_dependencies")
        change = Change(sql=text, object=obj, action=action, hazards=hazards)
        migra_changes.extend(online_forms(change, has_rows=needs_online_forms, index_table=droppable_online))
    roles_first, roles_last = _role_changes(source.roles, target.roles)
    defaults = _default_privilege_changes(old.snapshot, new.snapshot)
    extras = _extra_changes(old.snapshot, new.snapshot, _recreated(statements))
    database = _database_acl_changes(old.snapshot, new.snapshot)
    domains_changed, domains_made = _domain_changes(old.snapshot, new.snapshot)
    changes = (roles_first + defaults + domains_changed + migra_changes + domains_made + extras + database
               + roles_last)
    order = dependency_order([c.sql for c in changes], old.snapshot.depends, new.snapshot.depends)
    ordered = tuple(changes[i] for i in order)
    for change in ordered:
        # migra's text is one statement each; the tool's own role blocks may hold a few, all parsed.
        for text in (change.sql, *change.reverse):
            if change.origin == "migra":
                one_statement(text)
            else:
                split_statements(text)
    return Differences(changes=ordered, source=source, target=target)

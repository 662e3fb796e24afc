"""Roles are cluster-wide: their desired state is read from the AST, never from the dev server.

Two scratch builds on one dev server share its roles, so the server's catalog cannot say
which attributes a schema declares. The model here is built from CREATE ROLE / ALTER ROLE /
ALTER ROLE ... SET / GRANT role / COMMENT ON ROLE statements for a SQL source, and from
pg_roles and pg_db_role_setting for a live one.

Every statement emitted here is conditional on the catalog (a DO block that acts only when
the role differs from the declaration), so a deploy role without CREATEROLE can run a
migration whose roles an administrator created beforehand.
"""

from __future__ import annotations

from collections.abc import Iterable
import re
from dataclasses import dataclass, field, replace

import psycopg
from pglast import ast
from pglast.enums import ObjectType, RoleStmtType, VariableSetKind
from psycopg import sql

from schemactl.errors import InputError
from schemactl.load import Statement

__all__ = ["Role", "roles_from_statements", "roles_from_catalog", "role_create_sql", "role_alter_sql",
           "role_drop_sql", "role_ensure_sql", "role_grant_sql", "role_revoke_sql", "role_comment_sql",
           "role_set_sql", "role_reset_sql", "setting_value", "dollar_block", "conditional_statement_sql", "ATTRIBUTE_DEFAULTS", "ROLE_STATEMENT_KINDS",
           "DANGEROUS_ROLES", "refuse_dangerous_role", "refuse_dangerous_statement", "superuser_roles",
           "emitted_role_statements"]

# Statement kinds the build leaves to this module (they act on the whole cluster).
ROLE_STATEMENT_KINDS = frozenset({"role", "alter_role", "grant_role", "role_setting"})

# Settings whose list elements the server stores as quoted identifiers (GUC_LIST_QUOTE).
_LIST_QUOTE_SETTINGS = frozenset({"search_path", "temp_tablespaces", "session_preload_libraries",
                                  "shared_preload_libraries", "local_preload_libraries"})

ATTRIBUTE_DEFAULTS: dict[str, object] = {
    "superuser": False,
    "createdb": False,
    "createrole": False,
    "inherit": True,
    "login": False,
    "replication": False,
    "bypassrls": False,
    "connection_limit": -1,
}

_OPTION_TO_ATTRIBUTE = {
    "superuser": "superuser",
    "createdb": "createdb",
    "createrole": "createrole",
    "inherit": "inherit",
    "canlogin": "login",
    "isreplication": "replication",
    "bypassrls": "bypassrls",
    "connectionlimit": "connection_limit",
}

_KEYWORDS = {
    "superuser": ("SUPERUSER", "NOSUPERUSER"),
    "createdb": ("CREATEDB", "NOCREATEDB"),
    "createrole": ("CREATEROLE", "NOCREATEROLE"),
    "inherit": ("INHERIT", "NOINHERIT"),
    "login": ("LOGIN", "NOLOGIN"),
    "replication": ("REPLICATION", "NOREPLICATION"),
    "bypassrls": ("BYPASSRLS", "NOBYPASSRLS"),
}


@dataclass(frozen=True)
class Role:
    """A role's attributes, memberships and comment, comparable across sources."""

    name: str
    attributes: tuple[tuple[str, object], ...]
    member_of: frozenset[str] = frozenset()
    comment: str | None = None
    # ALTER ROLE ... SET for every database: (lower-case name, value as pg_db_role_setting stores it).
    settings: tuple[tuple[str, str], ...] = ()

    @property
    def attrs(self) -> dict[str, object]:
        return dict(self.attributes)

    @property
    def setting_map(self) -> dict[str, str]:
        return dict(self.settings)


def _attrs(values: dict[str, object]) -> tuple[tuple[str, object], ...]:
    return tuple(sorted(values.items()))


def _option_value(option: ast.DefElem) -> object:
    arg = option.arg
    if isinstance(arg, ast.Boolean):
        return bool(arg.boolval)
    if isinstance(arg, ast.Integer):
        return int(arg.ival)
    if isinstance(arg, ast.String):
        return arg.sval
    return arg


@dataclass
class _Draft:
    attributes: dict[str, object] = field(default_factory=lambda: dict(ATTRIBUTE_DEFAULTS))
    member_of: set[str] = field(default_factory=set)
    comment: str | None = None
    settings: dict[str, str] = field(default_factory=dict)


def _quote_ident(name: str) -> str:
    """PostgreSQL's quote_identifier(): bare when lower-case, not a keyword and plain; quoted otherwise."""
    from pglast.keywords import COL_NAME_KEYWORDS, RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS  # noqa: PLC0415

    keyword = name in RESERVED_KEYWORDS or name in TYPE_FUNC_NAME_KEYWORDS or name in COL_NAME_KEYWORDS
    if re.fullmatch(r"[a-z_][a-z0-9_]*", name) and not keyword:
        return name
    return '"' + name.replace('"', '""') + '"'


def setting_value(name: str, args: Iterable[ast.Node]) -> str:
    """The text the server stores for `SET name = args` (flatten_set_variable_args)."""
    parts: list[str] = []
    for arg in args:
        value = arg.val if isinstance(arg, ast.A_Const) else None
        if isinstance(value, ast.String):
            parts.append(_quote_ident(value.sval) if name.lower() in _LIST_QUOTE_SETTINGS else value.sval)
        elif isinstance(value, ast.Integer):
            parts.append(str(value.ival))
        elif isinstance(value, ast.Float):
            parts.append(value.fval)
        else:
            raise ValueError(f"role setting {name}: only constant values can be declared")
    return ", ".join(parts)


def _split_list(text: str) -> list[str]:
    """A stored list setting back into its elements (SplitIdentifierString, unquoting)."""
    items: list[str] = []
    for match in re.finditer(r'\s*("(?:[^"]|"")*"|[^,]*)\s*(?:,|$)', text):
        token = match.group(1).strip()
        if match.start() == len(text) and not token:
            break
        items.append(token[1:-1].replace('""', '"') if token.startswith('"') else token)
    return items


def _apply_setting(draft: _Draft, node: ast.AlterRoleSetStmt) -> None:
    stmt = node.setstmt
    if stmt.kind == VariableSetKind.VAR_SET_VALUE:
        draft.settings[stmt.name.lower()] = setting_value(stmt.name, stmt.args or ())
    elif stmt.kind in (VariableSetKind.VAR_SET_DEFAULT, VariableSetKind.VAR_RESET):
        draft.settings.pop(stmt.name.lower(), None)
    elif stmt.kind == VariableSetKind.VAR_RESET_ALL:
        draft.settings.clear()


def roles_from_statements(statements: Iterable[Statement | _Bare]) -> dict[str, Role]:
    """The declared roles of a SQL source."""
    drafts: dict[str, _Draft] = {}
    later: list[ast.Node] = []
    for statement in statements:
        node = statement.node
        if isinstance(node, ast.CreateRoleStmt):
            draft = drafts.setdefault(node.role, _Draft())
            if node.stmt_type == RoleStmtType.ROLESTMT_USER:
                draft.attributes["login"] = True
            for option in node.options or ():
                if option.defname in _OPTION_TO_ATTRIBUTE:
                    draft.attributes[_OPTION_TO_ATTRIBUTE[option.defname]] = _option_value(option)
                elif option.defname == "addroleto":
                    draft.member_of.update(r.rolename for r in option.arg)
                elif option.defname in ("rolemembers", "adminmembers"):
                    later.append(ast.GrantRoleStmt(
                        granted_roles=(ast.AccessPriv(priv_name=node.role),),
                        grantee_roles=option.arg, is_grant=True))
        else:
            later.append(node)
    for node in later:
        if isinstance(node, ast.AlterRoleStmt) and node.role.rolename in drafts:
            draft = drafts[node.role.rolename]
            for option in node.options or ():
                if option.defname in _OPTION_TO_ATTRIBUTE:
                    draft.attributes[_OPTION_TO_ATTRIBUTE[option.defname]] = _option_value(option)
        elif isinstance(node, ast.GrantRoleStmt):
            for grantee in node.grantee_roles or ():
                if grantee.rolename in drafts:
                    for granted in node.granted_roles or ():
                        if node.is_grant:
                            drafts[grantee.rolename].member_of.add(granted.priv_name)
                        else:
                            drafts[grantee.rolename].member_of.discard(granted.priv_name)
        elif isinstance(node, ast.CommentStmt) and node.objtype == ObjectType.OBJECT_ROLE:
            if node.object.sval in drafts:
                drafts[node.object.sval].comment = node.comment
        elif (isinstance(node, ast.AlterRoleSetStmt) and node.role is not None and not node.database
              and node.role.rolename in drafts):
            _apply_setting(drafts[node.role.rolename], node)
    return {
        name: Role(name=name, attributes=_attrs(d.attributes), member_of=frozenset(d.member_of), comment=d.comment,
                   settings=tuple(sorted(d.settings.items())))
        for name, d in sorted(drafts.items())
    }


_CATALOG_ROLES = """
SELECT r.rolname, r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolinherit, r.rolcanlogin,
       r.rolreplication, r.rolbypassrls, r.rolconnlimit,
       coalesce(array(SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                      WHERE m.member = r.oid ORDER BY 1), '{}') AS member_of,
       shobj_description(r.oid, 'pg_authid') AS comment,
       coalesce((SELECT s.setconfig FROM pg_db_role_setting s WHERE s.setrole = r.oid AND s.setdatabase = 0),
                '{}') AS settings
FROM pg_roles r
WHERE r.rolname = ANY(%(names)s)
"""


def roles_from_catalog(conn: psycopg.Connection, names: Iterable[str]) -> dict[str, Role]:
    """The current state of the named roles on a live server (absent roles are left out)."""
    rows = conn.execute(_CATALOG_ROLES, {"names": sorted(set(names))}).fetchall()
    result: dict[str, Role] = {}
    for row in rows:
        (name, superuser, createdb, createrole, inherit, login, replication, bypassrls, connlimit,
         member_of, comment, settings) = row
        attributes = {
            "superuser": superuser, "createdb": createdb, "createrole": createrole, "inherit": inherit,
            "login": login, "replication": replication, "bypassrls": bypassrls, "connection_limit": connlimit,
        }
        stored = dict(item.split("=", 1) for item in settings)
        result[name] = Role(name=name, attributes=_attrs(attributes), member_of=frozenset(member_of),
                            comment=comment, settings=tuple(sorted((k.lower(), v) for k, v in stored.items())))
    return result


def _attribute_sql(attributes: dict[str, object]) -> list[sql.Composable]:
    parts: list[sql.Composable] = []
    for key, (yes, no) in _KEYWORDS.items():
        if key in attributes:
            parts.append(sql.SQL(yes if attributes[key] else no))
    if "connection_limit" in attributes:
        parts.append(sql.SQL("CONNECTION LIMIT {}").format(sql.Literal(int(attributes["connection_limit"]))))
    return parts


_CATALOG_COLUMNS = {
    "superuser": "rolsuper", "createdb": "rolcreatedb", "createrole": "rolcreaterole", "inherit": "rolinherit",
    "login": "rolcanlogin", "replication": "rolreplication", "bypassrls": "rolbypassrls",
    "connection_limit": "rolconnlimit",
}


def _text(statement: sql.Composable) -> str:
    return statement.as_string(None)


def dollar_block(body: str) -> sql.Composed:
    """DO with body, quoted by a dollar tag that cannot occur in the body, whatever a name holds."""
    tag = "role"
    while f"${tag}$" in body:
        tag += "_"
    return sql.Composed([sql.SQL(f"DO ${tag}$ "), sql.SQL(body), sql.SQL(f" ${tag}$")])


Step = tuple[sql.Composable, sql.Composable]


def _steps(*steps: Step) -> sql.Composed:
    """One DO block: each statement (quoted whole as a literal) runs only when its condition holds."""
    body = sql.SQL(" ").join(sql.SQL("IF {} THEN EXECUTE {}; END IF;").format(condition, sql.Literal(_text(statement)))
                             for condition, statement in steps)
    return dollar_block(_text(sql.SQL("BEGIN {} END").format(body)))


def _do(condition: sql.Composable, statement: sql.Composable) -> sql.Composed:
    """A DO block that runs statement only when condition holds."""
    return _steps((condition, statement))



def _role_exists(name: str) -> sql.Composed:
    return sql.SQL("EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {})").format(sql.Literal(name))


def _joined(*statements: sql.Composable) -> sql.Composed:
    return sql.SQL(";\n").join(statements)


def role_create_sql(role: Role) -> sql.Composed:
    """Create the role unless the cluster already has it, then give it the declared attributes.

    Roles are cluster-wide: another database of the same cluster (or an administrator) may
    have created it; then nothing runs and no privilege is needed.
    """
    return _steps(*_create_steps(role))


def _create_steps(role: Role) -> list[Step]:
    create = (sql.SQL("NOT ") + _role_exists(role.name),
              sql.SQL("CREATE ROLE {} WITH {}").format(sql.Identifier(role.name),
                                                       sql.SQL(" ").join(_attribute_sql(role.attrs))))
    return [create, _alter_step(role.name, role.attrs)]


def role_alter_sql(name: str, attributes: dict[str, object]) -> sql.Composed:
    """ALTER ROLE ... WITH attributes, run only when the catalog differs from them."""
    return _steps(_alter_step(name, attributes))


def _alter_step(name: str, attributes: dict[str, object]) -> Step:
    keys = [k for k in _CATALOG_COLUMNS if k in attributes]
    condition = sql.SQL(
        "EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {} AND ({}) IS DISTINCT FROM ({}))"
    ).format(sql.Literal(name), sql.SQL(", ").join(sql.Identifier(_CATALOG_COLUMNS[k]) for k in keys),
             sql.SQL(", ").join(sql.Literal(attributes[k]) for k in keys))
    return condition, sql.SQL("ALTER ROLE {} WITH {}").format(
        sql.Identifier(name), sql.SQL(" ").join(_attribute_sql(attributes)))


def role_drop_sql(name: str) -> sql.Composed:
    """Drop the role unless objects of another database of the cluster still depend on it."""
    return dollar_block(_text(sql.SQL(
        "BEGIN IF NOT EXISTS (SELECT FROM pg_shdepend d JOIN pg_roles r ON r.oid = d.refobjid "
        "WHERE r.rolname = {name} AND d.dbid <> (SELECT oid FROM pg_database WHERE datname = current_database())) "
        "THEN EXECUTE {drop}; "
        "ELSE RAISE NOTICE 'role % is kept: other databases of this cluster still use it', {name}; "
        "END IF; END"
    ).format(name=sql.Literal(name), drop=sql.Literal(_text(sql.SQL("DROP ROLE IF EXISTS {}").format(
        sql.Identifier(name)))))))


def _membership(group: str, member: str) -> sql.Composed:
    return sql.SQL(
        "EXISTS (SELECT FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid "
        "JOIN pg_catalog.pg_roles u ON u.oid = m.member WHERE g.rolname = {} AND u.rolname = {})"
    ).format(sql.Literal(group), sql.Literal(member))


def _grant_step(group: str, member: str) -> Step:
    return (sql.SQL("NOT ") + _membership(group, member),
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(member)))


def _revoke_step(group: str, member: str) -> Step:
    return _membership(group, member), sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group),
                                                                          sql.Identifier(member))


def role_grant_sql(group: str, member: str) -> sql.Composed:
    """GRANT group TO member, unless member already is one."""
    return _steps(_grant_step(group, member))


def role_revoke_sql(group: str, member: str) -> sql.Composed:
    """REVOKE group FROM member, only when member is one."""
    return _steps(_revoke_step(group, member))


def role_comment_sql(name: str, comment: str | None) -> sql.Composed:
    """COMMENT ON ROLE, only when the role's comment differs."""
    condition = sql.SQL(
        "shobj_description((SELECT oid FROM pg_catalog.pg_roles WHERE rolname = {}), 'pg_authid') "
        "IS DISTINCT FROM {}::text").format(sql.Literal(name), sql.Literal(comment))
    return _do(condition, sql.SQL("COMMENT ON ROLE {} IS {}").format(sql.Identifier(name), sql.Literal(comment)))


def _setting_entry(role: str, name: str, value: str | None) -> sql.Composed:
    """True when the role's cluster-wide settings hold name (with value, when given)."""
    match = sql.SQL("lower(split_part(c, '=', 1)) = {}").format(sql.Literal(name.lower()))
    if value is not None:
        match = sql.SQL("{} AND substr(c, strpos(c, '=') + 1) = {}").format(match, sql.Literal(value))
    return sql.SQL(
        "EXISTS (SELECT FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole, "
        "unnest(s.setconfig) AS c WHERE s.setdatabase = 0 AND r.rolname = {} AND {})"
    ).format(sql.Literal(role), match)


def _param(name: str) -> sql.Composed:
    return sql.SQL(".").join(sql.Identifier(part) for part in name.split("."))


def role_set_sql(role: str, name: str, value: str) -> sql.Composed:
    """ALTER ROLE role SET name = value (value as the server stores it), unless already set so."""
    elements = _split_list(value) if name.lower() in _LIST_QUOTE_SETTINGS else [value]
    statement = sql.SQL("ALTER ROLE {} SET {} = {}").format(
        sql.Identifier(role), _param(name), sql.SQL(", ").join(sql.Literal(e) for e in elements))
    condition = sql.SQL("NOT ") + _setting_entry(role, name, value)
    return _do(condition, statement)


def role_reset_sql(role: str, name: str) -> sql.Composed:
    """ALTER ROLE role RESET name, only when the role has the setting."""
    return _do(_setting_entry(role, name, None),
               sql.SQL("ALTER ROLE {} RESET {}").format(sql.Identifier(role), _param(name)))


def role_ensure_sql(role: Role) -> sql.Composed:
    """The role as declared: created if missing; attributes, settings, memberships, comment if they differ."""
    parts = [role_create_sql(role)]
    parts += [role_set_sql(role.name, k, v) for k, v in role.settings]
    parts += [role_grant_sql(group, role.name) for group in sorted(role.member_of)]
    parts.append(role_comment_sql(role.name, role.comment))
    return _joined(*parts)


def without_comment(role: Role) -> Role:
    return replace(role, comment=None)


def conditional_statement_sql(node: ast.Node) -> sql.Composed | None:
    """A role statement of a source in the form the tool emits (a no-op where the cluster agrees).

    None for statements that are not about roles; rendered scripts use this so they run on a
    cluster whose roles already exist.
    """
    if isinstance(node, ast.CreateRoleStmt):
        role = roles_from_statements([_Bare(node)])[node.role]
        steps = _create_steps(role)
        for option in node.options or ():
            if option.defname in ("rolemembers", "adminmembers"):
                steps += [_grant_step(node.role, member.rolename) for member in option.arg]
        steps += [_grant_step(group, node.role) for group in sorted(role.member_of)]
        return _steps(*steps)
    if isinstance(node, ast.AlterRoleStmt) and node.role.rolename:
        attributes = {_OPTION_TO_ATTRIBUTE[o.defname]: _option_value(o) for o in node.options or ()
                      if o.defname in _OPTION_TO_ATTRIBUTE}
        return role_alter_sql(node.role.rolename, attributes) if attributes else None
    if isinstance(node, ast.AlterRoleSetStmt) and node.role is not None and node.role.rolename \
            and not node.database:
        stmt, name = node.setstmt, node.role.rolename
        if stmt.kind == VariableSetKind.VAR_SET_VALUE:
            return role_set_sql(name, stmt.name, setting_value(stmt.name, stmt.args or ()))
        if stmt.kind in (VariableSetKind.VAR_SET_DEFAULT, VariableSetKind.VAR_RESET):
            return role_reset_sql(name, stmt.name)
        return None
    if isinstance(node, ast.GrantRoleStmt):
        make = _grant_step if node.is_grant else _revoke_step
        return _steps(*(make(granted.priv_name, grantee.rolename) for granted in node.granted_roles or ()
                        for grantee in node.grantee_roles or ()))
    if isinstance(node, ast.CommentStmt) and node.objtype == ObjectType.OBJECT_ROLE:
        return role_comment_sql(node.object.sval, node.comment)
    return None


@dataclass(frozen=True)
class _Bare:
    """A statement-like wrapper so one node can go through roles_from_statements."""

    node: ast.Node


# Predefined roles whose members reach the server's files and programs.
DANGEROUS_ROLES = frozenset({"pg_execute_server_program", "pg_read_server_files", "pg_write_server_files"})

_ROLE_NODES = (ast.CreateRoleStmt, ast.AlterRoleStmt, ast.AlterRoleSetStmt, ast.GrantRoleStmt, ast.DropRoleStmt)


def _elevating(options: Iterable[ast.DefElem]) -> str | None:
    for option in options:
        if option.defname in ("superuser", "isreplication") and _option_value(option) is True:
            return "SUPERUSER" if option.defname == "superuser" else "REPLICATION"
    return None


def _forbidden_group(groups: Iterable[str], superusers: Iterable[str]) -> str | None:
    banned = set(superusers)
    return next((g for g in sorted(groups) if g in DANGEROUS_ROLES or g in banned), None)


def refuse_dangerous_role(role: Role, where: str, superusers: Iterable[str] = ()) -> None:
    """Refuse a declared role that is SUPERUSER or REPLICATION, or a member of a role reaching the server's
    files and programs (or of a superuser, superusers naming those the cluster has)."""
    attrs = role.attrs
    for key, word in (("superuser", "SUPERUSER"), ("replication", "REPLICATION")):
        if attrs.get(key):
            raise InputError(f"{where}: role {role.name} may not be {word}: the tool creates roles with the "
                             "dev server's and the deployment's admin rights; grant that by hand if it is meant")
    group = _forbidden_group(role.member_of, superusers)
    if group is not None:
        raise InputError(f"{where}: role {role.name} may not be made a member of {group}: it reaches the "
                         "server's files, programs or every privilege; grant that by hand if it is meant")


def refuse_dangerous_statement(node: ast.Node, where: str, superusers: Iterable[str] = ()) -> None:
    """refuse_dangerous_role for one parsed role statement (CREATE/ALTER ROLE, GRANT role)."""
    if isinstance(node, (ast.CreateRoleStmt, ast.AlterRoleStmt)):
        name = node.role if isinstance(node, ast.CreateRoleStmt) else node.role.rolename
        word = _elevating(node.options or ())
        if word is not None:
            raise InputError(f"{where}: role {name} may not be {word}: the tool creates roles with the dev "
                             "server's and the deployment's admin rights; grant that by hand if it is meant")
        groups = [r.rolename for o in node.options or () if o.defname == "addroleto" for r in o.arg]
        refuse_dangerous_role(Role(name=str(name), attributes=(), member_of=frozenset(groups)), where, superusers)
    elif isinstance(node, ast.GrantRoleStmt) and node.is_grant:
        group = _forbidden_group((g.priv_name for g in node.granted_roles or ()), superusers)
        if group is not None:
            grantee = ", ".join(str(r.rolename) for r in node.grantee_roles or ())
            raise InputError(f"{where}: role {grantee} may not be made a member of {group}: it reaches the "
                             "server's files, programs or every privilege; grant that by hand if it is meant")


def superuser_roles(conn: psycopg.Connection) -> frozenset[str]:
    """The cluster's superuser roles."""
    return frozenset(r[0] for r in conn.execute("SELECT rolname FROM pg_catalog.pg_roles WHERE rolsuper"))


def _literal_text(query: str) -> str | None:
    """The text of a PL/pgSQL expression that is a single string literal, else None."""
    from pglast import parse_sql  # noqa: PLC0415

    try:
        target = parse_sql("SELECT " + query)[0].stmt.targetList
    except Exception:  # noqa: BLE001 - anything unparsable is simply not the tool's form
        return None
    value = target[0].val if len(target) == 1 else None
    if isinstance(value, ast.A_Const) and isinstance(value.val, ast.String):
        return value.val.sval
    return None


def emitted_role_statements(node: ast.Node) -> list[ast.Node] | None:
    """The role statements of a role statement, or of a DO block in the form this module emits
    (IF condition THEN EXECUTE 'role statement'; END IF; ...); None for anything else.

    The conditions are the tool's own and are not kept: whoever runs the statements renders
    them again (conditional_statement_sql).
    """
    from pglast import parse_plpgsql, parse_sql  # noqa: PLC0415

    if isinstance(node, _ROLE_NODES) or (isinstance(node, ast.CommentStmt) and node.objtype == ObjectType.OBJECT_ROLE):
        return [node]
    if not isinstance(node, ast.DoStmt):
        return None
    body = next((o.arg.sval for o in node.args or () if o.defname == "as" and isinstance(o.arg, ast.String)), None)
    language = next((o.arg.sval for o in node.args or () if o.defname == "language"), "plpgsql")
    if body is None or language != "plpgsql":
        return None
    tag = "body"
    while f"${tag}$" in body:
        tag += "_"
    try:
        parsed = parse_plpgsql(f"CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS ${tag}${body}${tag}$")
        steps = parsed[0]["PLpgSQL_function"]["action"]["PLpgSQL_stmt_block"]["body"]
    except Exception:  # noqa: BLE001 - not PL/pgSQL the tool wrote
        return None
    found: list[ast.Node] = []
    for step in steps:
        if "PLpgSQL_stmt_return" in step:
            continue
        branch = step.get("PLpgSQL_stmt_if")
        if not branch or branch.get("elsif_list") or len(branch.get("then_body") or ()) != 1:
            return None
        if any("PLpgSQL_stmt_raise" not in other for other in branch.get("else_body") or ()):
            return None
        execute = branch["then_body"][0].get("PLpgSQL_stmt_dynexecute")
        text = _literal_text(execute["query"]["PLpgSQL_expr"]["query"]) if execute and not execute.get("params") \
            and not execute.get("into") else None
        if text is None:
            return None
        try:
            inner = [raw.stmt for raw in parse_sql(text)]
        except Exception:  # noqa: BLE001
            return None
        if len(inner) != 1 or emitted_role_statements(inner[0]) != inner or isinstance(inner[0], ast.DoStmt):
            return None
        found.append(inner[0])
    return found or None

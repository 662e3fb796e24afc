"""Schema-only copies of a live database onto the dev server, made from structure, never from edited SQL text."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from schemactl.build import ensure_roles
from schemactl.catalog import MANAGED_EXCLUDED_SCHEMAS
from schemactl.conninfo import child_environment, connect, mask, server_major
from schemactl.devserver import DevServer, find_binaries, grant_builder
from schemactl.errors import ConnectionFailed, InputError, VerificationFailed
from schemactl.quoting import ident

__all__ = ["LiveCopy", "client_tool", "copy_live", "roles_in_use"]

_ROLES_IN_USE = """
SELECT DISTINCT r.rolname FROM pg_roles r WHERE r.oid IN (
    SELECT (aclexplode(relacl)).grantee FROM pg_class WHERE relacl IS NOT NULL
    UNION SELECT (aclexplode(nspacl)).grantee FROM pg_namespace WHERE nspacl IS NOT NULL
    UNION SELECT (aclexplode(proacl)).grantee FROM pg_proc WHERE proacl IS NOT NULL
    UNION SELECT (aclexplode(attacl)).grantee FROM pg_attribute WHERE attacl IS NOT NULL
    UNION SELECT unnest(polroles) FROM pg_policy
    UNION SELECT relowner FROM pg_class UNION SELECT proowner FROM pg_proc
    UNION SELECT nspowner FROM pg_namespace
    UNION SELECT typowner FROM pg_type
    UNION SELECT defaclrole FROM pg_default_acl
    UNION SELECT (aclexplode(defaclacl)).grantee FROM pg_default_acl
    UNION SELECT (aclexplode(datacl)).grantee FROM pg_database WHERE datname = current_database()
) AND NOT r.rolsuper AND r.rolname !~ '^pg_'
"""

# One entry of `pg_restore -l`: "<dump id>; <catalog oid> <object oid> <description> <schema> <name> <owner>".
# Only the three numbers are unambiguous (names may hold spaces); the rest is read by prefix.
_TOC_ENTRY = re.compile(r"^(\d+); (\d+) (\d+) (.*)$")

# Entries about the database itself: a copy keeps its own name, owner and settings; its
# privileges are copied from the catalog afterwards.
_DATABASE_ENTRIES = ("DATABASE ", "DATABASE PROPERTIES ", "ACL - DATABASE ", "COMMENT - DATABASE ",
                     "SECURITY LABEL - DATABASE ")

_DEFAULT_ACLS = """
SELECT d.oid, n.nspname, d.defaclobjtype, a.grantee, a.privilege_type, a.is_grantable, a.base
FROM pg_catalog.pg_default_acl d
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
CROSS JOIN LATERAL (
    SELECT CASE WHEN x.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(x.grantee) END AS grantee,
           x.privilege_type, x.is_grantable, false AS base
    FROM pg_catalog.aclexplode(d.defaclacl) x
    UNION ALL
    SELECT CASE WHEN x.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(x.grantee) END,
           x.privilege_type, x.is_grantable, true
    FROM pg_catalog.aclexplode(pg_catalog.acldefault(d.defaclobjtype, d.defaclrole)) x
    WHERE d.defaclnamespace = 0
) a
WHERE d.defaclrole = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = %s)
"""

# The copy's objects owned by given roles, each as the statement that gives it to another role: names
# quoted by PostgreSQL (regclass, regprocedure, format_type, %I), kinds from the catalog. Objects that
# follow another's owner (indexes, a table's row type and sequences, array types, extension members)
# are left out. Unlike REASSIGN OWNED, nothing outside the copy (databases, tablespaces) is touched.
_GIVE_AWAY = """
WITH owners AS (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = ANY(%(owners)s::pg_catalog.text[])),
members AS (SELECT objid, classid FROM pg_catalog.pg_depend WHERE deptype = 'e'),
user_ns AS (SELECT oid FROM pg_catalog.pg_namespace
            WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND nspname !~ '^pg_temp_'
              AND nspname !~ '^pg_toast_temp_')
SELECT pg_catalog.format('ALTER SCHEMA %%I OWNER TO %%I', n.nspname, %(to)s::pg_catalog.text) FROM pg_catalog.pg_namespace n
WHERE n.oid IN (SELECT oid FROM user_ns) AND n.nspowner IN (SELECT oid FROM owners)
UNION ALL
SELECT pg_catalog.format('ALTER %%s %%s OWNER TO %%I',
       CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                      WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END, c.oid::pg_catalog.regclass, %(to)s::pg_catalog.text)
FROM pg_catalog.pg_class c
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c') AND c.relnamespace IN (SELECT oid FROM user_ns)
  AND c.relowner IN (SELECT oid FROM owners) AND c.oid NOT IN (SELECT objid FROM members)
  AND NOT (c.relkind = 'S' AND EXISTS (SELECT FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
          AND d.objid = c.oid AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i')))
UNION ALL
SELECT pg_catalog.format('ALTER ROUTINE %%s OWNER TO %%I', p.oid::pg_catalog.regprocedure, %(to)s::pg_catalog.text)
FROM pg_catalog.pg_proc p
WHERE p.pronamespace IN (SELECT oid FROM user_ns) AND p.proowner IN (SELECT oid FROM owners)
  AND p.oid NOT IN (SELECT objid FROM members)
UNION ALL
SELECT pg_catalog.format('ALTER %%s %%s OWNER TO %%I', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
       pg_catalog.format_type(t.oid, NULL), %(to)s::pg_catalog.text)
FROM pg_catalog.pg_type t
WHERE t.typnamespace IN (SELECT oid FROM user_ns) AND t.typowner IN (SELECT oid FROM owners)
  AND t.typtype IN ('b', 'd', 'e', 'r') AND t.typrelid = 0 AND t.oid NOT IN (SELECT objid FROM members)
  AND NOT EXISTS (SELECT FROM pg_catalog.pg_type e WHERE e.typarray = t.oid)
UNION ALL
SELECT pg_catalog.format('ALTER COLLATION %%I.%%I OWNER TO %%I', cn.nspname, co.collname, %(to)s::pg_catalog.text)
FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
WHERE co.collnamespace IN (SELECT oid FROM user_ns) AND co.collowner IN (SELECT oid FROM owners)
  AND co.oid NOT IN (SELECT objid FROM members)
"""

_DEFAULT_ACL_KINDS = {"r": "TABLES", "S": "SEQUENCES", "f": "FUNCTIONS", "T": "TYPES", "n": "SCHEMAS"}
_PRIVILEGES = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER",
                         "USAGE", "EXECUTE", "CREATE"})


@dataclass(frozen=True)
class LiveCopy:
    """Who applies the schema on the live side, and who owns what the copy's user restored."""

    live_user: str
    live_owners: tuple[str, ...]
    copy_user: str


def roles_in_use(conn: psycopg.Connection) -> list[str]:
    """Non-superuser roles the database's objects are owned by or granted to."""
    return [r[0] for r in conn.execute(_ROLES_IN_USE).fetchall()]


def client_tool(name: str, major: int, dev: DevServer | None) -> str:
    """pg_dump or pg_restore able to work with a server of this major, the dev server's own first."""
    if dev is not None and dev.binaries is not None and dev.binaries.major >= major:
        return dev.binaries.tool(name)
    # The same major first, as the dev server is chosen: both sides of a comparison are then
    # dumped by the same pg_dump (versions differ in what they print).
    usable = [b for b in find_binaries() if b.major >= major]
    usable.sort(key=lambda b: b.major != major)
    if usable:
        return usable[0].tool(name)
    found = shutil.which(name)
    if found:
        return found
    raise InputError(f"no {name} for PostgreSQL {major}: install the PostgreSQL {major} client tools")


def copy_live(live_url: str, copy_url: str, *, dev: DevServer, live_owners: tuple[str, ...] = (),
              excluded: tuple[str, ...] = (), admin_url: str | None = None) -> LiveCopy:
    """Restore live_url's schema (no rows) into the empty database copy_url, as copy_url's user.

    pg_dump writes a custom-format archive; its table of contents, filtered by entry kind and
    catalog identity, chooses what pg_restore runs: the database's own entries are left out,
    and so are the applying role's default privileges, re-issued from pg_default_acl as the
    copy user's own. Owners are restored, then what the live applying role(s) own is given to
    the copy's user (one ALTER ... OWNER TO each, in the copy), so the rehearsal's new objects share their
    neighbours' owner as they would on the live database. Objects of other roles keep them.
    live_owners: the live roles that count as "whoever applies the schema" (default: the
    live connection's user). excluded: schemas managed elsewhere, left out of the copy.
    admin_url: the copy database as the dev server's administrator, when copy_url's user is the
    unprivileged builder: the roles, the restore (an archive this function made, of a schema without
    rows: no function the target defines is called) and the owner changes run there, and the builder
    is made a member of the roles it must act as for the rehearsal's statements.
    """
    with connect(live_url, autocommit=True) as conn:
        in_use = roles_in_use(conn)
        live_user = conn.execute("SELECT current_user").fetchone()[0]
        default_acls = conn.execute(_DEFAULT_ACLS, (live_user,)).fetchall()
        major = server_major(conn)
    owners = live_owners or (live_user,)
    with connect(copy_url, autocommit=True) as conn:
        copy_user = conn.execute("SELECT current_user").fetchone()[0]
    restore_url = admin_url or copy_url
    with connect(restore_url, autocommit=True) as conn:
        # The live applying role may be a superuser there: here it only needs to own things.
        ensure_roles(conn, [*in_use, *owners])
    if admin_url is not None:
        grant_builder(dev.url, [*in_use, *owners])
    skipped_acls = {oid for oid, *_ in default_acls}
    with tempfile.TemporaryDirectory(prefix="schemactl-copy-") as work:
        archive, listing = Path(work) / "schema.dump", Path(work) / "restore.list"
        _run([client_tool("pg_dump", major, dev), "--schema-only", "--format=custom", f"--file={archive}",
              *(f"--exclude-schema={s}" for s in MANAGED_EXCLUDED_SCHEMAS),
              *(f"--exclude-schema={ident(s)}" for s in excluded), "--dbname", live_url],
             f"pg_dump of {mask(live_url)} failed", ConnectionFailed)
        restore = client_tool("pg_restore", major, dev)
        toc = _run([restore, "--list", str(archive)], "pg_restore could not read the schema archive",
                   VerificationFailed)
        listing.write_text("".join(line + "\n" for line in restorable_entries(toc, skipped_acls)))
        _run([restore, f"--use-list={listing}", "--single-transaction", "--exit-on-error",
              "--dbname", restore_url, str(archive)],
             "could not copy the schema for a rehearsal", VerificationFailed)
    reassigned = [o for o in dict.fromkeys(owners) if o != copy_user]
    with connect(restore_url, autocommit=True) as conn:
        try:
            with conn.transaction():
                if reassigned:
                    given = conn.execute(_GIVE_AWAY, {"owners": reassigned, "to": copy_user}).fetchall()
                    for (statement,) in given:
                        conn.execute(statement, prepare=False)
        except psycopg.Error as exc:
            raise VerificationFailed(f"could not copy the schema for a rehearsal: {' '.join(str(exc).split())}") \
                from None
    with connect(copy_url, autocommit=True) as conn:
        # The copy user's own default privileges, set in its own session.
        try:
            with conn.transaction():
                for statement in default_privileges_sql(default_acls, live_user, copy_user):
                    conn.execute(statement)
        except psycopg.Error as exc:
            raise VerificationFailed(f"could not copy the schema for a rehearsal: {' '.join(str(exc).split())}") \
                from None
    return LiveCopy(live_user=live_user, live_owners=tuple(dict.fromkeys(owners)), copy_user=copy_user)


def restorable_entries(toc: str, skipped_default_acls: set[int]) -> list[str]:
    """The `pg_restore -l` entries a copy restores: not the database's own, not the listed default ACLs."""
    kept = []
    for line in toc.splitlines():
        entry = _TOC_ENTRY.match(line)
        if entry is None:
            continue  # listing comments
        catalog, oid, rest = int(entry[2]), int(entry[3]), entry[4]
        if rest.startswith(_DATABASE_ENTRIES) or catalog == _PG_DATABASE:
            continue
        if catalog == _PG_DEFAULT_ACL and oid in skipped_default_acls:
            continue
        kept.append(line)
    return kept


_PG_DATABASE = 1262
_PG_DEFAULT_ACL = 826


def default_privileges_sql(rows: list[tuple], live_user: str, copy_user: str) -> list[sql.Composed]:
    """ALTER DEFAULT PRIVILEGES statements that give copy_user the default privileges live_user has.

    rows: _DEFAULT_ACLS for live_user; grants to live_user itself become grants to copy_user.
    A database-wide entry replaces the built-in defaults (base rows), so what it lacks of
    them is revoked; a schema's entry only adds.
    """
    entries: dict[tuple[str | None, str], tuple[dict, dict]] = {}
    for _oid, schema, objtype, grantee, privilege, grantable, base in rows:
        if objtype not in _DEFAULT_ACL_KINDS or privilege not in _PRIVILEGES:
            raise VerificationFailed(f"cannot copy default privileges of kind {objtype!r} ({privilege})")
        who = copy_user if grantee == live_user else grantee
        wanted, defaults = entries.setdefault((schema, objtype), ({}, {}))
        (defaults if base else wanted)[(who, privilege)] = bool(grantable)
    out = []
    for (schema, objtype), (wanted, defaults) in sorted(entries.items(), key=lambda e: (e[0][0] or "", e[0][1])):
        head = sql.SQL("ALTER DEFAULT PRIVILEGES ")
        if schema is not None:
            head += sql.SQL("IN SCHEMA {} ").format(sql.Identifier(schema))
        kind = sql.SQL(_DEFAULT_ACL_KINDS[objtype])
        for (who, privilege) in sorted(set(defaults) - set(wanted), key=_order):
            out.append(head + sql.SQL("REVOKE {} ON {} FROM {}").format(sql.SQL(privilege), kind, _grantee(who)))
        for (who, privilege), grantable in sorted(wanted.items(), key=lambda w: _order(w[0])):
            if defaults.get((who, privilege)) == grantable:
                continue
            if defaults.get((who, privilege)) and not grantable:
                out.append(head + sql.SQL("REVOKE GRANT OPTION FOR {} ON {} FROM {}").format(
                    sql.SQL(privilege), kind, _grantee(who)))
                continue
            out.append(head + sql.SQL("GRANT {} ON {} TO {}{}").format(
                sql.SQL(privilege), kind, _grantee(who), sql.SQL(" WITH GRANT OPTION" if grantable else "")))
    return out


def _order(key: tuple[str | None, str]) -> tuple[str, str]:
    return (key[0] or "", key[1])


def _grantee(name: str | None) -> sql.Composable:
    return sql.SQL("PUBLIC") if name is None else sql.Identifier(name)


def _run(args: list[str], failure: str, error: type[Exception]) -> str:
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, env=child_environment())
    if result.returncode != 0:
        raise error(f"{failure}: {mask(' '.join(result.stderr.split()))}")
    return result.stdout

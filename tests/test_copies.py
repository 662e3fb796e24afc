"""Rehearsal copies of a live database: made from structure, so no data in the schema becomes SQL."""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from schemactl.cli import parse_args, run
from schemactl.copies import copy_live, default_privileges_sql, restorable_entries
from schemactl.diff import differences
from schemactl.engine import Workspace, dump_difference
from schemactl.conninfo import dbname_of, with_dbname

T1 = "COMMENT ON TABLE t1 IS E'a\\nGRANT ON DATABASE x'"
T2 = "COMMENT ON TABLE t2 IS ';COPY (SELECT 1) TO PROGRAM $p$touch {marker}$p$;SELECT '"
T3 = "COMMENT ON TABLE t3 IS ';SELECT 1 --'"

# Comments whose lines look like what a line filter would have removed or kept.
AWKWARD = {
    "t1": "first\nGRANT CONNECT ON DATABASE postgres TO PUBLIC;\nlast",
    "t2": "\\restrict abc\n\\! touch /nonexistent\nALTER TABLE t2 OWNER TO postgres;",
    "t3": "dollar $$ quoted $p$ and 'single' and E'\\n' and \\ backslash",
    "t4": "ALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT ALL ON TABLES TO PUBLIC;\nCREATE DATABASE x;",
}


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(parse_args(list(argv)), out, err)
    return code, out.getvalue(), err.getvalue()



@pytest.fixture
def schema_dir(tmp_path: Path) -> Path:
    """A desired state of three tables without comments."""
    folder = tmp_path / "schema"
    folder.mkdir()
    (folder / "tables.sql").write_text("".join(f"CREATE TABLE t{i} (id integer);\n" for i in (1, 2, 3)))
    return folder


@pytest.fixture
def desync_target(fresh_db: str, marker: Path) -> str:
    """The three tables, their comments a payload that breaks out of a literal if a line is dropped."""
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        for i in (1, 2, 3):
            conn.execute(sql.SQL("CREATE TABLE {} (id integer)").format(sql.Identifier(f"t{i}")))
        for comment in (T1, T2.format(marker=marker), T3):
            conn.execute(comment)
    return fresh_db


def test_the_payload_would_run_on_the_server(live_url: str, marker: Path) -> None:
    """The payload is real: a superuser session on the server creates the marker."""
    with psycopg.connect(live_url, autocommit=True) as conn:
        conn.execute(sql.SQL("COPY (SELECT 1) TO PROGRAM {}").format(sql.Literal(f"touch {marker}")))
    assert marker.exists()


@pytest.mark.parametrize(("argv", "expected"), [
    (["drift", "--target", "{target}", "--schema-dir", "{schema}"], 1),
    (["diff", "--from", "{target}", "--to", "{schema}"], 1),
    (["apply", "--dry-run", "--target", "{target}", "--schema-dir", "{schema}"], 1),
], ids=["drift", "diff", "apply_dry_run"])
def test_comment_payload_is_data_on_a_rehearsal_copy(argv: list[str], expected: int, desync_target: str,
                                                     schema_dir: Path, dev_server, marker: Path) -> None:
    filled = [a.format(target=desync_target, schema=schema_dir) for a in argv]
    code, out, err = _cli(*filled, "--dev-url", dev_server.url, "-q")
    assert (code, marker.exists()) == (expected, False), err
    if argv[0] != "drift":
        # The plan rehearsed on the copy drops exactly the three comments.
        assert out.count("COMMENT ON TABLE") == 3, out


def test_awkward_comments_survive_a_copy(fresh_db: str, dev_server) -> None:
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        for table, comment in AWKWARD.items():
            conn.execute(sql.SQL("CREATE TABLE {} (id integer)").format(sql.Identifier(table)))
            conn.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(sql.Identifier(table), sql.Literal(comment)))
    with Workspace(dev_url=dev_server.url) as ws:
        target = ws.open(fresh_db, label="target")
        copy = ws.copy_of(target, "rehearsal")
        with psycopg.connect(copy.url) as conn:
            copied = dict(conn.execute("SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c "
                                       "WHERE c.relname = ANY(%s)", (list(AWKWARD),)).fetchall())
        assert copied == AWKWARD
        assert differences(target, copy).changes == ()
        assert dump_difference(target.url, copy.url, ws._dev) == []


@pytest.fixture
def other_role(fresh_db: str, live_url: str, dev_server) -> Iterator[str]:
    """A role of this test's own that owns objects in fresh_db (and, once copied, on the dev server)."""
    name = f"sctest_copies_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(live_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
    for url in (live_url, dev_server.url):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


OWNERSHIP = """
SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'S', 'v')
UNION ALL SELECT p.proname, pg_get_userbyid(p.proowner) FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
UNION ALL SELECT t.typname, pg_get_userbyid(t.typowner) FROM pg_type t
WHERE t.typnamespace = 'public'::regnamespace AND t.typtype = 'd'
UNION ALL SELECT n.nspname, pg_get_userbyid(n.nspowner) FROM pg_namespace n WHERE n.nspname = 'side'
"""

DEFAULT_ACLS = """
SELECT CASE WHEN d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = current_user) THEN '(applying)'
            ELSE pg_get_userbyid(d.defaclrole) END,
       coalesce(n.nspname, '-'), d.defaclobjtype,
       array(SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                         WHEN a.grantee = (SELECT oid FROM pg_roles WHERE rolname = current_user) THEN '(applying)'
                         ELSE pg_get_userbyid(a.grantee) END || ':' || a.privilege_type || ':' || a.is_grantable
             FROM aclexplode(d.defaclacl) a ORDER BY 1)
FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace ORDER BY 1, 2, 3
"""


def test_owners_and_default_privileges_are_copied(fresh_db: str, dev_server, other_role: str) -> None:
    other = sql.Identifier(other_role)
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        for statement in (
            "CREATE SCHEMA side", "CREATE TABLE mine (id serial PRIMARY KEY)", "CREATE VIEW mine_v AS SELECT 1 AS one",
            "CREATE TABLE theirs (id serial PRIMARY KEY)", "CREATE FUNCTION theirs_f(a integer) RETURNS integer "
            "LANGUAGE sql AS 'SELECT a'", "CREATE DOMAIN theirs_d AS integer CHECK (VALUE > 0)",
            "ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA side GRANT USAGE ON SEQUENCES TO PUBLIC",
        ):
            conn.execute(statement)
        for template in ("ALTER TABLE theirs OWNER TO {}", "ALTER FUNCTION theirs_f(integer) OWNER TO {}",
                         "ALTER DOMAIN theirs_d OWNER TO {}", "ALTER SCHEMA side OWNER TO {}",
                         "ALTER DEFAULT PRIVILEGES GRANT SELECT, UPDATE ON TABLES TO {} WITH GRANT OPTION",
                         "ALTER DEFAULT PRIVILEGES FOR ROLE {} GRANT SELECT ON TABLES TO PUBLIC",
                         "GRANT SELECT ON mine TO {}"):
            conn.execute(sql.SQL(template).format(other))
        live_owners = dict(conn.execute(OWNERSHIP).fetchall())
        live_defaults = conn.execute(DEFAULT_ACLS).fetchall()
    assert live_owners["theirs"] == other_role and live_owners["mine"] == "postgres"
    with Workspace(dev_url=dev_server.url) as ws:
        target = ws.open(fresh_db, label="target")
        copy = ws.copy_of(target, "rehearsal")
        with psycopg.connect(copy.url) as conn:
            copy_user = conn.execute("SELECT current_user").fetchone()[0]
            copied_owners = dict(conn.execute(OWNERSHIP).fetchall())
            copied_defaults = conn.execute(DEFAULT_ACLS).fetchall()
        expected = {name: copy_user if owner == "postgres" else owner for name, owner in live_owners.items()}
        assert copied_owners == expected
        assert copied_defaults == live_defaults
        assert dump_difference(target.url, copy.url, ws._dev) == []


def test_a_role_owning_a_database_on_the_dev_server_keeps_it(fresh_db: str, dev_server, other_role: str) -> None:
    """What the applying role owns in the copy goes to the copy's user, one object at a time: a database it
    owns elsewhere on the dev server stays its own (REASSIGN OWNED would have given that away too)."""
    kept = f"sctest_copies_kept_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(dev_server.url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(other_role)))
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(kept), sql.Identifier(other_role)))
    try:
        with Workspace(dev_url=dev_server.url) as ws:
            dev = ws.dev()
            url = ws.scratch("rehearsal")
            copy_live(fresh_db, url, dev=dev, live_owners=(other_role,),
                      admin_url=with_dbname(dev.url, dbname_of(url)))
        with psycopg.connect(dev_server.url, autocommit=True) as conn:
            owner = conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s",
                                 (kept,)).fetchone()
        assert owner == (other_role,)
    finally:
        with psycopg.connect(dev_server.url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(kept)))


def test_the_database_entries_of_a_listing_are_left_out() -> None:
    listing = "\n".join([
        ";", "; Selected TOC Entries:", "3400; 1262 16384 DATABASE - target postgres",
        "3401; 0 0 COMMENT - DATABASE target postgres", "3402; 0 0 DATABASE PROPERTIES - target postgres",
        "3403; 0 0 ACL - DATABASE target postgres", "6; 2615 17011 SCHEMA - DATABASE x postgres",
        "217; 1259 17021 TABLE public t postgres", "3365; 0 0 COMMENT public TABLE t postgres",
        "2045; 826 17028 DEFAULT ACL - DEFAULT PRIVILEGES FOR TABLES postgres",
        "2046; 826 17029 DEFAULT ACL - DEFAULT PRIVILEGES FOR TABLES other",
    ])
    assert restorable_entries(listing, {17028}) == [
        "6; 2615 17011 SCHEMA - DATABASE x postgres", "217; 1259 17021 TABLE public t postgres",
        "3365; 0 0 COMMENT public TABLE t postgres",
        "2046; 826 17029 DEFAULT ACL - DEFAULT PRIVILEGES FOR TABLES other"]


def test_default_privileges_are_reissued_for_the_copy_user() -> None:
    rows = [  # oid, schema, objtype, grantee, privilege, grantable, base
        (1, None, "f", "live", "EXECUTE", False, False), (1, None, "f", None, "EXECUTE", False, True),
        (1, None, "f", "live", "EXECUTE", False, True),
        (2, "a b", "r", "reader", "SELECT", True, False),
    ]
    shown = [s.as_string(None) for s in default_privileges_sql(rows, "live", "copy")]
    assert shown == ["ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC",
                     'ALTER DEFAULT PRIVILEGES IN SCHEMA "a b" GRANT SELECT ON TABLES TO "reader" WITH GRANT OPTION']

"""Role statements are conditional: a deploy role without CREATEROLE runs a migration whose roles exist.

Also: role settings (ALTER ROLE ... SET) are part of the role model, read back from
pg_db_role_setting, diffed and reversed; hostile role names stay quoted.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from schemactl.cli import parse_args, run
from schemactl.conninfo import connect, with_dbname
from schemactl.devserver import find_binaries
from schemactl.errors import EXIT_DIFFERENCES
from schemactl.load import load_text
from schemactl.roles import roles_from_catalog, roles_from_statements

from fixtures_db import taking_turns


@pytest.fixture(autouse=True)
def _one_at_a_time() -> Iterator[None]:
    """Cluster-wide roles and databases with fixed names (sc_sec_*): this module's tests take turns."""
    with taking_turns("role-model"):
        yield


# A hostile name: quotes of both kinds, the dollar tag the DO blocks use, a statement terminator.
HOSTILE = "sc_sec_o'dd\"; DROP ROLE x; --$role$"

FIXTURE = """
CREATE ROLE sc_sec_owner NOLOGIN;
COMMENT ON ROLE sc_sec_owner IS 'Owns every object.';
CREATE ROLE sc_sec_app NOLOGIN;
COMMENT ON ROLE sc_sec_app IS 'The API role; it''s wallet-scoped.';
ALTER ROLE sc_sec_app SET statement_timeout = '5s';
ALTER ROLE sc_sec_app SET lock_timeout = '2s';
ALTER ROLE sc_sec_app SET idle_in_transaction_session_timeout = '60s';
ALTER ROLE sc_sec_app SET search_path = "$user", public;
CREATE ROLE "{hostile}" NOLOGIN CONNECTION LIMIT 4;
ALTER ROLE "{hostile}" SET work_mem = '8MB';
COMMENT ON ROLE "{hostile}" IS 'hostile $role$ '' name';
GRANT sc_sec_app TO "{hostile}";

CREATE TABLE note (
    id integer CONSTRAINT note_pkey PRIMARY KEY,
    body text NOT NULL
);
ALTER TABLE note OWNER TO sc_sec_owner;
GRANT SELECT ON note TO sc_sec_app;
""".replace("{hostile}", HOSTILE.replace('"', '""'))

# What an administrator runs once per cluster, by hand, before any deploy.
ADMIN_SQL = """
CREATE ROLE sc_sec_owner NOLOGIN;
COMMENT ON ROLE sc_sec_owner IS 'Owns every object.';
CREATE ROLE sc_sec_app NOLOGIN;
COMMENT ON ROLE sc_sec_app IS 'The API role; it''s wallet-scoped.';
ALTER ROLE sc_sec_app SET statement_timeout = '5s';
ALTER ROLE sc_sec_app SET lock_timeout = '2s';
ALTER ROLE sc_sec_app SET idle_in_transaction_session_timeout = '60s';
ALTER ROLE sc_sec_app SET search_path = "$user", public;
CREATE ROLE {hostile} NOLOGIN CONNECTION LIMIT 4;
ALTER ROLE {hostile} SET work_mem = '8MB';
COMMENT ON ROLE {hostile} IS 'hostile $role$ '' name';
GRANT sc_sec_app TO {hostile};
CREATE ROLE sc_sec_deploy LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB;
GRANT sc_sec_owner TO sc_sec_deploy;
"""

ROLES = ("sc_sec_deploy", HOSTILE, "sc_sec_app", "sc_sec_owner")


def _drop_roles(url: str) -> None:
    with connect(url, autocommit=True) as conn:
        for name in ROLES:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
            if exists:
                conn.execute(sql.SQL("DROP OWNED BY {} CASCADE").format(sql.Identifier(name)))
                conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


@pytest.fixture
def clean_roles(live_url: str) -> Iterator[None]:
    """The roles of this module are cluster-wide: none before, none after."""
    _drop_roles(live_url)
    yield
    _drop_roles(live_url)


def _psql(url: str, script: str) -> subprocess.CompletedProcess[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        major = conn.info.server_version // 10000
    found = [b for b in find_binaries() if b.major >= major]
    if not found:
        pytest.skip(f"no psql for PostgreSQL {major} on this machine (install its client tools)")
    return subprocess.run([found[0].tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url],
                          input=script, capture_output=True, text=True, timeout=120)


def _migration(tmp_path: Path, dev_url: str) -> str:
    """The migration from an empty schema to FIXTURE, as `schemactl diff` writes it."""
    empty, desired = tmp_path / "empty.sql", tmp_path / "desired.sql"
    empty.write_text("")
    desired.write_text(FIXTURE)
    out, err = io.StringIO(), io.StringIO()
    code = run(parse_args(["diff", "-q", "--from", str(empty), "--to", str(desired), "--dev-url", dev_url]), out, err)
    assert code == EXIT_DIFFERENCES, err.getvalue()
    return out.getvalue()


def _database(admin_url: str, name: str, owner: str | None = None) -> str:
    with connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        owner_sql = sql.SQL(" OWNER {}").format(sql.Identifier(owner)) if owner else sql.SQL("")
        conn.execute(sql.SQL("CREATE DATABASE {}{}").format(sql.Identifier(name), owner_sql))
    url = with_dbname(admin_url, name)
    if owner:
        # The administrator lets the owner role create in the schema it will own objects in.
        with connect(url, autocommit=True) as conn:
            conn.execute("GRANT CREATE ON SCHEMA public TO sc_sec_owner")
    return url


def _drop_database(admin_url: str, name: str) -> None:
    with connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _declared() -> dict:
    statements, failures = load_text(FIXTURE, "fixture.sql")
    assert not failures
    return roles_from_statements(statements)


def test_declared_settings_are_read_from_the_ast() -> None:
    roles = _declared()
    assert roles["sc_sec_app"].setting_map == {
        "statement_timeout": "5s", "lock_timeout": "2s", "idle_in_transaction_session_timeout": "60s",
        "search_path": '"$user", public'}
    assert roles[HOSTILE].setting_map == {"work_mem": "8MB"}
    assert roles[HOSTILE].member_of == {"sc_sec_app"}


def test_settings_reset_and_reset_all_in_a_source() -> None:
    statements, _ = load_text("CREATE ROLE r; ALTER ROLE r SET work_mem = 1024; ALTER ROLE r SET lock_timeout = '1s';"
                              "ALTER ROLE r RESET work_mem; ALTER ROLE r IN DATABASE d SET work_mem = 5;", "x.sql")
    assert roles_from_statements(statements)["r"].setting_map == {"lock_timeout": "1s"}
    statements, _ = load_text("CREATE ROLE r; ALTER ROLE r SET work_mem = 1024; ALTER ROLE r RESET ALL;", "x.sql")
    assert roles_from_statements(statements)["r"].setting_map == {}


def test_deploy_role_without_createrole_runs_a_migration_whose_roles_exist(
        tmp_path: Path, live_url: str, dev_server, clean_roles: None) -> None:
    script = _migration(tmp_path, dev_server.url)
    assert "CREATE ROLE" in script and "ALTER ROLE" in script and "SET" in script
    admin = connect(live_url, autocommit=True)
    with admin:
        admin.execute(ADMIN_SQL.replace("{hostile}", sql.Identifier(HOSTILE).as_string(admin)))
    name = "sc_sec_deploy_target"
    target = _database(live_url, name, owner="sc_sec_deploy")
    try:
        result = _psql(make_conninfo(target, user="sc_sec_deploy"), script)
        assert result.returncode == 0, result.stderr
        with connect(target, autocommit=True) as conn:
            assert roles_from_catalog(conn, _declared()) == _declared()
            owner = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'note'").fetchone()[0]
            assert owner == "sc_sec_owner"
            # The control: a role that differs from the declaration is changed, which the deploy
            # role may not do. The statements act on differences; they do not skip roles blindly.
            conn.execute("ALTER ROLE sc_sec_app SET statement_timeout = '1h'")
        again = _database(live_url, name + "_2", owner="sc_sec_deploy")
        result = _psql(make_conninfo(again, user="sc_sec_deploy"), script)
        assert result.returncode != 0
        assert "permission denied" in result.stderr
        _drop_database(live_url, name + "_2")
    finally:
        _drop_database(live_url, name)


def test_same_migration_as_superuser_creates_the_roles_as_declared(
        tmp_path: Path, live_url: str, dev_server, clean_roles: None) -> None:
    script = _migration(tmp_path, dev_server.url)
    name = "sc_sec_admin_target"
    target = _database(live_url, name)
    try:
        result = _psql(target, script)
        assert result.returncode == 0, result.stderr
        with connect(target, autocommit=True) as conn:
            assert roles_from_catalog(conn, _declared()) == _declared()
        # Running it a second time on another database of the cluster changes nothing and fails nowhere.
        second = _database(live_url, name + "_2")
        result = _psql(second, script)
        assert result.returncode == 0, result.stderr
        _drop_database(live_url, name + "_2")
    finally:
        _drop_database(live_url, name)


def test_setting_drift_is_found_and_fixed_with_reverse(live_url: str, dev_server, tmp_path: Path,
                                                        clean_roles: None) -> None:
    from schemactl.apply import converge  # noqa: PLC0415
    from schemactl.engine import Workspace, zero_drift  # noqa: PLC0415

    desired_file = tmp_path / "desired.sql"
    # Ownership of a live target's table is not what this test is about (rehearsal copies lose owners).
    desired_file.write_text(FIXTURE.replace("ALTER TABLE note OWNER TO sc_sec_owner;", ""))
    name = "sc_sec_drift_target"
    target = _database(live_url, name)
    try:
        with Workspace(dev_url=dev_server.url) as ws:
            desired = ws.open(str(desired_file), label="desired")
            converge(ws, target, desired, allow_destructive=True)
            assert zero_drift(ws, ws.open(target, label="live", declared_roles=desired.roles), desired).zero
            with connect(target, autocommit=True) as conn:
                conn.execute("ALTER ROLE sc_sec_app SET statement_timeout = '1h'")
                conn.execute("ALTER ROLE sc_sec_app RESET lock_timeout")
                conn.execute("ALTER ROLE sc_sec_app SET work_mem = '64MB'")
            live = ws.open(target, label="live", declared_roles=desired.roles)
            report = zero_drift(ws, live, desired)
            found = "\n".join(c.sql for c in report.changes)
            assert "statement_timeout" in found and "lock_timeout" in found and "work_mem" in found
            plan = converge(ws, target, desired, allow_destructive=True)
            assert zero_drift(ws, ws.open(target, label="live", declared_roles=desired.roles), desired).zero
            # The rollback restores the drifted settings exactly.
            with connect(target, autocommit=True) as conn:
                for change in plan.rollback:
                    conn.execute(change.sql)
                stored = roles_from_catalog(conn, ["sc_sec_app"])["sc_sec_app"].setting_map
            assert stored["statement_timeout"] == "1h" and stored["work_mem"] == "64MB"
            assert "lock_timeout" not in stored
    finally:
        _drop_database(live_url, name)


def test_generated_schema_runs_twice_on_one_cluster(live_url: str) -> None:
    """generated/schema.sql: the second database of a cluster finds its roles in place and still loads."""
    script = (Path(__file__).resolve().parent.parent / "generated" / "schema.sql").read_text(encoding="utf-8")
    assert not re.search(r"(?m)^(CREATE|ALTER) ROLE|^GRANT \w+ TO|ON DATABASE memory_platform", script)
    names = ["sc_sec_generated_1", "sc_sec_generated_2"]
    try:
        for name in names:
            result = _psql(_database(live_url, name), script)
            assert result.returncode == 0, f"{name}: {result.stderr}"
        with connect(with_dbname(live_url, names[1]), autocommit=True) as conn:
            tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
        assert tables >= 9
    finally:
        for name in names:
            _drop_database(live_url, name)

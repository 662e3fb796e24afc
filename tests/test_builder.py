"""Builds and rehearsals on the dev server run as the unprivileged builder role, never as its superuser."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import psycopg
import pytest
from pglast import parse_sql

from schemactl.cli import parse_args, run
from schemactl.devserver import BUILDER_ROLE, DevServer, _builder_password, _password_matches, ensure_builder
from schemactl.engine import Workspace
from schemactl.errors import EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK, InputError
from schemactl.roles import DANGEROUS_ROLES, Role, emitted_role_statements, refuse_dangerous_role

REPO = Path(__file__).resolve().parent.parent
SCHEMA_DIR = REPO / "schema"
EVIL = "sctest_builder_evil"


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return run(parse_args(list(argv)), out, err), out.getvalue(), err.getvalue()



def _payload(marker: Path) -> str:
    """A function that runs a shell command when called (the validate gate cannot see inside EXECUTE)."""
    command = f"touch {marker}"
    return (
        "CREATE FUNCTION public.sctest_payload(n integer) RETURNS integer LANGUAGE plpgsql AS $fn$\n"
        "BEGIN\n"
        f"    EXECUTE 'COPY (SELECT 1) TO PROGRAM ''{command}''';\n"
        "    RETURN n;\n"
        "END\n"
        "$fn$;\n"
    )


VARIANTS = {
    "materialized_view": lambda m: _payload(m) + "CREATE MATERIALIZED VIEW public.sctest_payload_mv AS "
                                                 "SELECT public.sctest_payload(1) AS x;\n",
    "default": lambda m: _payload(m) + "CREATE TABLE public.sctest_payload_t (id integer PRIMARY KEY, x integer DEFAULT "
                                       "public.sctest_payload(1));\n",
    "index_expression": lambda m: _payload(m) + "CREATE TABLE public.sctest_payload_i (id integer PRIMARY KEY, x integer);\n"
                                                "CREATE FUNCTION public.sctest_payload_imm(n integer) RETURNS integer "
                                                "LANGUAGE plpgsql IMMUTABLE AS $fn$ BEGIN "
                                                "RETURN public.sctest_payload(n); END $fn$;\n"
                                                "CREATE INDEX sctest_payload_i_idx ON public.sctest_payload_i "
                                                "((public.sctest_payload_imm(x)));\n",
    "superuser_role": lambda m: f"CREATE ROLE {EVIL} SUPERUSER;\n",
    "server_program_member": lambda m: f"CREATE ROLE {EVIL} NOLOGIN;\nGRANT pg_execute_server_program TO {EVIL};\n",
    "untrusted_extension": lambda m: "CREATE EXTENSION plpython3u;\n",
}

# The variants the tool refuses before anything runs: (message fragment, line of the added file).
REFUSED = {
    "superuser_role": f"role {EVIL} may not be SUPERUSER",
    "server_program_member": f"role {EVIL} may not be made a member of pg_execute_server_program",
    "untrusted_extension": "extension plpython3u is not on the allow-list",
}


def _variant(tmp_path: Path, name: str, marker: Path) -> Path:
    schema = Path(shutil.copytree(SCHEMA_DIR, tmp_path / "schema"))
    (schema / "zz_builder_variant.sql").write_text(VARIANTS[name](marker))
    return schema


def _commands(schema: Path, tmp_path: Path, dev_url: str) -> dict[str, list[str]]:
    empty = tmp_path / "empty"
    empty.mkdir(exist_ok=True)
    (empty / "empty.sql").write_text("-- nothing yet\n")
    return {
        "validate --build": ["validate", "--build", "--schema-dir", str(schema), "--dev-url", dev_url, "-q"],
        "diff": ["diff", "--from", str(empty), "--to", str(schema), "--dev-url", dev_url, "-q"],
        "migrate new": ["migrate", "new", "everything", "--schema-dir", str(schema), "--migrations-dir",
                        str(tmp_path / "migrations"), "--dev-url", dev_url, "-q"],
    }


def _no_evil_role(url: str) -> bool:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = %s)", (EVIL,)).fetchone()[0]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_hostile_schema_runs_unprivileged_or_is_refused(variant: str, tmp_path: Path, marker_dir: Path,
                                                        dev_server: DevServer) -> None:
    """validate --build, diff and migrate new end in a clear error or run unprivileged; the payload never runs."""
    marker = marker_dir / "pwned"
    schema = _variant(tmp_path, variant, marker)
    for what, argv in _commands(schema, tmp_path, dev_server.url).items():
        code, out, err = _cli(*argv)
        assert not marker.exists(), f"{variant}: {what} ran the payload"
        assert _builder_password(dev_server.url) not in out + err
        assert code in (EXIT_OK, EXIT_DIFFERENCES, EXIT_ERROR), (variant, what, code, err)
        if variant in REFUSED:
            assert code == EXIT_ERROR, (variant, what, err)
            assert REFUSED[variant] in err and "zz_builder_variant.sql:" in err, (variant, what, err)
            assert len(err.strip().splitlines()) == 1, err
        elif code == EXIT_ERROR:
            # The payload was called: the server refused the builder what only a superuser may do.
            assert "permission denied" in err or "must be superuser" in err, (variant, what, err)
            assert "zz_builder_variant.sql:" in err or what != "validate --build", (variant, what, err)
    assert _no_evil_role(dev_server.url)


def test_materialized_view_payload_is_refused_by_the_server(tmp_path: Path, marker_dir: Path,
                                                             dev_server: DevServer) -> None:
    """The function + materialized view payload fails in the build, at its line, for want of privilege."""
    marker = marker_dir / "pwned"
    schema = _variant(tmp_path, "materialized_view", marker)
    code, _, err = _cli("validate", "--build", "--schema-dir", str(schema), "--dev-url", dev_server.url, "-q")
    assert code == EXIT_ERROR, err
    assert "zz_builder_variant.sql:7:1: must be superuser or have privileges of the pg_execute_server_program" in err, err
    assert "pg_execute_server_program" in err, err
    assert not marker.exists()


def test_builder_role_is_unprivileged(dev_server: DevServer) -> None:
    """The builder exists, is no superuser, and reaches none of the server's files and programs."""
    ensure_builder(dev_server.url)
    with psycopg.connect(dev_server.url) as conn:
        row = conn.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin "
            "FROM pg_roles WHERE rolname = %s", (BUILDER_ROLE,)).fetchone()
        assert row == (False, False, False, False, False, True)
        for role in sorted(DANGEROUS_ROLES):
            assert not conn.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", (BUILDER_ROLE, role)).fetchone()[0]
        stored = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (BUILDER_ROLE,)).fetchone()[0]
    # The password is derived from the admin URL, so concurrent runs agree without storing it.
    assert _password_matches(stored, _builder_password(dev_server.url))
    assert not _password_matches(stored, _builder_password(dev_server.url + "?x=1"))


def test_builder_loses_privileges_given_to_it(dev_server: DevServer) -> None:
    """A builder role someone made privileged is made unprivileged again by the next run."""
    import schemactl.devserver as devserver

    ensure_builder(dev_server.url)
    with psycopg.connect(dev_server.url, autocommit=True) as conn:
        conn.execute(f"ALTER ROLE {BUILDER_ROLE} CREATEROLE")
        conn.execute(f"GRANT pg_read_server_files TO {BUILDER_ROLE}")
    devserver._builders.discard(dev_server.url)
    ensure_builder(dev_server.url)
    with psycopg.connect(dev_server.url) as conn:
        assert not conn.execute("SELECT rolcreaterole FROM pg_roles WHERE rolname = %s", (BUILDER_ROLE,)).fetchone()[0]
        assert not conn.execute("SELECT pg_has_role(%s, 'pg_read_server_files', 'MEMBER')",
                                (BUILDER_ROLE,)).fetchone()[0]


def test_build_runs_as_the_builder_and_objects_belong_to_it_or_declared_roles(tmp_path: Path,
                                                                              dev_server: DevServer) -> None:
    """schema/ runs in a session whose session user is the builder; every object it made is the builder's or a
    declared role's."""
    schema = Path(shutil.copytree(SCHEMA_DIR, tmp_path / "schema"))
    (schema / "zz_who.sql").write_text(
        "CREATE MATERIALIZED VIEW public.sctest_who AS SELECT session_user::text AS s, current_user::text AS c;\n")
    with Workspace(dev_url=dev_server.url) as ws:
        side = ws.open(str(schema), label="desired")
        with psycopg.connect(side.url) as conn:
            assert conn.execute("SELECT s, c FROM public.sctest_who").fetchone() == (BUILDER_ROLE, BUILDER_ROLE)
            owners = {r[0] for r in conn.execute(
                "SELECT pg_get_userbyid(relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast' "
                "UNION SELECT pg_get_userbyid(proowner) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "UNION SELECT pg_get_userbyid(nspowner) FROM pg_namespace "
                "WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public') AND nspname !~ '^pg_'")}
            database_owner = conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database "
                                          "WHERE datname = current_database()").fetchone()[0]
    assert owners, "nothing was built"
    assert owners <= {BUILDER_ROLE, *side.roles}, owners
    assert database_owner == BUILDER_ROLE


def test_refuse_dangerous_role_names_the_place() -> None:
    """The policy the tool applies wherever it creates roles from parsed statements with admin rights."""
    with pytest.raises(InputError, match=r"^a\.sql:3: role r may not be REPLICATION"):
        refuse_dangerous_role(Role(name="r", attributes=(("replication", True),)), "a.sql:3")
    with pytest.raises(InputError, match="may not be made a member of admin"):
        refuse_dangerous_role(Role(name="r", attributes=(), member_of=frozenset({"admin"})), "a.sql:3",
                              superusers={"admin"})
    refuse_dangerous_role(Role(name="r", attributes=(), member_of=frozenset({"pg_read_all_data"})), "a.sql:3")


def test_only_the_tools_own_role_blocks_are_performed_as_admin() -> None:
    """A DO block is read as role statements only in the form the tool writes; anything else runs as the builder."""
    tool = ("DO $role$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'r') THEN "
            "EXECUTE 'CREATE ROLE \"r\" WITH NOLOGIN'; END IF; END $role$")
    found = emitted_role_statements(parse_sql(tool)[0].stmt)
    assert found is not None and [type(n).__name__ for n in found] == ["CreateRoleStmt"]
    hostile = ("DO $role$ BEGIN IF true THEN EXECUTE 'CREATE ROLE r'; END IF; "
               "PERFORM pg_catalog.pg_sleep(0); END $role$")
    assert emitted_role_statements(parse_sql(hostile)[0].stmt) is None
    hidden = "DO $$ BEGIN IF true THEN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''true'''; END IF; END $$"
    assert emitted_role_statements(parse_sql(hidden)[0].stmt) is None


def test_payload_leaves_its_marker_when_a_superuser_runs_it(marker_dir: Path, dev_db: str) -> None:
    """The control: run by the dev server's superuser, the payload does leave the marker the tests look for."""
    marker = marker_dir / "pwned"
    with psycopg.connect(dev_db, autocommit=True) as conn:
        conn.execute(_payload(marker))
        conn.execute("SELECT public.sctest_payload(1)")
    assert marker.exists()


def test_allow_listed_extensions_are_created_by_the_tool(tmp_path: Path, dev_server: DevServer) -> None:
    """A trusted extension is created in the builder's session, an untrusted one on the allow-list
    (pg_stat_statements) by the tool as administrator, into a schema the build created just before."""
    schema = tmp_path / "schema"
    schema.mkdir()
    (schema / "extensions.sql").write_text(
        "CREATE SCHEMA sctest_ext;\n"
        "COMMENT ON SCHEMA sctest_ext IS 'extensions';\n"
        "CREATE EXTENSION pg_stat_statements WITH SCHEMA sctest_ext;\n"
        "CREATE EXTENSION pgcrypto WITH SCHEMA sctest_ext;\n")
    with Workspace(dev_url=dev_server.url) as ws:
        side = ws.open(str(schema), label="desired")
        with psycopg.connect(side.url) as conn:
            found = dict(conn.execute(
                "SELECT e.extname, pg_get_userbyid(e.extowner) FROM pg_extension e "
                "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE n.nspname = 'sctest_ext'").fetchall())
            admin = conn.execute("SELECT rolname FROM pg_roles WHERE rolsuper AND rolname <> %s "
                                 "ORDER BY oid LIMIT 1", (BUILDER_ROLE,)).fetchone()[0]
    assert found["pgcrypto"] == BUILDER_ROLE
    assert found["pg_stat_statements"] == admin


def test_extension_allow_list_comes_from_the_project(tmp_path: Path, dev_server: DevServer) -> None:
    """[tool.schemactl] extensions replaces the default list: pgcrypto is refused where only citext is allowed."""
    (tmp_path / "pyproject.toml").write_text('[tool.schemactl]\nextensions = ["citext"]\n')
    schema = tmp_path / "schema"
    schema.mkdir()
    (schema / "extensions.sql").write_text("CREATE EXTENSION citext;\n\nCREATE EXTENSION pgcrypto;\n")
    code, _, err = _cli("validate", "--build", "--schema-dir", str(schema), "--dev-url", dev_server.url, "-q")
    assert code == EXIT_ERROR, err
    assert "extensions.sql:3:1: extension pgcrypto is not on the allow-list" in err, err


HISTORIES = {
    "do_block": ("DO $do$ BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch {marker}'''; END $do$;\n",
                 "must be superuser or have privileges of the pg_execute_server_program"),
    "superuser_role": (f"CREATE ROLE {EVIL} WITH SUPERUSER;\n", f"001_hostile.sql:1: role {EVIL} may not be SUPERUSER"),
    "role_block": ("DO $role$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'x') THEN "
                   f"EXECUTE 'GRANT pg_write_server_files TO {EVIL}'; END IF; END $role$;\n",
                   f"role {EVIL} may not be made a member of pg_write_server_files"),
}


@pytest.mark.parametrize("history", sorted(HISTORIES))
def test_replayed_history_runs_as_the_builder(history: str, tmp_path: Path, marker_dir: Path,
                                              dev_server: DevServer) -> None:
    """A migration file replayed for `diff --from-history` runs unprivileged; role statements, also in the
    tool's DO-block form, pass the same policy as schema/'s."""
    from schemactl.migrations.manifest import write_manifest

    marker = marker_dir / "pwned"
    text, expected = HISTORIES[history]
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "001_hostile.sql").write_text(text.replace("{marker}", str(marker)))
    write_manifest(migrations)
    schema = tmp_path / "schema"
    schema.mkdir()
    (schema / "empty.sql").write_text("-- nothing yet\n")
    code, _, err = _cli("diff", "--from-history", "--migrations-dir", str(migrations), "--to", str(schema),
                        "--dev-url", dev_server.url, "-q")
    assert code == EXIT_ERROR, err
    assert expected in err, err
    assert not marker.exists()
    assert _no_evil_role(dev_server.url)

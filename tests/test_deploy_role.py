"""Reached as a superuser, `migrate` and `apply` run what others wrote as the deploy role: a DO block, a
function a materialized view calls, a deferred trigger or RESET ROLE gets that role's rights and no more,
and the tool runs only its own, checked, role statements with the superuser's."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from schemactl.conninfo import with_dbname
from schemactl.errors import EXIT_ERROR, EXIT_OK, EXIT_REFUSED
from schemactl.migrations.manifest import write_manifest
from schemactl.roles import ATTRIBUTE_DEFAULTS, Role, role_create_sql

SCHEMACTL = str(Path(sys.executable).parent / "schemactl")


@dataclass
class Project:
    """A project whose pyproject.toml names a deploy role, a database that role owns, and a marker path."""

    root: Path
    role: str
    url: str
    marker: Path
    made_roles: list[str]

    def history(self, *files: tuple[str, str]) -> Path:
        folder = self.root / "generated" / "migrations"
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files:
            (folder / name).write_text(text)
        write_manifest(folder)
        return folder

    def payload(self) -> str:
        """SQL text that leaves the marker when it runs with superuser-level rights."""
        program = f"touch {self.marker}; cat > /dev/null"
        return f"COPY (SELECT 1) TO PROGRAM {sql.Literal(program).as_string(None)}"

    def role_name(self, label: str) -> str:
        name = f"{self.role}_{label}"
        self.made_roles.append(name)
        return name


@pytest.fixture
def project(live_url: str, tmp_path: Path) -> Iterator[Project]:
    suffix = f"{os.getpid()}_{secrets.token_hex(2)}"
    role, database = f"sctest_deploy_{suffix}", f"sctest_deploy_{suffix}"
    markers = Path(tempfile.mkdtemp(prefix="schemactl-marker-", dir="/tmp"))
    markers.chmod(0o777)  # COPY TO PROGRAM runs as the server's OS user
    with psycopg.connect(live_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(database), sql.Identifier(role)))
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text(f'[tool.schemactl]\ndeploy-role = "{role}"\n')
    made: list[str] = []
    try:
        yield Project(root=root, role=role, url=with_dbname(live_url, database), marker=markers / "ran", made_roles=made)
    finally:
        with psycopg.connect(live_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
            for name in [*made, role]:
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
        shutil.rmtree(markers, ignore_errors=True)


def _role(name: str, **attributes: object) -> Role:
    """A role as schema/ declares one (every attribute spelled), the form migrations carry."""
    return Role(name=name, attributes=tuple(sorted({**ATTRIBUTE_DEFAULTS, **attributes}.items())))


def _up(project: Project, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCHEMACTL, "migrate", "up", "--target", project.url, "--migrations-dir", str(folder)],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def _tables(url: str) -> list[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        return [r[0] for r in conn.execute("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                                           "AND relkind = 'r' ORDER BY 1")]


def _role_exists(url: str, name: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = %s)", (name,)).fetchone()[0]


def test_the_migration_runs_as_the_deploy_role(project: Project) -> None:
    folder = project.history(("001_wallets.sql", "BEGIN;\nCREATE TABLE public.wallets (wallet text PRIMARY KEY);\n"
                                                 "COMMIT;\n"))
    done = _up(project, folder)
    assert done.returncode == EXIT_OK, done.stderr
    with psycopg.connect(project.url, autocommit=True) as conn:
        owner = conn.execute("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'public.wallets'::regclass"
                             ).fetchone()[0]
        applied_by = conn.execute("SELECT applied_by FROM schemactl.schema_migrations").fetchone()[0]
        lock_owner = conn.execute("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = "
                                  "'schemactl.schema_migrations'::regclass").fetchone()[0]
    assert (owner, applied_by, lock_owner) == (project.role, project.role, project.role)


@pytest.mark.parametrize("vector", ["do_block", "reset_role", "deferred_trigger", "function_and_matview"])
def test_what_others_wrote_gets_no_superuser_rights(project: Project, vector: str) -> None:
    payload = sql.Literal(project.payload()).as_string(None)
    bodies = {
        "do_block": f"DO $x$ BEGIN EXECUTE {payload}; END $x$;",
        "reset_role": f"DO $x$ BEGIN RESET ROLE; EXECUTE {payload}; END $x$;",
        "deferred_trigger": (
            f"CREATE FUNCTION public.on_wallet() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RESET ROLE; "
            f"EXECUTE {payload}; RETURN NULL; END $f$;\n"
            "CREATE CONSTRAINT TRIGGER on_wallet AFTER INSERT ON public.wallets DEFERRABLE INITIALLY DEFERRED "
            "FOR EACH ROW EXECUTE FUNCTION public.on_wallet();\n"
            "INSERT INTO public.wallets VALUES ('w1');"),
        "function_and_matview": (
            f"CREATE FUNCTION public.f() RETURNS int LANGUAGE plpgsql AS $f$ BEGIN EXECUTE {payload}; RETURN 1; "
            "END $f$;\nCREATE MATERIALIZED VIEW public.mv AS SELECT public.f() AS one;"),
    }
    text = f"BEGIN;\nCREATE TABLE public.wallets (wallet text PRIMARY KEY);\n{bodies[vector]}\nCOMMIT;\n"
    done = _up(project, project.history(("001_payload.sql", text)))
    assert done.returncode == EXIT_ERROR, done.stdout + done.stderr
    assert "permission denied" in done.stderr or "must be superuser" in done.stderr or \
        "pg_execute_server_program" in done.stderr, done.stderr
    assert not project.marker.exists(), f"{vector}: the payload ran with superuser rights"
    assert _tables(project.url) == [], "a failed migration leaves the database as it was"


def test_the_tools_role_statements_run_with_the_administrators_rights(project: Project) -> None:
    app = project.role_name("app")
    statement = role_create_sql(_role(app, login=True)).as_string(None)
    done = _up(project, project.history(("001_roles.sql", f"BEGIN;\n{statement};\nCOMMIT;\n")))
    # The deploy role has no CREATEROLE: the role exists because the tool ran its own statement.
    assert done.returncode == EXIT_OK, done.stderr
    assert _role_exists(project.url, app)


@pytest.mark.parametrize("attribute", ["superuser", "replication", "createrole"])
def test_a_role_statement_that_elevates_is_refused(project: Project, attribute: str) -> None:
    evil = project.role_name(attribute)
    statement = role_create_sql(_role(evil, **{attribute: True})).as_string(None)
    done = _up(project, project.history(("001_roles.sql", f"BEGIN;\n{statement};\nCOMMIT;\n")))
    assert done.returncode in (EXIT_ERROR, EXIT_REFUSED), done.stderr
    assert attribute.upper() in done.stderr and "001_roles.sql" in done.stderr, done.stderr
    assert not _role_exists(project.url, evil)


def test_a_role_block_not_in_the_tools_form_runs_as_the_deploy_role(project: Project) -> None:
    evil = project.role_name("lookalike")
    statement = role_create_sql(_role(evil, login=True)).as_string(None)
    # The same block with a condition of the author's own: not the tool's statement, so not run as admin.
    lookalike = statement.replace("IF NOT EXISTS", f"IF length({sql.Literal(project.payload()).as_string(None)}) > 0 "
                                                   "AND NOT EXISTS", 1)
    done = _up(project, project.history(("001_roles.sql", f"BEGIN;\n{lookalike};\nCOMMIT;\n")))
    assert done.returncode == EXIT_ERROR, done.stderr
    assert "permission denied to create role" in done.stderr, done.stderr
    assert not _role_exists(project.url, evil)


def test_a_database_the_deploy_role_cannot_create_in_is_refused(project: Project, live_url: str) -> None:
    name = f"{project.role}_su"
    with psycopg.connect(live_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        folder = project.history(("001_wallets.sql", "BEGIN;\nCREATE TABLE public.wallets (wallet text);\nCOMMIT;\n"))
        done = subprocess.run([SCHEMACTL, "migrate", "up", "--target", with_dbname(live_url, name), "--migrations-dir",
                               str(folder)], capture_output=True, text=True, timeout=300)
        assert done.returncode == EXIT_ERROR, done.stderr
        assert f"the deploy role {project.role} may not create objects in database {name}" in done.stderr
        assert "OWNER TO" in done.stderr
    finally:
        with psycopg.connect(live_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_apply_runs_the_plan_as_the_deploy_role(project: Project, dev_server) -> None:
    schema = project.root / "schema"
    schema.mkdir()
    payload = sql.Literal(project.payload()).as_string(None)
    database = sql.Literal(psycopg.conninfo.conninfo_to_dict(project.url)["dbname"]).as_string(None)
    # The payload acts on the target only, so the build on the dev server gets through to the plan.
    (schema / "payload.sql").write_text(
        f"CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $f$ BEGIN IF current_database() = {database} THEN "
        f"EXECUTE {payload}; END IF; RETURN 1; END $f$;\n"
        "CREATE TABLE wallets (wallet text PRIMARY KEY);\n")
    done = subprocess.run([SCHEMACTL, "apply", "--target", project.url, "--schema-dir", str(schema), "--dev-url",
                           dev_server.url], capture_output=True, text=True, timeout=600)
    assert done.returncode == EXIT_OK, done.stderr
    assert _tables(project.url) == ["wallets"]
    with psycopg.connect(project.url, autocommit=True) as conn:
        owner = conn.execute("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'public.wallets'::regclass"
                             ).fetchone()[0]
    assert owner == project.role
    # A materialized view calling it is created by the deploy role: the function runs with its rights.
    (schema / "view.sql").write_text("CREATE MATERIALIZED VIEW mv AS SELECT f() AS one;\n")
    again = subprocess.run([SCHEMACTL, "apply", "--target", project.url, "--schema-dir", str(schema), "--dev-url",
                            dev_server.url], capture_output=True, text=True, timeout=600)
    assert again.returncode == EXIT_ERROR, again.stderr
    assert "pg_execute_server_program" in again.stderr or "permission denied" in again.stderr, again.stderr
    assert not project.marker.exists(), "the plan ran with superuser rights"


def test_without_a_deploy_role_a_superuser_is_told(fresh_db: str, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "001_wallets.sql").write_text("BEGIN;\nCREATE TABLE public.wallets (wallet text);\nCOMMIT;\n")
    write_manifest(folder)
    done = subprocess.run([SCHEMACTL, "migrate", "up", "--target", fresh_db, "--migrations-dir", str(folder)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == EXIT_OK, done.stderr
    assert "reached as a superuser and no [tool.schemactl] deploy-role is configured" in done.stderr, done.stderr

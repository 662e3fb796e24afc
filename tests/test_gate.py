"""The gate: no command executes a SQL file that validate rejects; exit 2 naming file:line, nothing run."""

from __future__ import annotations

import io
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from schemactl.cli import parse_args, run
from schemactl.errors import EXIT_DIFFERENCES, EXIT_ERROR
from schemactl.migrations.manifest import write_manifest

from fixtures_db import REPO, SCHEMA_DIR

HISTORY_DIR = REPO / "generated" / "migrations"


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(parse_args(list(argv)), out, err)
    return code, out.getvalue(), err.getvalue()



@pytest.fixture
def sentinel(live_url: str) -> Iterator[str]:
    """A database that a `DROP DATABASE` in a schema file would drop, on the server used as dev server."""
    name = f"sctest_sentinel_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(live_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(live_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _exists(live_url: str, database: str) -> bool:
    with psycopg.connect(live_url, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone() is not None


def test_the_marker_would_be_created_without_the_gate(live_url: str, marker: Path) -> None:
    """The payload is real: the server (a superuser session, as with --dev-url) runs the program."""
    with psycopg.connect(live_url, autocommit=True) as conn:
        conn.execute("CREATE TEMP TABLE gate_probe (line text)")
        conn.execute(sql.SQL("COPY gate_probe FROM PROGRAM {}").format(sql.Literal(f"touch {marker}")))
    assert marker.exists()


PAYLOADS = {
    "copy_program": "COPY memory_assets FROM PROGRAM 'touch {marker}';",
    "drop_database": "DROP DATABASE {sentinel};",
}

# Every command that runs schema files, as argv with {schema}, {target}, {dev} and {out} to fill in.
COMMANDS = {
    "diff_from_file": ["diff", "--from", "{bad_file}", "--to", "{clean}", "--dev-url", "{dev}", "-q"],
    "diff_to_dir": ["diff", "--from", "{target}", "--to", "{schema}", "--dev-url", "{dev}", "-q"],
    "diff_from_history": ["diff", "--from-history", "--migrations-dir", "{history}", "--to", "{schema}",
                          "--dev-url", "{dev}", "-q"],
    "drift": ["drift", "--target", "{target}", "--schema-dir", "{schema}", "--dev-url", "{dev}", "-q"],
    "drift_fleet": ["drift", "--targets", "{targets}", "--schema-dir", "{schema}", "--dev-url", "{dev}", "-q"],
    "apply": ["apply", "--target", "{target}", "--schema-dir", "{schema}", "--dev-url", "{dev}", "-q"],
    "apply_dry_run": ["apply", "--dry-run", "--target", "{target}", "--schema-dir", "{schema}",
                      "--dev-url", "{dev}", "-q"],
    "migrate_new": ["migrate", "new", "gate_check", "--schema-dir", "{schema}", "--migrations-dir", "{history}",
                    "--dev-url", "{dev}", "-q"],
    "generate": ["generate", "--schema-dir", "{schema}", "--out", "{out}", "-q"],
    "generate_check": ["generate", "--check", "--schema-dir", "{schema}", "--out", "{out}", "-q"],
}


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_command_runs_a_rejected_schema_file(command: str, payload: str, tmp_path: Path, live_url: str,
                                                fresh_db: str, marker: Path, sentinel: str) -> None:
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema)
    history = tmp_path / "migrations"
    shutil.copytree(HISTORY_DIR, history)
    out_dir = tmp_path / "generated"
    shutil.copytree(REPO / "generated", out_dir)
    bad = schema / "grants" / "zz_fixup.sql"
    bad.write_text("-- A hand-written fix-up.\n" + PAYLOADS[payload].format(marker=marker, sentinel=sentinel) + "\n",
                   encoding="utf-8")
    targets = tmp_path / "targets.txt"
    targets.write_text(f"staging={fresh_db}\n", encoding="utf-8")
    fill = {"schema": str(schema), "clean": str(SCHEMA_DIR), "bad_file": str(bad), "target": fresh_db,
            "dev": live_url, "history": str(history), "out": str(out_dir), "targets": str(targets)}
    argv = [part.format(**fill) for part in COMMANDS[command]]
    generated_before = sorted((p.name, p.read_bytes()) for p in out_dir.rglob("*") if p.is_file())

    code, out, err = _cli(*argv)

    assert code == EXIT_ERROR, (code, out, err)
    assert f"{bad.name}:2:1: SC002" in err and "nothing was executed" in err, err
    assert "Traceback" not in err
    assert not marker.exists(), "COPY ... PROGRAM ran"
    assert _exists(live_url, sentinel), "DROP DATABASE ran"
    assert sorted((p.name, p.read_bytes()) for p in out_dir.rglob("*") if p.is_file()) == generated_before
    assert sorted(p.name for p in history.iterdir()) == sorted(p.name for p in HISTORY_DIR.iterdir())


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
def test_validate_build_reports_and_builds_nothing(payload: str, tmp_path: Path, live_url: str, marker: Path,
                                                   sentinel: str) -> None:
    """validate keeps its contract (findings are exit 1) and never builds a schema with findings."""
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema)
    bad = schema / "zz_fixup.sql"
    bad.write_text("\n" + PAYLOADS[payload].format(marker=marker, sentinel=sentinel) + "\n", encoding="utf-8")
    code, out, err = _cli("validate", "--build", "--schema-dir", str(schema), "--dev-url", live_url)
    assert code == EXIT_DIFFERENCES, (out, err)
    assert f"{bad}:2:1: SC002" in out or f"{bad.name}:2:1: SC002" in out, out
    assert not marker.exists() and _exists(live_url, sentinel)


MIGRATION_PAYLOADS = {
    "copy_program": "COPY ledger FROM PROGRAM 'touch {marker}';",
    "copy_server_file": "COPY ledger TO '{marker}';",
    "drop_database": "DROP DATABASE {sentinel};",
    "alter_system": "ALTER SYSTEM SET work_mem = '64MB';",
}


@pytest.mark.parametrize("payload", sorted(MIGRATION_PAYLOADS))
def test_migrations_never_reach_outside_their_database(payload: str, tmp_path: Path, live_url: str,
                                                       fresh_db: str, marker: Path, sentinel: str) -> None:
    """A migration may change data, but COPY to/from the server, database and server statements are refused."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    statement = MIGRATION_PAYLOADS[payload].format(marker=marker, sentinel=sentinel)
    (folder / "001_ledger.sql").write_text(
        f"BEGIN;\nCREATE TABLE ledger (entry_id bigint PRIMARY KEY);\n{statement}\nCOMMIT;\n", encoding="utf-8")
    (folder / "001_ledger_rollback.sql").write_text("DROP TABLE ledger;\n", encoding="utf-8")
    write_manifest(folder)
    with psycopg.connect(live_url, autocommit=True) as conn:
        work_mem = conn.execute("SELECT setting FROM pg_file_settings WHERE name = 'work_mem'").fetchall()
    for argv in (["migrate", "up", "--target", fresh_db, "--migrations-dir", str(folder), "-q"],
                 ["diff", "--from-history", "--migrations-dir", str(folder), "--to", str(SCHEMA_DIR),
                  "--dev-url", live_url, "-q"]):
        code, out, err = _cli(*argv)
        assert code == EXIT_ERROR, (argv, out, err)
        assert "001_ledger.sql:3:" in err and "nothing was executed" in err, err
        assert not marker.exists() and _exists(live_url, sentinel)
        with psycopg.connect(fresh_db, autocommit=True) as conn:
            assert conn.execute("SELECT to_regclass('ledger')").fetchone() == (None,)
    with psycopg.connect(live_url, autocommit=True) as conn:
        assert conn.execute("SELECT setting FROM pg_file_settings WHERE name = 'work_mem'").fetchall() == work_mem


def test_a_remembered_pass_covers_only_the_exact_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         marker: Path) -> None:
    """drift and fleet drift remember a gate pass by the sources' bytes: one byte more is parsed again."""
    from schemactl.desired import cache_dir, require_declarative_cached  # noqa: PLC0415
    from schemactl.errors import InputError  # noqa: PLC0415

    monkeypatch.setenv("SCHEMACTL_HOME", str(tmp_path / "home"))
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema)
    require_declarative_cached(schema)
    assert len(list(cache_dir().glob("gate-*"))) == 1
    require_declarative_cached(schema)  # the remembered pass
    assert len(list(cache_dir().glob("gate-*"))) == 1

    grants = schema / "grants" / "blockchain_service.sql"
    grants.write_text(grants.read_text(encoding="utf-8") + f"\nCOPY memory_assets FROM PROGRAM 'touch {marker}';\n",
                      encoding="utf-8")
    for _ in range(2):  # a refusal is never remembered
        with pytest.raises(InputError, match=r"blockchain_service\.sql:\d+:1: SC002"):
            require_declarative_cached(schema)
    assert len(list(cache_dir().glob("gate-*"))) == 1

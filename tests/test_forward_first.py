"""Forward first: a verified forward plan stands when its reverse cannot be made, and says so."""

from __future__ import annotations

import io
from pathlib import Path

import psycopg
import pytest

from schemactl.cli import parse_args, run
from schemactl.conninfo import connect
from schemactl.errors import EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK

# An extension upgrade has an update path forward and none back: the one-way change of the issue.
OLD = "CREATE EXTENSION citext VERSION '1.5';\n"
NEW = "CREATE EXTENSION citext VERSION '1.6';\n"


@pytest.fixture
def citext_versions(dev_server) -> None:
    """citext 1.5 and 1.6 on the server (contrib; the embedded pgserver build has none)."""
    with connect(dev_server.url, autocommit=True) as conn:
        versions = {r[0] for r in conn.execute(
            "SELECT version FROM pg_available_extension_versions WHERE name = 'citext'")}
    if not {"1.5", "1.6"} <= versions:
        pytest.skip(f"the dev server at {dev_server.url.split('@')[-1]} does not ship citext 1.5 and 1.6 "
                    "(contrib), which this one-way upgrade needs")


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(parse_args(list(argv)), out, err)
    return code, out.getvalue(), err.getvalue()


def _pair(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old.sql", tmp_path / "new.sql"
    old.write_text(OLD)
    new.write_text(NEW)
    return old, new


def test_forward_plan_is_printed_and_stderr_says_there_is_no_rollback(tmp_path: Path, dev_server,
                                                                      citext_versions) -> None:
    old, new = _pair(tmp_path)
    code, out, err = _run("diff", "-q", "--from", str(old), "--to", str(new), "--dev-url", dev_server.url)
    assert code == EXIT_DIFFERENCES, err
    assert "update to '1.6'" in out
    assert "no rollback" in err and "no update path" in err


def test_rollback_out_is_an_error_naming_why(tmp_path: Path, dev_server, citext_versions) -> None:
    old, new = _pair(tmp_path)
    rollback = tmp_path / "rollback.sql"
    code, out, err = _run("diff", "-q", "--from", str(old), "--to", str(new), "--dev-url", dev_server.url,
                          "--rollback-out", str(rollback))
    assert code == EXIT_ERROR
    assert not rollback.exists() and out == ""
    assert "no rollback written" in err and "no update path" in err


def test_json_names_why_there_is_no_rollback(tmp_path: Path, dev_server, citext_versions) -> None:
    import json  # noqa: PLC0415

    old, new = _pair(tmp_path)
    code, out, _ = _run("diff", "-q", "--from", str(old), "--to", str(new), "--dev-url", dev_server.url,
                        "--format", "json")
    plan = json.loads(out)
    assert code == EXIT_DIFFERENCES and plan["verified"] is True
    assert plan["rollback"] == [] and "no update path" in plan["irreversible"]


def test_migrate_new_needs_irreversible_and_then_writes_a_refusing_rollback(
        tmp_path: Path, dev_server, citext_versions, fresh_db: str) -> None:
    schema, migrations = tmp_path / "schema", tmp_path / "migrations"
    schema.mkdir()
    (schema / "extensions.sql").write_text(OLD)
    common = ("--schema-dir", str(schema), "--migrations-dir", str(migrations), "--dev-url", dev_server.url)
    assert _run("migrate", "new", "add_citext", "-q", *common)[0] == EXIT_OK
    (schema / "extensions.sql").write_text(NEW)

    code, _, err = _run("migrate", "new", "upgrade_citext", "-q", *common)
    assert code == EXIT_ERROR
    assert "--irreversible" in err and "no update path" in err
    assert sorted(p.name for p in migrations.glob("002_*")) == []

    code, _, err = _run("migrate", "new", "upgrade_citext", "-q", "--irreversible", *common)
    assert code == EXIT_OK, err
    rollback = (migrations / "002_upgrade_citext_rollback.sql").read_text()
    assert "RAISE EXCEPTION" in rollback and "no update path" in rollback

    # Applied for real: up works, down stops at the refusing rollback with the reason, changing nothing.
    code, _, err = _run("migrate", "up", "-q", "--target", fresh_db, "--migrations-dir", str(migrations))
    assert code == EXIT_OK, err
    code, _, err = _run("migrate", "down", "001_add_citext", "-q", "--target", fresh_db,
                        "--migrations-dir", str(migrations))
    assert code != EXIT_OK
    assert "cannot be rolled back" in err
    with psycopg.connect(fresh_db) as conn:
        version = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'citext'").fetchone()
    assert version == ("1.6",)

"""Drift sees the whole database: the tool's own schema holds only the runner's table; other schemas count."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from schemactl.drift import check_drift, drift_document
from schemactl.migrations.runner import _CREATE_TRACKING

from drift_schema import assert_valid
from fixtures_db import SCHEMA_DIR

SCHEMACTL = str(Path(sys.executable).parent / "schemactl")

# (what is planted in the tool's schema, the (kind, name, state) of the item drift must show)
PLANTED = {
    "security_definer_function": (
        "CREATE FUNCTION schemactl.peek() RETURNS bigint LANGUAGE sql SECURITY DEFINER "
        "AS 'SELECT count(*) FROM public.memory_assets';"
        "REVOKE ALL ON FUNCTION schemactl.peek() FROM PUBLIC;"
        "GRANT USAGE ON SCHEMA schemactl TO blockchain_service;"
        "GRANT EXECUTE ON FUNCTION schemactl.peek() TO blockchain_service",
        [("schema", "schemactl", "changed"), ("function", "schemactl.peek()", "extra")]),
    "view": ("CREATE VIEW schemactl.wallets AS SELECT owner_address FROM public.memory_assets",
             [("view", "schemactl.wallets", "extra")]),
    "trigger": ("CREATE FUNCTION schemactl.touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';"
                "CREATE TRIGGER touch BEFORE INSERT ON schemactl.schema_migrations "
                "FOR EACH ROW EXECUTE FUNCTION schemactl.touch()",
                [("trigger", "touch on schemactl.schema_migrations", "extra"),
                 ("function", "schemactl.touch()", "extra")]),
    "grant_to_public": ("GRANT SELECT ON schemactl.schema_migrations TO PUBLIC",
                        [("table", "schemactl.schema_migrations", "changed")]),
    "extra_column": ("ALTER TABLE schemactl.schema_migrations ADD COLUMN note text",
                     [("column", "schemactl.schema_migrations.note", "extra")]),
}


def _with_tracking(url: str) -> None:
    """The tool's schema as the migration runner makes it."""
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in _CREATE_TRACKING:
            conn.execute(statement)


def _drift_json(url: str, schema_dir: Path = SCHEMA_DIR) -> tuple[int, dict]:
    run = subprocess.run([SCHEMACTL, "drift", "--target", url, "--schema-dir", str(schema_dir), "-q",
                          "--format", "json"], capture_output=True, text=True, timeout=600)
    assert run.returncode in (0, 1), run.stderr
    document = json.loads(run.stdout)
    assert_valid(document, "target")
    return run.returncode, document


def test_runner_statements_are_zero_drift(schema_db: str) -> None:
    _with_tracking(schema_db)
    code, document = _drift_json(schema_db)
    assert code == 0 and document["items"] == [], document["items"]


@pytest.mark.parametrize("planted", sorted(PLANTED))
def test_object_planted_in_tool_schema_is_drift(planted: str, schema_db: str) -> None:
    statements, expected = PLANTED[planted]
    _with_tracking(schema_db)
    with psycopg.connect(schema_db, autocommit=True) as conn:
        conn.execute(statements)
    code, document = _drift_json(schema_db)
    assert code == 1
    found = [(i["kind"], i["name"], i["state"]) for i in document["items"]]
    assert found == expected, found
    assert document["fix"], document
    # The fix removes it: run on the target, drift is gone.
    result = check_drift(schema_db, SCHEMA_DIR)
    assert result.plan is not None
    with psycopg.connect(schema_db, autocommit=True) as conn, conn.transaction():
        for change in result.plan.changes:
            conn.execute(change.sql, prepare=False)
    after = check_drift(schema_db, SCHEMA_DIR)
    assert after.zero, [i.as_dict() for i in after.items]


def test_apply_removes_what_was_planted_in_tool_schema(schema_db: str) -> None:
    _with_tracking(schema_db)
    with psycopg.connect(schema_db, autocommit=True) as conn:
        conn.execute(PLANTED["security_definer_function"][0])
    applied = subprocess.run([SCHEMACTL, "apply", "--target", schema_db, "--schema-dir", str(SCHEMA_DIR), "-q"],
                             capture_output=True, text=True, timeout=600)
    assert applied.returncode == 0, applied.stderr
    with psycopg.connect(schema_db, autocommit=True) as conn:
        assert conn.execute("SELECT to_regprocedure('schemactl.peek()')").fetchone()[0] is None
    assert check_drift(schema_db, SCHEMA_DIR).zero


def test_extra_schema_is_drift_unless_excluded(schema_db: str, tmp_path: Path) -> None:
    with psycopg.connect(schema_db, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA hand_made; CREATE FUNCTION hand_made.f() RETURNS int LANGUAGE sql AS 'SELECT 1'")
    code, document = _drift_json(schema_db)
    assert code == 1
    names = [(i["kind"], i["name"]) for i in document["items"]]
    assert ("schema", "hand_made") in names and ("function", "hand_made.f()") in names, names
    # A project that manages hand_made elsewhere says so; the report names it.
    project = tmp_path / "project"
    shutil.copytree(SCHEMA_DIR, project / "schema")
    (project / "pyproject.toml").write_text('[tool.schemactl]\ndrift-exclude-schemas = ["hand_made"]\n')
    code, document = _drift_json(schema_db, project / "schema")
    assert code == 0, document["items"]
    assert "hand_made" in document["note"], document

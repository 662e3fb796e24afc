"""Drift sees the whole database: the tool's own schema holds only the runner's table; other schemas count."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from schemactl.drift import check_drift
from schemactl.errors import InputError
from schemactl.schemalock import _CREATE_TRACKING
from schemactl.project import configured_drift_exclusions
from schemactl.toolschema import EXPECTED_COLUMNS, tool_schema_drift

from drift_schema import assert_valid
from fixtures_db import SCHEMA_DIR, owned_by

SCHEMACTL = str(Path(sys.executable).parent / "schemactl")
MIGRATIONS = SCHEMA_DIR.parent / "generated" / "migrations"

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


def test_apply_removes_what_was_planted_in_tool_schema(schema_db: str, live_url: str) -> None:
    # As in a deployment: the database is the owner role's; the deploy role owns the tool's schema and
    # plants the function there itself (apply runs as it, and removes it).
    owned_by(schema_db, live_url, "memory_owner")
    _with_tracking(schema_db)
    with psycopg.connect(schema_db, autocommit=True) as conn:
        conn.execute("ALTER SCHEMA schemactl OWNER TO memory_deploy")
        conn.execute("ALTER TABLE schemactl.schema_migrations OWNER TO memory_deploy")
        conn.execute("SET ROLE memory_deploy")
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
    text = subprocess.run([SCHEMACTL, "drift", "--target", schema_db, "--schema-dir", str(project / "schema"), "-q"],
                          capture_output=True, text=True, timeout=600)
    assert text.returncode == 0 and "note: left out by [tool.schemactl] drift-exclude-schemas: schema hand_made" \
        in text.stdout, text.stdout + text.stderr
    # apply leaves it alone too, and proves zero drift without it.
    applied = subprocess.run([SCHEMACTL, "apply", "--target", schema_db, "--schema-dir", str(project / "schema"),
                              "-q", "--allow-destructive"], capture_output=True, text=True, timeout=600)
    assert applied.returncode == 0, applied.stderr
    with psycopg.connect(schema_db, autocommit=True) as conn:
        assert conn.execute("SELECT to_regprocedure('hand_made.f()')").fetchone()[0] is not None


def test_text_report_names_the_planted_function(schema_db: str) -> None:
    _with_tracking(schema_db)
    with psycopg.connect(schema_db, autocommit=True) as conn:
        conn.execute(PLANTED["security_definer_function"][0])
    run = subprocess.run([SCHEMACTL, "drift", "--target", schema_db, "--schema-dir", str(SCHEMA_DIR), "-q"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 1, run.stderr
    assert "  extra    function schemactl.peek() [has_untracked_dependencies]: drop:" in run.stdout
    assert "DROP FUNCTION IF EXISTS schemactl.peek();" in run.stdout


def test_a_schema_both_declared_and_excluded_is_refused(fresh_db: str, tmp_path: Path) -> None:
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "audit.sql").write_text("CREATE SCHEMA audit;\nCREATE TABLE audit.entries (id integer);\n")
    (tmp_path / "pyproject.toml").write_text('[tool.schemactl]\ndrift-exclude-schemas = ["audit"]\n')
    with pytest.raises(InputError, match="leaves out schema audit, which .* declares"):
        check_drift(fresh_db, tmp_path / "schema")


def test_database_migrated_up_is_zero_drift(deploy_db: str) -> None:
    """`migrate up` leaves its tracking table in the tool's schema: that is no drift."""
    up = subprocess.run([SCHEMACTL, "migrate", "up", "--target", deploy_db, "--migrations-dir", str(MIGRATIONS)],
                        capture_output=True, text=True, timeout=600)
    assert up.returncode == 0, up.stderr
    code, document = _drift_json(deploy_db)
    assert code == 0, document["items"]


def test_baseline_is_refused_while_the_tool_schema_holds_more(schema_db: str, live_url: str) -> None:
    owned_by(schema_db, live_url, "memory_owner")  # the tracking rows are written by memory_deploy
    _with_tracking(schema_db)
    with psycopg.connect(schema_db, autocommit=True) as conn:
        conn.execute(PLANTED["security_definer_function"][0])
    baseline = [SCHEMACTL, "migrate", "baseline", "--target", schema_db, "--migrations-dir", str(MIGRATIONS)]
    refused = subprocess.run(baseline, capture_output=True, text=True, timeout=600)
    assert refused.returncode == 3, refused.stderr
    assert "DROP FUNCTION IF EXISTS schemactl.peek()" in refused.stderr
    with psycopg.connect(schema_db, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM schemactl.schema_migrations").fetchone()[0] == 0
        conn.execute("DROP FUNCTION schemactl.peek(); REVOKE USAGE ON SCHEMA schemactl FROM blockchain_service")
    recorded = subprocess.run(baseline, capture_output=True, text=True, timeout=600)
    assert recorded.returncode == 0, recorded.stderr


# --- offline: the comparison itself and the configuration ---------------------------------------

_RUNNER_ROWS = [
    ("schema owner", "schemactl", "", "deploy", 0),
    ("relation", "schema_migrations", "", "r", 10),
    ("table owner", "schema_migrations", "", "deploy", 0),
    *[("column", name, "schema_migrations", detail, n) for n, (name, detail) in enumerate(EXPECTED_COLUMNS.items(), 1)],
    ("constraint", "schema_migrations_pkey", "schema_migrations", "PRIMARY KEY (version)", 11),
]


def test_runner_shape_is_no_drift_and_no_schema_is_none() -> None:
    assert tool_schema_drift(_RUNNER_ROWS) == ()
    assert tool_schema_drift([]) == ()
    assert tool_schema_drift(_RUNNER_ROWS[:1]) == ()  # the schema alone


@pytest.mark.parametrize(("extra_rows", "expected"), [
    ([("table owner", "schema_migrations", "", "intruder", 0)],
     [("table", "schemactl.schema_migrations", "changed", 'ALTER TABLE "schemactl"."schema_migrations" OWNER TO "deploy";')]),
    ([("schema acl", "schemactl", "", "PUBLIC", 0)],
     [("schema", "schemactl", "changed", 'REVOKE ALL ON SCHEMA "schemactl" FROM PUBLIC CASCADE;')]),
    ([("column acl", "checksum", "schema_migrations", "app", 3)],
     [("column", "schemactl.schema_migrations.checksum", "changed",
       'REVOKE ALL ("checksum") ON TABLE "schemactl"."schema_migrations" FROM "app" CASCADE;')]),
    ([("constraint", "odd", "schema_migrations", "CHECK (true)", 12)],
     [("constraint", "odd on schemactl.schema_migrations", "extra",
       'ALTER TABLE "schemactl"."schema_migrations" DROP CONSTRAINT IF EXISTS "odd";')]),
    ([("relation", "Odd Name", "", "m", 20)],
     [("materialized view", 'schemactl."Odd Name"', "extra", 'DROP MATERIALIZED VIEW IF EXISTS "schemactl"."Odd Name";')]),
    ([("relation", "counter", "", "S", 21)],
     [("sequence", "schemactl.counter", "extra", 'DROP SEQUENCE IF EXISTS "schemactl"."counter";')]),
    ([("comment", "schema", "", "schemactl", 0)],
     [("schema", "schemactl", "changed", 'COMMENT ON SCHEMA "schemactl" IS NULL;')]),
    ([("function", "schemactl.f(integer)", "", "a", 30)],
     [("aggregate", "schemactl.f(integer)", "extra", "DROP AGGREGATE IF EXISTS schemactl.f(integer);")]),
])
def test_each_difference_is_an_item_with_its_fix(extra_rows: list, expected: list) -> None:
    found = tool_schema_drift([*_RUNNER_ROWS, *extra_rows])
    assert [(i.kind, i.name, i.state, *i.statements) for i in found] == [tuple(e) for e in expected]


def test_a_changed_runner_column_is_set_back() -> None:
    rows = [r if r[1] != "applied_by" else ("column", "applied_by", "schema_migrations", "text", 5) for r in _RUNNER_ROWS]
    rows = [r for r in rows if r[1] != "duration_ms"]
    found = {i.name: i for i in tool_schema_drift(rows)}
    assert found["schemactl.schema_migrations.applied_by"].statements == (
        'ALTER TABLE "schemactl"."schema_migrations" ALTER COLUMN "applied_by" SET NOT NULL;',
        'ALTER TABLE "schemactl"."schema_migrations" ALTER COLUMN "applied_by" SET DEFAULT CURRENT_USER;')
    assert found["schemactl.schema_migrations.duration_ms"].state == "missing"


def test_drops_run_after_what_depends_on_them() -> None:
    rows = [*_RUNNER_ROWS, ("function", "schemactl.touch()", "", "f", 40), ("type", "schemactl.mood", "", "e", 41),
            ("trigger", "touch", "schema_migrations", "", 42), ("relation", "v", "", "v", 43)]
    assert [i.kind for i in tool_schema_drift(rows)] == ["trigger", "view", "function", "type"]


@pytest.mark.parametrize(("text", "expected"), [
    ("", ()),
    ('drift-exclude-schemas = ["audit", "audit", "Reporting"]', ("audit", "Reporting")),
    ('drift-exclude-schemas = "audit"', "must be a list of schema names"),
    ('drift-exclude-schemas = [1]', "must be a list of schema names"),
    ('drift-exclude-schemas = ["schemactl"]', "cannot leave out schemactl"),
])
def test_drift_exclude_schemas_configuration(text: str, expected: object, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.schemactl]\n{text}\n")
    (tmp_path / "schema").mkdir()
    if isinstance(expected, tuple):
        assert configured_drift_exclusions(tmp_path / "schema") == expected
    else:
        with pytest.raises(InputError, match=expected):
            configured_drift_exclusions(tmp_path / "schema")


def test_fleet_drift_sees_the_tool_schema_and_names_exclusions(schema_db: str, tmp_path: Path) -> None:
    _with_tracking(schema_db)
    with psycopg.connect(schema_db, autocommit=True) as conn:
        conn.execute(PLANTED["view"][0])
        conn.execute("CREATE SCHEMA hand_made")
    project = tmp_path / "project"
    shutil.copytree(SCHEMA_DIR, project / "schema")
    (project / "pyproject.toml").write_text('[tool.schemactl]\ndrift-exclude-schemas = ["hand_made"]\n')
    run = subprocess.run([SCHEMACTL, "drift", "--schema-dir", str(project / "schema"), "--targets", "-",
                          "--format", "json", "-q"], input=f"tenant={schema_db}\n",
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 1, run.stderr
    document = json.loads(run.stdout)
    assert_valid(document, "fleet")
    [entry] = document["results"]
    assert [(i["kind"], i["name"], i["state"]) for i in entry["items"]] == PLANTED["view"][1]
    assert "hand_made" in entry["note"], entry

"""Drift against the live server: schema/ built there is no drift; each hand edit is found by name."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from schemactl.build import build_source
from schemactl.conninfo import with_dbname
from schemactl.engine import _copy_database_acl
from schemactl.drift import check_drift, drift_document
from schemactl.identity import KINDS

from drift_schema import assert_valid
from fixtures_db import SCHEMA_DIR, owned_by

SCHEMACTL = str(Path(sys.executable).parent / "schemactl")

# (edit, undo of any cluster-wide part, kind and name the report must show)
HAND_EDITS = {
    "drop_index": ("DROP INDEX memory_assets_owner_address_created_at_idx", None,
                   "memory_assets_owner_address_created_at_idx"),
    "add_column": ("ALTER TABLE memory_assets ADD COLUMN hand_added text", None, "memory_assets"),
    "change_default": ("ALTER TABLE memory_batches ALTER COLUMN status SET DEFAULT 'failed'", None,
                       "memory_batches"),
    "alter_policy": ("ALTER POLICY owner_access ON memory_assets USING (true)", None, "owner_access"),
    "drop_grant": ("REVOKE SELECT ON memory_assets FROM blockchain_service", None, "memory_assets"),
    "extra_grant": ("GRANT DELETE ON cost_tracking TO blockchain_service", None, "cost_tracking"),
    "change_comment": ("COMMENT ON TABLE merkle_trees IS 'edited by hand'", None, "merkle_trees"),
    "drop_trigger": ("DROP TRIGGER update_memory_assets_updated_at ON memory_assets", None,
                     "update_memory_assets_updated_at"),
    "drop_check": ("ALTER TABLE merkle_trees DROP CONSTRAINT merkle_trees_max_depth_range", None,
                   "merkle_trees_max_depth_range"),
    "no_force_rls": ("ALTER TABLE memory_assets NO FORCE ROW LEVEL SECURITY", None, "memory_assets"),
    "view_option": ("ALTER VIEW user_statistics SET (security_invoker = false)", None, "user_statistics"),
    "extra_table": ("CREATE TABLE hand_made (id integer PRIMARY KEY)", None, "hand_made"),
    "function_body": ("CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql "
                      "AS $$BEGIN RETURN NEW; END$$", None, "set_updated_at"),
}


@pytest.fixture(scope="module")
def schema_template(live_url: str) -> Iterator[str]:
    """schema/ built once into a template database on the live server."""
    from schemactl.load import load_path, require_parsed  # noqa: PLC0415

    name = f"sctest_drift_tpl_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(live_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        build_source(require_parsed(load_path(SCHEMA_DIR)), with_dbname(live_url, name), align_roles=True)
        yield name
    finally:
        with psycopg.connect(live_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def live_copy(live_url: str, schema_template: str) -> Iterator[str]:
    """A live database holding exactly schema/, made from the template."""
    name = f"sctest_drift_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(live_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name),
                                                                       sql.Identifier(schema_template)))
    # CREATE DATABASE ... TEMPLATE does not copy the database's own privileges (schema/ declares them).
    _copy_database_acl(with_dbname(live_url, schema_template), with_dbname(live_url, name))
    try:
        yield with_dbname(live_url, name)
    finally:
        with psycopg.connect(live_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _drift_cli(url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCHEMACTL, "drift", "--target", url, "--schema-dir", str(SCHEMA_DIR), "-q", *extra],
                          capture_output=True, text=True, timeout=600)


def test_schema_built_on_live_has_no_drift(live_copy: str) -> None:
    result = _drift_cli(live_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no drift" in result.stdout


def test_runner_tracking_table_is_not_drift(live_copy: str) -> None:
    from schemactl.schemalock import _CREATE_TRACKING  # noqa: PLC0415

    with psycopg.connect(live_copy, autocommit=True) as conn:
        for statement in _CREATE_TRACKING:
            conn.execute(statement)
    result = check_drift(live_copy, SCHEMA_DIR)
    assert result.zero, [i.as_dict() for i in result.items]


@pytest.mark.parametrize("edit", sorted(HAND_EDITS))
def test_hand_edit_is_reported_by_name(edit: str, live_copy: str) -> None:
    statement, undo, name = HAND_EDITS[edit]
    with psycopg.connect(live_copy, autocommit=True) as conn:
        conn.execute(statement)
    try:
        result = check_drift(live_copy, SCHEMA_DIR)
    finally:
        if undo:
            with psycopg.connect(live_copy, autocommit=True) as conn:
                conn.execute(undo)
    assert not result.zero
    named = [item for item in result.items if name in item.name or name in item.fix]
    assert named, f"{name} not in {[i.as_dict() for i in result.items]}"
    # One item an object, each a real object with one spelling, and the JSON follows the schema.
    keys = [(i.kind, i.name) for i in result.items]
    assert len(keys) == len(set(keys)) and all(kind in KINDS and name for kind, name in keys), keys
    assert_valid(drift_document(result), "target")
    # The fix is verified: applied to a copy it returns to schema/.
    assert result.plan is not None and result.plan.verified, result.note


def test_role_edit_is_reported_by_name(fresh_db: str, live_url: str, dev_server, tmp_path: Path) -> None:
    """A hand-edited role attribute is drift. Roles are cluster-wide, so the edit is made to a role
    of this test's own: other tests checking schema/ at the same time must not see it."""
    from schemactl.load import load_path, require_parsed  # noqa: PLC0415

    role = f"sc_drift_probe_{os.getpid()}_{secrets.token_hex(3)}"
    schema = tmp_path / "schema"
    schema.mkdir()
    (schema / "probe.sql").write_text(f"CREATE ROLE {role} NOLOGIN;\nCREATE TABLE probe (id integer);\n")
    try:
        build_source(require_parsed(load_path(schema)), fresh_db, align_roles=True)
        with psycopg.connect(fresh_db, autocommit=True) as conn:
            conn.execute(sql.SQL("ALTER ROLE {} CREATEDB").format(sql.Identifier(role)))
        result = check_drift(fresh_db, schema)
        assert [(i.kind, i.name, i.state) for i in result.items] == [("role", role, "changed")], \
            [i.as_dict() for i in result.items]
        assert_valid(drift_document(result), "target")
        assert result.plan is not None and result.plan.verified, result.note
    finally:
        for url in (live_url, dev_server.url):
            with psycopg.connect(url, autocommit=True) as conn:
                with contextlib.suppress(psycopg.Error):  # still used by a cached template: harmless there
                    conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_drift_report_formats_and_exit_code(live_copy: str) -> None:
    with psycopg.connect(live_copy, autocommit=True) as conn:
        conn.execute("DROP INDEX memory_batches_created_date_idx")
    text = _drift_cli(live_copy)
    assert text.returncode == 1, text.stderr
    assert "differs from schema/ in 1 object\n" in text.stdout
    assert "missing  index public.memory_batches_created_date_idx [index_build]" in text.stdout
    assert "CREATE INDEX memory_batches_created_date_idx" in text.stdout
    as_json = _drift_cli(live_copy, "--format", "json")
    assert as_json.returncode == 1
    report = json.loads(as_json.stdout)
    assert_valid(report, "target")
    assert report["drift"] is True
    assert any(i["state"] == "missing" and "memory_batches_created_date_idx" in i["name"] for i in report["items"])
    markdown = _drift_cli(live_copy, "--format", "markdown")
    assert markdown.returncode == 1
    assert "| kind | object | state | hazards | how |" in markdown.stdout
    assert "```sql" in markdown.stdout


def test_apply_fixes_drift(live_copy: str, live_url: str) -> None:
    owned_by(live_copy, live_url, "memory_owner")  # apply runs as memory_deploy, which acts as the owner
    with psycopg.connect(live_copy, autocommit=True) as conn:
        conn.execute("DROP INDEX memory_assets_owner_address_created_at_idx")
        conn.execute("COMMENT ON TABLE merkle_trees IS 'edited by hand'")
    applied = subprocess.run([SCHEMACTL, "apply", "--target", live_copy, "--schema-dir", str(SCHEMA_DIR), "-q"],
                             capture_output=True, text=True, timeout=600)
    assert applied.returncode == 0, applied.stderr
    assert _drift_cli(live_copy).returncode == 0


def test_function_body_change_is_one_item(live_copy: str) -> None:
    with psycopg.connect(live_copy, autocommit=True) as conn:
        conn.execute("CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql "
                     "AS $$BEGIN RETURN NEW; END$$")
    run = _drift_cli(live_copy, "--format", "json")
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)
    assert_valid(report, "target")
    assert [(i["kind"], i["name"], i["state"]) for i in report["items"]] == [
        ("function", "public.set_updated_at()", "changed")]
    item = report["items"][0]
    assert item["hazards"] == ["has_untracked_dependencies"]
    assert [s.split("(")[0] for s in item["statements"]] == ["CREATE OR REPLACE FUNCTION public.set_updated_at"]
    # The session setting migra puts before a function stays in the fix script, as no item.
    assert "check_function_bodies" in report["fix"]
    text = _drift_cli(live_copy)
    assert "in 1 object\n" in text.stdout and "VariableSetStmt" not in text.stdout


def test_policy_change_is_one_item_fixed_by_alter_policy(live_copy: str) -> None:
    with psycopg.connect(live_copy, autocommit=True) as conn:
        conn.execute("ALTER POLICY owner_access ON memory_assets USING (true)")
    result = check_drift(live_copy, SCHEMA_DIR)
    assert [(i.kind, i.name, i.state) for i in result.items] == [
        ("policy", "owner_access on public.memory_assets", "changed")]
    assert [s.split()[:2] for s in result.items[0].statements] == [["ALTER", "POLICY"]]
    assert result.items[0].hazards == ("authorization",)
    assert result.plan is not None and result.plan.verified, result.note
    assert_valid(drift_document(result), "target")


def test_extra_column_with_data_is_one_item_that_deletes_data(live_copy: str) -> None:
    with psycopg.connect(live_copy, autocommit=True) as conn:
        conn.execute('CREATE TABLE "Hand Made" (id integer PRIMARY KEY, note text)')
        conn.execute("""INSERT INTO "Hand Made" VALUES (1, 'kept by hand')""")
        conn.execute("INSERT INTO merkle_trees (tree_address, authority_address, max_depth, max_buffer_size) "
                     "VALUES (repeat('1', 32), repeat('2', 32), 14, 64)")
        conn.execute("ALTER TABLE merkle_trees ADD COLUMN hand_note text DEFAULT 'typed by hand'")
    result = check_drift(live_copy, SCHEMA_DIR)
    items = {(i.kind, i.name): i for i in result.items}
    assert set(items) == {("column", "public.merkle_trees.hand_note"), ("table", 'public."Hand Made"')}, items
    table = items[("table", 'public."Hand Made"')]
    # The table's primary key (a constraint and its index) goes with the table: one item.
    assert table.state == "extra" and "deletes_data" in table.hazards and len(table.statements) >= 1
    column = items[("column", "public.merkle_trees.hand_note")]
    assert column.state == "extra" and "deletes_data" in column.hazards, column
    report = drift_document(result)
    assert_valid(report, "target")
    assert {i["name"]: i["hazards"] for i in report["items"]}["public.merkle_trees.hand_note"] == [
        "access_exclusive_lock", "deletes_data"]
    refused = subprocess.run([SCHEMACTL, "apply", "--target", live_copy, "--schema-dir", str(SCHEMA_DIR), "-q"],
                             capture_output=True, text=True, timeout=600)
    assert refused.returncode == 3, refused.stderr
    assert "hand_note" in refused.stderr and "Hand Made" in refused.stderr

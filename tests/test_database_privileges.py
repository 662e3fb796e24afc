"""GRANT/REVOKE ... ON DATABASE in schema/: the configured name stands for whichever database is deployed to."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemactl.apply import converge
from schemactl.conninfo import connect, dbname_of
from schemactl.engine import Workspace, zero_drift
from schemactl.load import load_path
from schemactl.validate import validate_source

SCHEMA = """
CREATE ROLE sc_dbacl_app NOLOGIN;
REVOKE CONNECT, TEMPORARY ON DATABASE memory_platform FROM PUBLIC;
GRANT CONNECT ON DATABASE memory_platform TO sc_dbacl_app;

CREATE TABLE item (
    id integer CONSTRAINT item_pkey PRIMARY KEY
);
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder: pyproject.toml naming the database, and schema/."""
    (tmp_path / "pyproject.toml").write_text('[tool.schemactl]\ndatabase = "memory_platform"\n')
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "database.sql").write_text(SCHEMA)
    return tmp_path


def _datacl(url: str) -> set[tuple[str, str]]:
    with connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type "
            "FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a "
            "WHERE d.datname = current_database() AND a.grantee <> d.datdba").fetchall()
    return set(rows)


def test_build_diff_and_drift_converge_on_a_database_with_another_name(project: Path, fresh_db: str,
                                                                       dev_server) -> None:
    assert validate_source(load_path(project / "schema")) == []
    name = dbname_of(fresh_db)
    assert name != "memory_platform"
    with Workspace(dev_url=dev_server.url) as ws:
        desired = ws.open(str(project / "schema"), label="desired")
        # The scratch build has another name again, and got the privileges itself.
        assert _datacl(desired.url) == {("sc_dbacl_app", "CONNECT")}
        plan = converge(ws, fresh_db, desired, allow_destructive=True)
        database_changes = [c.sql for c in plan.changes if c.object == "database (current)"]
        assert len(database_changes) == 3  # REVOKE CONNECT, REVOKE TEMPORARY, GRANT CONNECT
        for text in database_changes + [r.sql for r in plan.rollback]:
            assert name not in text and "memory_platform" not in text
        assert all("current_database()" in text for text in database_changes)
        assert _datacl(fresh_db) == {("sc_dbacl_app", "CONNECT")}
        report = zero_drift(ws, ws.open(fresh_db, label="live", declared_roles=desired.roles), desired)
        assert report.zero, (report.changes, report.dump_lines)

        # Hand-edited privileges on the database are drift to both checks.
        with connect(fresh_db, autocommit=True) as conn:
            conn.execute(f'GRANT TEMPORARY ON DATABASE "{name}" TO PUBLIC')
        report = zero_drift(ws, ws.open(fresh_db, label="live", declared_roles=desired.roles), desired)
        assert [c.action for c in report.changes] == ["revoke"]
        assert "current_database()" in report.changes[0].sql
        assert any("ON DATABASE" in line and "TEMPORARY" in line for line in report.dump_lines), report.dump_lines
        converge(ws, fresh_db, desired, allow_destructive=True)
        assert _datacl(fresh_db) == {("sc_dbacl_app", "CONNECT")}
        assert zero_drift(ws, ws.open(fresh_db, label="live", declared_roles=desired.roles), desired).zero

        # The rollback of the first plan restores PostgreSQL's default: PUBLIC may connect again.
        with connect(fresh_db, autocommit=True) as conn:
            for change in plan.rollback:
                conn.execute(change.sql)
        assert ("PUBLIC", "CONNECT") in _datacl(fresh_db) and ("PUBLIC", "TEMPORARY") in _datacl(fresh_db)


def test_validate_rejects_another_database_name_and_a_missing_setting(project: Path, tmp_path: Path) -> None:
    (project / "schema" / "other.sql").write_text("GRANT CONNECT ON DATABASE staging TO PUBLIC;\n")
    messages = [f.render() for f in validate_source(load_path(project / "schema", display_base=project))]
    assert messages == ["schema/other.sql:1:1: SC014 GRANT ... ON DATABASE staging: schema/ names the database "
                        "deployed to as memory_platform ([tool.schemactl] database in pyproject.toml)"]
    (project / "pyproject.toml").write_text("[tool.schemactl]\n")
    messages = [f.render() for f in validate_source(load_path(project / "schema", display_base=project))]
    assert len(messages) == 3 and all("SC014" in m and "[tool.schemactl] database" in m for m in messages)

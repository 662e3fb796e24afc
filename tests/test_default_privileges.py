"""Default privileges (ALTER DEFAULT PRIVILEGES) are declared, diffed and checked by both zero-drift checks."""

from __future__ import annotations

from pathlib import Path

from schemactl.apply import converge
from schemactl.conninfo import connect
from schemactl.engine import Workspace, zero_drift

CASE = Path(__file__).parent / "cases" / "diff" / "401_default_privileges" / "after.sql"


def test_default_privilege_drift_is_seen_by_both_checks_and_fixed(fresh_db: str, dev_server) -> None:
    with Workspace(dev_url=dev_server.url) as ws:
        desired = ws.open(str(CASE), label="desired")
        converge(ws, fresh_db, desired, allow_destructive=True)
        assert zero_drift(ws, ws.open(fresh_db, label="live", declared_roles=desired.roles), desired).zero
        with connect(fresh_db, autocommit=True) as conn:
            # The REVOKE left a pg_default_acl row; functions created now are not executable by PUBLIC.
            rows = conn.execute("SELECT count(*) FROM pg_default_acl WHERE defaclobjtype = 'f'").fetchone()[0]
            assert rows == 2
            conn.execute("CREATE FUNCTION probe() RETURNS int LANGUAGE sql AS 'SELECT 1'")
            assert not conn.execute("SELECT has_function_privilege('public', 'probe()', 'EXECUTE')").fetchone()[0]
            conn.execute("DROP FUNCTION probe()")
            # Someone restores the built-in default by hand: drift.
            conn.execute("ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC")
        report = zero_drift(ws, ws.open(fresh_db, label="live", declared_roles=desired.roles), desired)
        assert [c.sql for c in report.changes] == ["ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;"]
        assert any("DEFAULT PRIVILEGES" in line and "FUNCTIONS" in line for line in report.dump_lines), \
            report.dump_lines
        converge(ws, fresh_db, desired, allow_destructive=True)
        assert zero_drift(ws, ws.open(fresh_db, label="live", declared_roles=desired.roles), desired).zero


def test_extra_default_privileges_on_the_target_are_revoked(fresh_db: str, dev_server) -> None:
    with Workspace(dev_url=dev_server.url) as ws:
        desired = ws.open(str(CASE), label="desired")
        converge(ws, fresh_db, desired, allow_destructive=True)
        with connect(fresh_db, autocommit=True) as conn:
            conn.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT DELETE ON TABLES TO PUBLIC")
        report = zero_drift(ws, ws.open(fresh_db, label="live", declared_roles=desired.roles), desired)
        assert [c.sql for c in report.changes] == [
            'ALTER DEFAULT PRIVILEGES IN SCHEMA "public" REVOKE DELETE ON TABLES FROM PUBLIC;']
        assert report.dump_lines
        converge(ws, fresh_db, desired, allow_destructive=True)
        assert zero_drift(ws, ws.open(fresh_db, label="live", declared_roles=desired.roles), desired).zero

"""apply: plan under a lock, one transaction, zero drift after; failures leave the target as it was."""

from __future__ import annotations

import io
from pathlib import Path

import psycopg
import pytest

from schemactl.apply import apply_schema
from schemactl.cli import parse_args, run
from schemactl.engine import Workspace, dump_schema, zero_drift
from schemactl.errors import EXIT_DIFFERENCES, EXIT_OK, EXIT_REFUSED, SchemactlError

BASE = """
CREATE TABLE wallets (
    wallet_address text PRIMARY KEY,
    lamports bigint NOT NULL DEFAULT 0
);
COMMENT ON TABLE wallets IS 'known wallets';
"""


def _schema(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "schema.sql").write_text(text)
    return folder


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return run(parse_args(list(argv)), out, err), out.getvalue(), err.getvalue()


def _state(url: str, dev_server) -> str:
    return dump_schema(url, dev_server, owners=True)


def test_apply_reaches_zero_drift_and_is_idempotent(tmp_path: Path, fresh_db: str, dev_server) -> None:
    schema = _schema(tmp_path, "v1", BASE)
    outcome = apply_schema(fresh_db, schema, dev_url=dev_server.url)
    assert not outcome.plan.empty and outcome.plan.verified
    with Workspace(dev_url=dev_server.url) as ws:
        desired = ws.open(str(schema), label="desired")
        assert zero_drift(ws, ws.open(fresh_db, label="t", declared_roles=desired.roles), desired).zero
    again = apply_schema(fresh_db, schema, dev_url=dev_server.url)
    assert again.plan.empty


def test_dry_run_changes_nothing(tmp_path: Path, fresh_db: str, dev_server) -> None:
    schema = _schema(tmp_path, "v1", BASE)
    before = _state(fresh_db, dev_server)
    code, out, _ = _cli("apply", "-q", "--dry-run", "--target", fresh_db, "--schema-dir", str(schema),
                        "--dev-url", dev_server.url)
    assert code == EXIT_DIFFERENCES
    assert "CREATE TABLE" in out.upper() and "BEGIN;" in out
    assert _state(fresh_db, dev_server) == before


def test_destructive_apply_is_refused_and_target_untouched(tmp_path: Path, fresh_db: str, dev_server) -> None:
    apply_schema(fresh_db, _schema(tmp_path, "v1", BASE), dev_url=dev_server.url)
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute("INSERT INTO wallets VALUES ('A', 5)")
    smaller = _schema(tmp_path, "v2", "CREATE TABLE wallets (wallet_address text PRIMARY KEY);\n"
                      "COMMENT ON TABLE wallets IS 'known wallets';\n")
    before = _state(fresh_db, dev_server)
    code, _, err = _cli("apply", "-q", "--target", fresh_db, "--schema-dir", str(smaller), "--dev-url", dev_server.url)
    assert code == EXIT_REFUSED, err
    assert _state(fresh_db, dev_server) == before
    code, _, err = _cli("apply", "-q", "--allow-destructive", "--target", fresh_db, "--schema-dir", str(smaller),
                        "--dev-url", dev_server.url)
    assert code == EXIT_OK, err


def test_failure_inside_transaction_leaves_target_as_it_was(tmp_path: Path, fresh_db: str, dev_server) -> None:
    apply_schema(fresh_db, _schema(tmp_path, "v1", BASE), dev_url=dev_server.url)
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute("INSERT INTO wallets VALUES ('A', 5)")
    # A NOT NULL column without a default cannot be added to a table that has rows.
    broken = _schema(tmp_path, "v2", BASE.replace("DEFAULT 0\n", "DEFAULT 0,\n    label text NOT NULL\n")
                     + "CREATE INDEX wallets_lamports ON wallets (lamports);\n")
    before = _state(fresh_db, dev_server)
    with pytest.raises(SchemactlError):
        apply_schema(fresh_db, broken, dev_url=dev_server.url)
    assert _state(fresh_db, dev_server) == before
    with psycopg.connect(fresh_db) as conn:
        assert conn.execute("SELECT count(*) FROM wallets").fetchone()[0] == 1


def test_failed_online_step_is_undone(tmp_path: Path, fresh_db: str, dev_server) -> None:
    apply_schema(fresh_db, _schema(tmp_path, "v1", BASE), dev_url=dev_server.url)
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute("INSERT INTO wallets VALUES ('A', 5)")
    # Rows exist, so the CHECK is added NOT VALID and validated afterwards: validation fails.
    checked = _schema(tmp_path, "v2", BASE.replace(
        "DEFAULT 0\n", "DEFAULT 0,\n    CONSTRAINT wallets_lamports_small CHECK (lamports < 3)\n"))
    before = _state(fresh_db, dev_server)
    with pytest.raises(SchemactlError, match="rolled back"):
        apply_schema(fresh_db, checked, dev_url=dev_server.url)
    assert _state(fresh_db, dev_server) == before


def test_online_forms_where_rows_exist(tmp_path: Path, fresh_db: str, dev_server) -> None:
    apply_schema(fresh_db, _schema(tmp_path, "v1", BASE), dev_url=dev_server.url)
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute("INSERT INTO wallets VALUES ('A', 5)")
    target = _schema(tmp_path, "v2", BASE.replace(
        "DEFAULT 0\n", "DEFAULT 0,\n    CONSTRAINT wallets_lamports_nonnegative CHECK (lamports >= 0)\n")
        + "CREATE INDEX wallets_lamports ON wallets (lamports);\n")
    code, out, err = _cli("apply", "-q", "--dry-run", "--target", fresh_db, "--schema-dir", str(target),
                          "--dev-url", dev_server.url)
    assert code == EXIT_DIFFERENCES, err
    assert "SET lock_timeout" in out and "SET statement_timeout" in out
    transaction, _, online = out.partition("COMMIT;")
    assert "not valid" in transaction.lower()
    assert "CREATE INDEX CONCURRENTLY" in online and "validate constraint" in online.lower()
    outcome = apply_schema(fresh_db, target, dev_url=dev_server.url)
    assert {"not_transactional", "index_build"} <= set(outcome.plan.hazards)
    with psycopg.connect(fresh_db) as conn:
        valid = conn.execute("SELECT convalidated FROM pg_constraint WHERE conname = 'wallets_lamports_nonnegative'")
        assert valid.fetchone()[0] is True

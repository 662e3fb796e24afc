"""apply: plan under a lock, one transaction, zero drift after; failures leave the target as it was."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
import time
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
    # The refusal names what would be lost.
    assert "deletes_data" in err and "wallets column lamports" in err, err
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


def test_quiet_apply_prints_nothing_but_errors(tmp_path: Path, fresh_db: str, dev_server) -> None:
    code, out, err = _cli("apply", "-q", "--target", fresh_db, "--schema-dir", str(_schema(tmp_path, "v1", BASE)),
                          "--dev-url", dev_server.url)
    assert (code, out, err) == (EXIT_OK, "", "")
    code, out, err = _cli("apply", "-q", "--target", fresh_db, "--schema-dir", str(tmp_path / "missing"),
                          "--dev-url", dev_server.url)
    assert code == 2 and out == "" and "missing" in err


SCHEMACTL = str(Path(sys.executable).parent / "schemactl")


def test_waiting_apply_names_the_lock_and_its_holder(tmp_path: Path, fresh_db: str, dev_server) -> None:
    apply_schema(fresh_db, _schema(tmp_path, "v1", BASE), dev_url=dev_server.url)
    wider = _schema(tmp_path, "v2", BASE.replace("DEFAULT 0\n", "DEFAULT 0,\n    label text\n"))
    with psycopg.connect(fresh_db) as holder:
        # Another run's lock session: the tracking table locked in an open transaction.
        holder.execute("LOCK TABLE schemactl.schema_migrations IN SHARE UPDATE EXCLUSIVE MODE")
        waiting = subprocess.Popen([SCHEMACTL, "apply", "--target", fresh_db, "--schema-dir", str(wider),
                                    "--dev-url", dev_server.url], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(waiting.stderr), daemon=True)
        reader.start()
        deadline = time.monotonic() + 120
        while not any("waiting for" in line for line in lines) and time.monotonic() < deadline:
            assert waiting.poll() is None, "".join(lines)
            time.sleep(0.2)
        holder.rollback()
        said = [line for line in lines if "waiting for" in line]
        assert said and "the schema lock" in said[0] and f"held by pid {holder.info.backend_pid} " in said[0], lines
    assert waiting.wait(timeout=300) == EXIT_OK
    reader.join(timeout=10)
    assert "zero drift verified" in waiting.stdout.read()


def test_lock_timeout_names_the_session_holding_the_table(tmp_path: Path, fresh_db: str, dev_server) -> None:
    apply_schema(fresh_db, _schema(tmp_path, "v1", BASE), dev_url=dev_server.url)
    wider = _schema(tmp_path, "v2", BASE.replace("DEFAULT 0\n", "DEFAULT 0,\n    label text\n"))
    before = _state(fresh_db, dev_server)
    with psycopg.connect(fresh_db) as holder:
        holder.execute("LOCK TABLE wallets IN ACCESS SHARE MODE")  # an open transaction reading the table
        code, _, err = _cli("apply", "-q", "--target", fresh_db, "--schema-dir", str(wider),
                            "--dev-url", dev_server.url)
        pid = holder.info.backend_pid
    assert code == 2, err
    assert "lock timeout" in err and f"on public.wallets, held by pid {pid} " in err, err
    assert _state(fresh_db, dev_server) == before

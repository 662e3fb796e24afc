"""Versioned migrations: manifest, `migrate new`, and the runner (up, status, down, reset) on real PostgreSQL."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from schemactl.cli import parse_args, run
from schemactl.engine import Workspace, dump_schema, zero_drift
from schemactl.errors import EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK, EXIT_REFUSED, InputError
from schemactl.migrations.history import history_side
from schemactl.migrations.manifest import MANIFEST_NAME, manifest_text, verify_manifest, write_manifest
from schemactl.migrations.script import parse_script

REPO = Path(__file__).resolve().parent.parent
REAL_HISTORY = REPO / "generated" / "migrations"

READER = "sctest_migrate_reader"

V1 = f"""
CREATE ROLE {READER} NOLOGIN;
CREATE TABLE wallets (
    wallet_address text PRIMARY KEY,
    lamports bigint NOT NULL DEFAULT 0 CHECK (lamports >= 0)
);
CREATE INDEX wallets_lamports_idx ON wallets (lamports);
CREATE VIEW rich_wallets AS SELECT wallet_address FROM wallets WHERE lamports > 1000;
COMMENT ON TABLE wallets IS 'known wallets';
GRANT SELECT ON wallets TO {READER};
"""

# v2 adds a column, a table with a foreign key, and an index; nothing is dropped.
V2 = V1 + """
ALTER TABLE wallets ADD COLUMN label text;
CREATE TABLE transfers (
    transfer_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_address text NOT NULL REFERENCES wallets (wallet_address),
    lamports bigint NOT NULL CHECK (lamports > 0)
);
CREATE INDEX transfers_from_idx ON transfers (from_address);
"""

# v3 drops a column: destructive.
V3 = V2.replace("ALTER TABLE wallets ADD COLUMN label text;\n", "")


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return run(parse_args(list(argv)), out, err), out.getvalue(), err.getvalue()


def _schema(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "schema.sql").write_text(text)
    return folder


def _copy(history: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(history, tmp_path / "migrations"))


def _matches(url: str, schema_dir: Path, dev_url: str) -> bool:
    with Workspace(dev_url=dev_url) as ws:
        ws.dev()
        desired = ws.open(str(schema_dir), label="desired")
        return zero_drift(ws, ws.open(url, label="target", declared_roles=desired.roles), desired).zero


def _tracked(url: str) -> list[tuple[str, str]]:
    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('schemactl.schema_migrations')").fetchone()[0] is None:
            return []
        return conn.execute("SELECT version, name FROM schemactl.schema_migrations ORDER BY version").fetchall()


def _user_objects(url: str) -> list[str]:
    """Relations, functions and schemas a migration could have left behind (the tool's own schema aside)."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute("""
            SELECT 'relation ' || c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'schemactl') AND n.nspname !~ '^pg_toast'
            UNION ALL
            SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
            UNION ALL
            SELECT 'schema ' || nspname FROM pg_namespace
             WHERE nspname NOT IN ('public', 'schemactl', 'information_schema') AND nspname !~ '^pg_'
            ORDER BY 1""").fetchall()
    return [r[0] for r in rows]


def _write_pair(folder: Path, stem: str, forward: str, rollback: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.sql").write_text(forward)
    (folder / f"{stem}_rollback.sql").write_text(rollback)
    write_manifest(folder)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory, dev_server) -> dict[str, Path]:
    """Two migrations written by `migrate new`: 001 (empty → v1) and 002 (v1 → v2)."""
    root = tmp_path_factory.mktemp("history")
    v1, v2, v3 = _schema(root / "v1", V1), _schema(root / "v2", V2), _schema(root / "v3", V3)
    migrations = root / "migrations"
    for name, schema in (("create_wallets", v1), ("add_transfers", v2)):
        code, out, err = _cli("migrate", "new", name, "--schema-dir", str(schema), "--migrations-dir",
                              str(migrations), "--dev-url", dev_server.url)
        assert code == EXIT_OK, err
    return {"migrations": migrations, "v1": v1, "v2": v2, "v3": v3}


# --- the manifest ---------------------------------------------------------------------


def _manifest_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "m"
    _write_pair(folder, "001_a", "CREATE TABLE a (id int);\n", "DROP TABLE a;\n")
    _write_pair(folder, "002_b", "CREATE TABLE b (id int);\n", "DROP TABLE b;\n")
    return folder


def test_manifest_lists_every_file_in_order_under_a_total_checksum(tmp_path: Path) -> None:
    folder = _manifest_dir(tmp_path)
    lines = (folder / MANIFEST_NAME).read_text().splitlines()
    assert lines[0].startswith("h1:") and len(lines[0]) == 3 + 44
    assert [line.split()[0] for line in lines[1:]] == ["001_a.sql", "001_a_rollback.sql", "002_b.sql",
                                                       "002_b_rollback.sql"]
    assert verify_manifest(folder) == []
    assert manifest_text(folder) == (folder / MANIFEST_NAME).read_text()


def test_manifest_names_edited_missing_and_unlisted_files(tmp_path: Path) -> None:
    folder = _manifest_dir(tmp_path)
    (folder / "001_a.sql").write_text("CREATE TABLE a (id bigint);\n")
    (folder / "002_b_rollback.sql").unlink()
    (folder / "003_c.sql").write_text("SELECT 1;\n")
    problems = verify_manifest(folder)
    assert any(p.startswith("edited file 001_a.sql") for p in problems), problems
    assert any(p.startswith("missing file 002_b_rollback.sql") for p in problems), problems
    assert any(p.startswith("unlisted file 003_c.sql") for p in problems), problems
    assert len(problems) == 3


def test_manifest_notices_reordering_and_hand_edits(tmp_path: Path) -> None:
    folder = _manifest_dir(tmp_path)
    path = folder / MANIFEST_NAME
    total, *entries = path.read_text().splitlines(keepends=True)
    path.write_text(total + "".join([entries[2], entries[3], entries[0], entries[1]]))
    problems = verify_manifest(folder)
    assert any("was edited by hand" in p for p in problems), problems
    assert any(p.startswith("reordered: 002_b") for p in problems), problems
    path.unlink()
    assert verify_manifest(folder) == [f"{MANIFEST_NAME} is missing but 4 migration files exist"]
    assert verify_manifest(tmp_path / "nowhere") == []


# --- files ----------------------------------------------------------------------------


def test_rendered_migration_splits_into_settings_transaction_and_online_steps(tmp_path: Path) -> None:
    path = tmp_path / "001_x.sql"
    path.write_text("-- x\nSET lock_timeout = '5s';\nBEGIN;\nCREATE TABLE t (a int);\n"
                    "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\nCOMMIT;\n"
                    "CREATE INDEX CONCURRENTLY t_a_idx ON t (a);\n")
    script = parse_script(path)
    assert [s.line for s in script.settings] == [2]
    assert [s.sql.split()[1] for s in script.transactional] == ["TABLE", "FUNCTION"]
    assert [s.line for s in script.online] == [7]


@pytest.mark.parametrize("text, message", [
    ("BEGIN;\nCREATE TABLE t (a int);\n", "BEGIN without COMMIT"),
    ("CREATE TABLE t (a int);\nROLLBACK;\n", ":2: ROLLBACK is not allowed"),
    ("BEGIN;\nCOMMIT;\nBEGIN;\nCOMMIT;\n", ":3: only one BEGIN"),
    ("CREATE TABLE (;\n", "not valid SQL"),
], ids=["unterminated", "rollback", "two-blocks", "syntax"])
def test_malformed_migration_files_are_input_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "001_x.sql"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        parse_script(path)


# --- migrate new and the history --------------------------------------------------------


def test_new_writes_a_numbered_pair_and_refreshes_the_manifest(history: dict[str, Path]) -> None:
    folder = history["migrations"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "001_create_wallets.sql", "001_create_wallets_rollback.sql",
        "002_add_transfers.sql", "002_add_transfers_rollback.sql", MANIFEST_NAME]
    assert verify_manifest(folder) == []
    forward = (folder / "002_add_transfers.sql").read_text()
    assert "SET lock_timeout" in forward and "BEGIN;" in forward and "COMMIT;" in forward
    assert 'add column "label" text' in forward
    assert 'drop table "public"."transfers"' in (folder / "002_add_transfers_rollback.sql").read_text()
    # The role is created through a DO block; the replayed history must still count it as created.
    assert READER in (folder / "001_create_wallets.sql").read_text()


def test_new_with_nothing_to_migrate_exits_1_and_writes_nothing(history: dict[str, Path], tmp_path: Path,
                                                                dev_server) -> None:
    folder = _copy(history["migrations"], tmp_path)
    before = sorted(p.name for p in folder.iterdir())
    code, _, err = _cli("migrate", "new", "again", "--schema-dir", str(history["v2"]), "--migrations-dir",
                        str(folder), "--dev-url", dev_server.url)
    assert code == EXIT_DIFFERENCES, err
    assert "nothing to migrate" in err
    assert sorted(p.name for p in folder.iterdir()) == before


def test_new_refuses_a_destructive_migration_unless_allowed(history: dict[str, Path], tmp_path: Path,
                                                            dev_server) -> None:
    folder = _copy(history["migrations"], tmp_path)
    argv = ["migrate", "new", "drop_label", "--schema-dir", str(history["v3"]), "--migrations-dir", str(folder),
            "--dev-url", dev_server.url]
    code, _, err = _cli(*argv)
    assert code == EXIT_REFUSED, err
    assert "deletes_data" in err and "--allow-destructive" in err
    assert not (folder / "003_drop_label.sql").exists()
    code, _, err = _cli(*argv, "--allow-destructive")
    assert code == EXIT_OK, err
    assert 'drop column "label"' in (folder / "003_drop_label.sql").read_text()
    assert verify_manifest(folder) == []


def test_new_with_the_newest_name_writes_that_migration_again(history: dict[str, Path], tmp_path: Path,
                                                               dev_server) -> None:
    folder = _copy(history["migrations"], tmp_path)
    original = (folder / "002_add_transfers.sql").read_text()
    argv = ["migrate", "new", "add_transfers", "--migrations-dir", str(folder), "--dev-url", dev_server.url]
    code, _, err = _cli(*argv, "--schema-dir", str(history["v3"]))
    assert code == EXIT_OK, err
    rewritten = (folder / "002_add_transfers.sql").read_text()
    assert '"label"' not in rewritten and '"transfers"' in rewritten
    assert not list(folder.glob("003_*")) and verify_manifest(folder) == []
    # Deterministic: the same inputs write the same bytes.
    code, _, err = _cli(*argv, "--schema-dir", str(history["v2"]))
    assert code == EXIT_OK, err
    assert (folder / "002_add_transfers.sql").read_text() == original
    code, _, err = _cli("migrate", "new", "create_wallets", "--migrations-dir", str(folder), "--dev-url",
                        dev_server.url, "--schema-dir", str(history["v3"]))
    assert code == EXIT_ERROR and "is not the newest" in err


def test_new_refuses_a_history_that_does_not_match_its_manifest(history: dict[str, Path], tmp_path: Path,
                                                                dev_server) -> None:
    folder = _copy(history["migrations"], tmp_path)
    with (folder / "002_add_transfers.sql").open("a") as handle:
        handle.write("-- a late edit\n")
    code, _, err = _cli("migrate", "new", "x", "--schema-dir", str(history["v3"]), "--migrations-dir", str(folder),
                        "--dev-url", dev_server.url)
    assert code == EXIT_REFUSED
    assert "edited file 002_add_transfers.sql" in err


def test_history_side_replays_the_migrations(history: dict[str, Path], tmp_path: Path, dev_server) -> None:
    with Workspace(dev_url=dev_server.url) as ws:
        ws.dev()
        desired = ws.open(str(history["v2"]), label="desired")
        side = history_side(ws, history["migrations"], declared_roles=desired.roles)
        assert set(side.roles) == {READER}
        assert zero_drift(ws, side, desired).zero
        empty = tmp_path / "empty"
        empty.mkdir()
        assert _user_objects(history_side(ws, empty).url) == []


# --- the runner ------------------------------------------------------------------------


def test_up_status_down_round_trip(history: dict[str, Path], fresh_db: str, dev_server) -> None:
    folder = str(history["migrations"])
    initial = dump_schema(fresh_db, dev_server)
    code, out, _ = _cli("migrate", "status", "--target", fresh_db, "--migrations-dir", folder)
    assert code == EXIT_DIFFERENCES
    assert "pending  001_create_wallets" in out and "pending  002_add_transfers" in out

    code, out, err = _cli("migrate", "up", "--target", fresh_db, "--migrations-dir", folder)
    assert code == EXIT_OK, err
    assert "applied 001_create_wallets" in out and "applied 002_add_transfers" in out
    assert "applying 001_create_wallets" in err  # progress goes to stderr
    assert _matches(fresh_db, history["v2"], dev_server.url)
    assert _tracked(fresh_db) == [("001", "create_wallets"), ("002", "add_transfers")]
    code, out, _ = _cli("migrate", "status", "--target", fresh_db, "--migrations-dir", folder)
    assert code == EXIT_OK
    assert "applied  001_create_wallets" in out and "applied  002_add_transfers" in out and "pending" not in out

    code, out, err = _cli("migrate", "down", "--target", fresh_db, "--migrations-dir", folder)
    assert code == EXIT_OK, err
    assert out.splitlines() == ["rolled back 002_add_transfers"]
    assert _matches(fresh_db, history["v1"], dev_server.url)

    code, _, err = _cli("migrate", "down", "001_create_wallets", "--target", fresh_db, "--migrations-dir", folder)
    assert code == EXIT_OK, err
    assert _tracked(fresh_db) == []
    assert _user_objects(fresh_db) == []
    assert dump_schema(fresh_db, dev_server) == initial

    code, _, err = _cli("migrate", "up", "--target", fresh_db, "--migrations-dir", folder)
    assert code == EXIT_OK, err
    assert _matches(fresh_db, history["v2"], dev_server.url)
    code, out, _ = _cli("migrate", "up", "--target", fresh_db, "--migrations-dir", folder)
    assert code == EXIT_OK and "nothing to apply" in out


def test_down_that_drops_rows_needs_allow_destructive(history: dict[str, Path], fresh_db: str, dev_server) -> None:
    folder = str(history["migrations"])
    assert _cli("migrate", "up", "--target", fresh_db, "--migrations-dir", folder)[0] == EXIT_OK
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute("INSERT INTO wallets (wallet_address, label) VALUES ('w1', 'first'), ('w2', NULL)")
        conn.execute("INSERT INTO transfers (from_address, lamports) VALUES ('w1', 5), ('w1', 6), ('w2', 7)")
    code, out, err = _cli("migrate", "down", "--target", fresh_db, "--migrations-dir", folder)
    assert code == EXIT_REFUSED, err
    assert "rolling back 002_add_transfers deletes data" in err
    assert "table public.transfers (3 rows)" in err
    assert "column public.wallets.label (1 rows with a value)" in err
    assert "--allow-destructive" in err and out == ""
    assert _tracked(fresh_db) == [("001", "create_wallets"), ("002", "add_transfers")]
    assert _matches(fresh_db, history["v2"], dev_server.url)

    code, out, err = _cli("migrate", "down", "--allow-destructive", "--target", fresh_db, "--migrations-dir", folder)
    assert code == EXIT_OK, err
    assert out.splitlines() == ["rolled back 002_add_transfers"]
    # 001's rollback drops wallets, which still holds two rows: refused again, naming it.
    code, _, err = _cli("migrate", "down", "001", "--target", fresh_db, "--migrations-dir", folder)
    assert code == EXIT_REFUSED
    assert "table public.wallets (2 rows)" in err
    assert _tracked(fresh_db) == [("001", "create_wallets")]


def test_baseline_records_the_history_on_a_database_built_by_apply(history: dict[str, Path], fresh_db: str,
                                                                   dev_server) -> None:
    folder = str(history["migrations"])
    code, _, err = _cli("apply", "-q", "--target", fresh_db, "--schema-dir", str(history["v2"]),
                        "--dev-url", dev_server.url)
    assert code == EXIT_OK, err
    code, _, err = _cli("migrate", "up", "--target", fresh_db, "--migrations-dir", folder)
    assert code != EXIT_OK and "already exists" in err  # why baseline exists
    assert _tracked(fresh_db) == []

    code, out, err = _cli("migrate", "baseline", "--target", fresh_db, "--migrations-dir", folder,
                          "--dev-url", dev_server.url)
    assert code == EXIT_OK, err
    assert out.splitlines()[:2] == ["recorded 001_create_wallets as applied", "recorded 002_add_transfers as applied"]
    assert _tracked(fresh_db) == [("001", "create_wallets"), ("002", "add_transfers")]
    code, out, _ = _cli("migrate", "status", "--target", fresh_db, "--migrations-dir", folder)
    assert code == EXIT_OK and "pending" not in out
    code, _, err = _cli("migrate", "baseline", "--target", fresh_db, "--migrations-dir", folder,
                        "--dev-url", dev_server.url)
    assert code == EXIT_REFUSED and "already records 2 applied migrations" in err


def test_baseline_of_a_database_that_differs_is_refused_naming_the_differences(
        history: dict[str, Path], fresh_db: str, dev_server) -> None:
    folder = str(history["migrations"])
    # v3 lacks wallets.label, which 002 adds.
    assert _cli("apply", "-q", "--target", fresh_db, "--schema-dir", str(history["v3"]),
                "--dev-url", dev_server.url)[0] == EXIT_OK
    code, out, err = _cli("migrate", "baseline", "--target", fresh_db, "--migrations-dir", folder,
                          "--dev-url", dev_server.url)
    assert code == EXIT_REFUSED, err
    assert "does not match the history through 002_add_transfers" in err
    assert "public.wallets column label" in err
    assert out == "" and _tracked(fresh_db) == []


def test_baseline_through_a_migration_then_up_applies_the_rest(history: dict[str, Path], fresh_db: str,
                                                               dev_server) -> None:
    folder = str(history["migrations"])
    assert _cli("apply", "-q", "--target", fresh_db, "--schema-dir", str(history["v1"]),
                "--dev-url", dev_server.url)[0] == EXIT_OK
    code, _, err = _cli("migrate", "baseline", "001", "--target", fresh_db, "--migrations-dir", folder,
                        "--dev-url", dev_server.url)
    assert code == EXIT_OK, err
    assert _tracked(fresh_db) == [("001", "create_wallets")]
    code, out, err = _cli("migrate", "up", "--target", fresh_db, "--migrations-dir", folder)
    assert code == EXIT_OK, err
    assert "applied 002_add_transfers" in out and "001" not in out
    assert _matches(fresh_db, history["v2"], dev_server.url)


def test_down_through_a_migration_that_is_not_applied_is_an_error(history: dict[str, Path], fresh_db: str) -> None:
    code, _, err = _cli("migrate", "down", "001", "--target", fresh_db, "--migrations-dir", str(history["migrations"]))
    assert code == EXIT_ERROR
    assert "001 is not applied" in err


def test_failing_migration_leaves_the_database_as_it_was(history: dict[str, Path], tmp_path: Path,
                                                        fresh_db: str, dev_server) -> None:
    folder = _copy(history["migrations"], tmp_path)
    _write_pair(folder, "003_add_ledger",
                "BEGIN;\nCREATE TABLE ledger (entry_id bigint PRIMARY KEY);\n"
                "INSERT INTO no_such_table VALUES (1);\nCOMMIT;\n",
                "DROP TABLE ledger;\n")
    _cli("migrate", "up", "--target", fresh_db, "--migrations-dir", str(history["migrations"]))
    before = dump_schema(fresh_db, dev_server)
    code, out, err = _cli("migrate", "up", "--target", fresh_db, "--migrations-dir", str(folder))
    assert code == EXIT_ERROR
    [error] = [line for line in err.splitlines() if line.startswith("schemactl: error")]
    assert "003_add_ledger.sql:3" in error and "no_such_table" in error and "nothing of 003_add_ledger.sql" in error
    assert dump_schema(fresh_db, dev_server) == before
    assert _tracked(fresh_db) == [("001", "create_wallets"), ("002", "add_transfers")]
    code, out, _ = _cli("migrate", "status", "--target", fresh_db, "--migrations-dir", str(folder))
    assert code == EXIT_DIFFERENCES
    assert "pending  003_add_ledger" in out and "applied  002_add_transfers" in out


def test_failing_migration_in_a_run_keeps_the_earlier_ones(history: dict[str, Path], tmp_path: Path,
                                                          fresh_db: str) -> None:
    folder = _copy(history["migrations"], tmp_path)
    _write_pair(folder, "003_broken", "CREATE TABLE ledger (entry_id bigint);\nSELECT 1/0;\n", "DROP TABLE ledger;\n")
    code, out, err = _cli("migrate", "up", "--target", fresh_db, "--migrations-dir", str(folder))
    assert code == EXIT_ERROR and "division by zero" in err
    assert _tracked(fresh_db) == [("001", "create_wallets"), ("002", "add_transfers")]
    assert "relation public.ledger" not in _user_objects(fresh_db)


def test_bad_session_setting_fails_the_migration_before_it_starts(tmp_path: Path, fresh_db: str) -> None:
    folder = tmp_path / "migrations"
    _write_pair(folder, "001_a", "SET lock_timeout = 'soon';\nCREATE TABLE a (id int);\n", "DROP TABLE a;\n")
    code, _, err = _cli("migrate", "up", "--target", fresh_db, "--migrations-dir", str(folder))
    assert code == EXIT_ERROR
    assert "001_a.sql:1: invalid value for parameter" in err and "Traceback" not in err
    assert _user_objects(fresh_db) == [] and _tracked(fresh_db) == []


ONLINE = """SET lock_timeout = '5s';
BEGIN;
CREATE TABLE ledger (entry_id bigint NOT NULL, wallet_address text NOT NULL);
INSERT INTO ledger VALUES (1, 'a'), ({second}, 'b');
COMMIT;
-- Online steps.
CREATE INDEX CONCURRENTLY ledger_wallet_idx ON ledger (wallet_address);
CREATE UNIQUE INDEX CONCURRENTLY ledger_entry_idx ON ledger (entry_id);
"""
ONLINE_ROLLBACK = """BEGIN;
DROP INDEX IF EXISTS ledger_entry_idx;
DROP INDEX IF EXISTS ledger_wallet_idx;
DROP TABLE ledger;
COMMIT;
"""


def test_failing_online_step_is_undone(tmp_path: Path, fresh_db: str, dev_server) -> None:
    folder = tmp_path / "migrations"
    _write_pair(folder, "001_add_ledger", ONLINE.format(second=1), ONLINE_ROLLBACK)
    before = dump_schema(fresh_db, dev_server)
    code, _, err = _cli("migrate", "up", "--target", fresh_db, "--migrations-dir", str(folder))
    assert code == EXIT_ERROR
    assert "001_add_ledger.sql:8: online step failed" in err and "the database is as it was" in err
    assert dump_schema(fresh_db, dev_server) == before
    assert _user_objects(fresh_db) == []
    assert _tracked(fresh_db) == []

    _write_pair(folder, "001_add_ledger", ONLINE.format(second=2), ONLINE_ROLLBACK)
    code, _, err = _cli("migrate", "up", "--target", fresh_db, "--migrations-dir", str(folder))
    assert code == EXIT_OK, err
    with psycopg.connect(fresh_db) as conn:
        valid = conn.execute("SELECT indexrelid::regclass::text, indisvalid FROM pg_index "
                             "WHERE indrelid = 'ledger'::regclass ORDER BY 1").fetchall()
    assert valid == [("ledger_entry_idx", True), ("ledger_wallet_idx", True)]
    assert _tracked(fresh_db) == [("001", "add_ledger")]
    # The migration filled ledger with two rows: rolling it back deletes them, so it is confirmed.
    code, _, err = _cli("migrate", "down", "--target", fresh_db, "--migrations-dir", str(folder))
    assert code == EXIT_REFUSED and "table public.ledger (2 rows)" in err
    code, _, err = _cli("migrate", "down", "--allow-destructive", "--target", fresh_db, "--migrations-dir", str(folder))
    assert code == EXIT_OK, err
    assert _user_objects(fresh_db) == []


def test_edited_applied_migration_is_refused(history: dict[str, Path], tmp_path: Path, fresh_db: str) -> None:
    folder = _copy(history["migrations"], tmp_path)
    code, _, err = _cli("migrate", "up", "--target", fresh_db, "--migrations-dir", str(folder))
    assert code == EXIT_OK, err
    # Edited without refreshing the manifest: the manifest names it.
    with (folder / "001_create_wallets.sql").open("a") as handle:
        handle.write("-- edited after it was applied\n")
    for action in ("up", "down", "status"):
        code, _, err = _cli("migrate", action, "--target", fresh_db, "--migrations-dir", str(folder))
        assert code == EXIT_REFUSED, (action, err)
        assert "edited file 001_create_wallets.sql" in err
    # Edited and the manifest refreshed: the tracking table's checksum still names it.
    write_manifest(folder)
    code, _, err = _cli("migrate", "up", "--target", fresh_db, "--migrations-dir", str(folder))
    assert code == EXIT_REFUSED
    assert "001_create_wallets.sql was changed after it was applied" in err
    code, out, err = _cli("migrate", "status", "--target", fresh_db, "--migrations-dir", str(folder))
    assert code == EXIT_REFUSED
    assert "changed  001_create_wallets" in out and "applied  002_add_transfers" in out
    assert _tracked(fresh_db) == [("001", "create_wallets"), ("002", "add_transfers")]


def test_pending_migration_older_than_an_applied_one_is_refused(tmp_path: Path, fresh_db: str) -> None:
    folder = tmp_path / "migrations"
    _write_pair(folder, "001_a", "CREATE TABLE a (id int);\n", "DROP TABLE a;\n")
    _write_pair(folder, "003_c", "CREATE TABLE c (id int);\n", "DROP TABLE c;\n")
    assert _cli("migrate", "up", "--target", fresh_db, "--migrations-dir", str(folder))[0] == EXIT_OK
    _write_pair(folder, "002_b", "CREATE TABLE b (id int);\n", "DROP TABLE b;\n")
    code, _, err = _cli("migrate", "up", "--target", fresh_db, "--migrations-dir", str(folder))
    assert code == EXIT_REFUSED
    assert "002_b.sql is pending but the newer migration 003_c is applied" in err


def test_reset_needs_yes_and_then_rolls_back_everything(history: dict[str, Path], fresh_db: str, dev_server) -> None:
    folder = str(history["migrations"])
    initial = dump_schema(fresh_db, dev_server)
    assert _cli("migrate", "up", "--target", fresh_db, "--migrations-dir", folder)[0] == EXIT_OK
    code, _, err = _cli("migrate", "reset", "--target", fresh_db, "--migrations-dir", folder)
    assert code == EXIT_REFUSED and "--yes" in err
    assert len(_tracked(fresh_db)) == 2
    code, out, err = _cli("migrate", "reset", "--yes", "--target", fresh_db, "--migrations-dir", folder)
    assert code == EXIT_OK, err
    assert out.splitlines() == ["rolled back 002_add_transfers", "rolled back 001_create_wallets"]
    assert _tracked(fresh_db) == []
    assert dump_schema(fresh_db, dev_server) == initial


def test_two_runners_at_once_apply_each_migration_once(tmp_path: Path, fresh_db: str) -> None:
    folder = tmp_path / "migrations"
    # The sleep keeps the first runner inside its migration while the second one starts.
    _write_pair(folder, "001_slow", "CREATE TABLE slow (id int);\nSELECT pg_sleep(1.5);\n", "DROP TABLE slow;\n")
    _write_pair(folder, "002_more", "CREATE TABLE more (id int);\n", "DROP TABLE more;\n")
    schemactl = str(Path(sys.executable).with_name("schemactl"))
    argv = [schemactl, "migrate", "up", "--target", fresh_db, "--migrations-dir", str(folder)]
    runners = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [runner.communicate(timeout=60) + (runner.returncode,) for runner in runners]
    assert [code for _, _, code in results] == [EXIT_OK, EXIT_OK], results
    outs = sorted(out for out, _, _ in results)
    assert "2 applied" in outs[0] and "nothing to apply" in outs[1], outs
    assert _tracked(fresh_db) == [("001", "slow"), ("002", "more")]


def test_runner_without_a_target_is_a_usage_error(history: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "DB_HOST", "DB_NAME"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = _cli("migrate", "up", "--migrations-dir", str(history["migrations"]))
    assert code == EXIT_ERROR and "no target database" in err


def test_reset_without_yes_is_refused_before_connecting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody:secret@127.0.0.1:1/none")
    code, _, err = _cli("migrate", "reset")
    assert code == EXIT_REFUSED and "secret" not in err


# --- the checked-in history --------------------------------------------------------------


def test_checked_in_history_reaches_schema_and_rolls_back(deploy_db: str, dev_server) -> None:
    """generated/migrations replayed with `migrate up` has zero drift against schema/; else regenerate 001."""
    if not (REAL_HISTORY / "001_create_blockchain_tables.sql").exists():
        pytest.fail("generated/migrations/001_create_blockchain_tables.sql is missing: "
                    "run `schemactl migrate new create_blockchain_tables`")
    initial = dump_schema(deploy_db, dev_server)
    code, _, err = _cli("migrate", "up", "--target", deploy_db, "--migrations-dir", str(REAL_HISTORY))
    assert code == EXIT_OK, err
    code, out, err = _cli("drift", "-q", "--target", deploy_db, "--schema-dir", str(REPO / "schema"),
                          "--dev-url", dev_server.url)
    assert code == EXIT_OK, ("generated/migrations is stale against schema/ (regenerate 001 or add a migration)",
                             out)
    code, _, err = _cli("migrate", "reset", "--yes", "--target", deploy_db, "--migrations-dir", str(REAL_HISTORY))
    assert code == EXIT_OK, err
    assert _user_objects(deploy_db) == []
    assert dump_schema(deploy_db, dev_server) == initial

"""The schema lock: runners started together take turns without deadlock, and only the deploying role may take it."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from schemactl.conninfo import with_dbname, with_user
from schemactl.errors import EXIT_ERROR, EXIT_OK
from schemactl.migrations.manifest import write_manifest
from schemactl.schemalock import schema_lock

SCHEMACTL = str(Path(sys.executable).parent / "schemactl")
ROUNDS = int(os.environ.get("SCHEMACTL_TEST_LOCK_ROUNDS", "20"))
STRANGER = "sctest_lock_stranger"

TABLE = """BEGIN;
CREATE TABLE public.ledger (entry_id integer PRIMARY KEY, lamports bigint NOT NULL);
INSERT INTO public.ledger SELECT g, g * 7 FROM pg_catalog.generate_series(1, 60000) AS g;
COMMIT;
"""
TABLE_ROLLBACK = """BEGIN;
DROP TABLE public.ledger;
COMMIT;
"""
# A transactional part and an online step: the shape that deadlocked two runners started together.
INDEX = """SET lock_timeout = '30s';
BEGIN;
ALTER TABLE public.ledger ADD COLUMN memo text;
COMMIT;
CREATE INDEX CONCURRENTLY ledger_lamports_idx ON public.ledger (lamports);
"""
INDEX_ROLLBACK = """BEGIN;
ALTER TABLE public.ledger DROP COLUMN memo;
COMMIT;
DROP INDEX CONCURRENTLY IF EXISTS public.ledger_lamports_idx;
"""

SCHEMA_V1 = """CREATE TABLE ledger (
    entry_id integer PRIMARY KEY,
    lamports bigint NOT NULL
);
"""
SCHEMA_V2 = SCHEMA_V1 + "CREATE INDEX ledger_lamports_idx ON ledger (lamports);\n"


def _history(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    write_manifest(folder)
    return folder


@pytest.fixture
def round_db(live_url: str) -> Iterator[callable]:
    """Makes fresh databases on the live server for one round each; drops them all afterwards."""
    made: list[str] = []

    def make() -> str:
        name = f"sctest_lock_{os.getpid()}_{secrets.token_hex(3)}"
        with psycopg.connect(live_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        made.append(name)
        return with_dbname(live_url, name)

    yield make
    with psycopg.connect(live_url, autocommit=True) as conn:
        for name in made:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _start(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen([SCHEMACTL, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)


def _together(argv_a: list[str], argv_b: list[str]) -> list[tuple[int, str, str]]:
    """Two runs started together (the second 0.1 s after the first)."""
    first = _start(*argv_a)
    time.sleep(0.1)
    second = _start(*argv_b)
    results = []
    for proc in (first, second):
        out, err = proc.communicate(timeout=600)
        results.append((proc.returncode, out, err))
    return results


def _index_valid(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = "
                           "to_regclass('public.ledger_lamports_idx')").fetchone()
    return bool(row and row[0])


@pytest.mark.slow
def test_two_migrate_up_started_together_take_turns(tmp_path: Path, round_db) -> None:
    before = _history(tmp_path / "v1", {"001_ledger.sql": TABLE, "001_ledger_rollback.sql": TABLE_ROLLBACK})
    after = _history(tmp_path / "v2", {"001_ledger.sql": TABLE, "001_ledger_rollback.sql": TABLE_ROLLBACK,
                                       "002_ledger_index.sql": INDEX, "002_ledger_index_rollback.sql": INDEX_ROLLBACK})
    outcomes = []
    for number in range(ROUNDS):
        url = round_db()
        setup = subprocess.run([SCHEMACTL, "migrate", "up", "--target", url, "--migrations-dir", str(before)],
                               capture_output=True, text=True, timeout=300)
        assert setup.returncode == EXIT_OK, setup.stderr
        argv = ["migrate", "up", "--target", url, "--migrations-dir", str(after)]
        results = _together(argv, argv)
        assert [code for code, _, _ in results] == [EXIT_OK, EXIT_OK], (number, results)
        appliers = [out for _, out, _ in results if "002_ledger_index" in out]
        assert len(appliers) == 1, (number, results)
        with psycopg.connect(url, autocommit=True) as conn:
            versions = [r[0] for r in conn.execute("SELECT version FROM schemactl.schema_migrations ORDER BY 1")]
        assert versions == ["001", "002"], (number, versions)
        assert _index_valid(url), number
        outcomes.append(results)
    assert len(outcomes) == ROUNDS


@pytest.mark.slow
def test_two_apply_started_together_take_turns(tmp_path: Path, round_db, dev_server) -> None:
    v1 = tmp_path / "v1"
    v2 = tmp_path / "v2"
    for folder, text in ((v1, SCHEMA_V1), (v2, SCHEMA_V2)):
        folder.mkdir()
        (folder / "ledger.sql").write_text(text)
    for number in range(ROUNDS):
        url = round_db()
        setup = subprocess.run([SCHEMACTL, "apply", "-q", "--target", url, "--schema-dir", str(v1),
                                "--dev-url", dev_server.url], capture_output=True, text=True, timeout=300)
        assert setup.returncode == EXIT_OK, setup.stderr
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("INSERT INTO public.ledger SELECT g, g * 7 FROM pg_catalog.generate_series(1, 60000) AS g")
        argv = ["apply", "--target", url, "--schema-dir", str(v2), "--dev-url", dev_server.url]
        results = _together(argv, argv)
        assert [code for code, _, _ in results] == [EXIT_OK, EXIT_OK], (number, results)
        changed = [out for _, out, _ in results if "applied 1 changes" in out]
        assert len(changed) == 1, (number, results)
        assert _index_valid(url), number


def test_lock_session_holds_no_snapshot(fresh_db: str) -> None:
    with schema_lock(fresh_db):
        with psycopg.connect(fresh_db, autocommit=True) as conn:
            row = conn.execute("SELECT state, backend_xmin, backend_xid FROM pg_stat_activity "
                               "WHERE application_name = 'schemactl schema lock' AND datname = current_database()"
                               ).fetchone()
            held = conn.execute("SELECT count(*) FROM pg_locks WHERE relation = "
                                "to_regclass('schemactl.schema_migrations') AND mode = 'ShareUpdateExclusiveLock' "
                                "AND granted").fetchone()[0]
    # An online step (CREATE INDEX CONCURRENTLY) waits for every older snapshot: the lock holds none.
    assert row == ("idle in transaction", None, None)
    assert held == 1


@pytest.fixture
def stranger(live_url: str, fresh_db: str) -> Iterator[str]:
    """A login role of its own with CONNECT on fresh_db and no other rights (the API role's position)."""
    name = f"{STRANGER}_{os.getpid()}_{secrets.token_hex(2)}"
    dbname = psycopg.conninfo.conninfo_to_dict(fresh_db)["dbname"]
    with psycopg.connect(live_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(name)))
        conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(dbname), sql.Identifier(name)))
    try:
        yield with_user(fresh_db, name)
    finally:
        with psycopg.connect(live_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def test_a_role_without_rights_on_the_tracking_table_cannot_take_or_hold_the_lock(
        tmp_path: Path, fresh_db: str, stranger: str) -> None:
    history = _history(tmp_path / "v1", {"001_ledger.sql": TABLE, "001_ledger_rollback.sql": TABLE_ROLLBACK})
    with schema_lock(fresh_db):
        pass  # the tracking table exists from here on, owned by the deploying role
    with psycopg.connect(stranger) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("LOCK TABLE schemactl.schema_migrations IN SHARE UPDATE EXCLUSIVE MODE")
        conn.rollback()
        # The advisory key earlier versions locked no longer holds anything up.
        conn.execute("SELECT pg_advisory_lock(1397901389)")
        conn.commit()
        done = subprocess.run([SCHEMACTL, "migrate", "up", "--target", fresh_db, "--migrations-dir", str(history)],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == EXIT_OK, done.stderr
    # The role itself gets one clear line and exit 2, not a wait.
    refused = subprocess.run([SCHEMACTL, "migrate", "up", "--target", stranger, "--migrations-dir", str(history)],
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == EXIT_ERROR
    assert "schema lock" in refused.stderr and "permission denied" in refused.stderr, refused.stderr


def test_migrate_says_it_waits_only_when_it_waits(tmp_path: Path, fresh_db: str) -> None:
    history = _history(tmp_path / "v1", {"001_ledger.sql": TABLE, "001_ledger_rollback.sql": TABLE_ROLLBACK})
    alone = subprocess.run([SCHEMACTL, "migrate", "up", "--target", fresh_db, "--migrations-dir", str(history)],
                           capture_output=True, text=True, timeout=120)
    assert alone.returncode == EXIT_OK and "waiting" not in alone.stderr, alone.stderr
    with psycopg.connect(fresh_db) as holder:
        holder.execute("LOCK TABLE schemactl.schema_migrations IN SHARE UPDATE EXCLUSIVE MODE")
        pid = holder.info.backend_pid
        waiting = _start("migrate", "up", "--target", fresh_db, "--migrations-dir", str(history))
        deadline = time.monotonic() + 120
        with psycopg.connect(fresh_db, autocommit=True) as watch:
            while not watch.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                                    "'schemactl schema lock' AND datname = current_database()").fetchone()[0]:
                assert waiting.poll() is None and time.monotonic() < deadline, waiting.communicate()
                time.sleep(0.1)
        time.sleep(3)  # it says so after a second and a half of waiting
        assert waiting.poll() is None, "a second run must wait while the lock is held"
        holder.rollback()
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == EXIT_OK, err
    assert "waiting for the schema lock" in err and f"held by pid {pid} " in err, err

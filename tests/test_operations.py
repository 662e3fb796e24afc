"""Operations as code: maintenance functions, monitoring schema, settings, maintain, backup/restore."""

from __future__ import annotations

import io
import json
import os
import random
import secrets
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from schemactl import operations, settings
from schemactl.cli import parse_args, run
from schemactl.conninfo import dbname_of, with_dbname
from schemactl.errors import EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK

REPO = Path(__file__).resolve().parent.parent
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
SECRET = "hunter2-Pa55"
AUDIT_COLUMNS = 'log_id, operation, status, actor_address, asset_id, batch_id, tx_signature, details, "timestamp"'


def wallet(seed: int) -> str:
    """A valid base58 Solana address, the same for the same seed."""
    rng = random.Random(seed)
    return "".join(rng.choice(BASE58) for _ in range(44))


def signature(seed: int) -> str:
    rng = random.Random(-seed - 1)
    return "".join(rng.choice(BASE58) for _ in range(88))


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(parse_args(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def _maintain_cli(argv: list[str]) -> tuple[int, str, str]:
    """`schemactl maintain ...` through the same run() edge as every command."""
    return _cli(["maintain", *argv])


# --- minting queue cleanup -------------------------------------------------------------

def _queue_entry(conn: psycopg.Connection, *, status: str, age_days: float, completed_days: float | None) -> int:
    row = conn.execute(
        "INSERT INTO minting_queue (owner_address, status, created_at, completed_at) "
        "VALUES (%s, %s, now() - make_interval(secs => %s * 86400), "
        "        now() - make_interval(secs => %s * 86400)) RETURNING queue_id",
        (wallet(int(age_days * 10)), status, age_days, completed_days)).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def queue_db(schema_db: str) -> Iterator[tuple[str, dict[str, list[int]]]]:
    """schema_db with minting-queue entries of every kind the cleanup must tell apart."""
    with psycopg.connect(schema_db, autocommit=True) as conn:
        ids: dict[str, list[int]] = {"old_completed": [], "keep": []}
        for days in (8, 10, 30, 400, 7.01):
            ids["old_completed"].append(_queue_entry(conn, status="completed", age_days=days + 1,
                                                     completed_days=days))
        ids["keep"] += [
            _queue_entry(conn, status="completed", age_days=3, completed_days=2),      # recent
            _queue_entry(conn, status="completed", age_days=7, completed_days=6.99),   # just inside
            _queue_entry(conn, status="pending", age_days=30, completed_days=None),
            _queue_entry(conn, status="failed", age_days=30, completed_days=None),
            _queue_entry(conn, status="cancelled", age_days=30, completed_days=None),
            _queue_entry(conn, status="processing", age_days=30, completed_days=None),
        ]
        yield schema_db, ids


def _queue_ids(conn: psycopg.Connection) -> set[int]:
    return {r[0] for r in conn.execute("SELECT queue_id FROM minting_queue").fetchall()}


def test_cleanup_deletes_exactly_old_completed_entries(queue_db) -> None:
    url, ids = queue_db
    with psycopg.connect(url, autocommit=True) as conn:
        # batch_size 2 over 5 doomed rows: three batches, the last one short.
        deleted = conn.execute("SELECT cleanup_minting_queue(batch_size => 2)").fetchone()[0]  # type: ignore[index]
        assert deleted == len(ids["old_completed"])
        assert _queue_ids(conn) == set(ids["keep"])
        assert conn.execute("SELECT cleanup_minting_queue()").fetchone()[0] == 0  # type: ignore[index]


def test_cleanup_retention_and_max_batches(queue_db) -> None:
    url, ids = queue_db
    with psycopg.connect(url, autocommit=True) as conn:
        first = conn.execute("SELECT cleanup_minting_queue(batch_size => 2, max_batches => 1)").fetchone()[0]  # type: ignore[index]
        assert first == 2
        rest = conn.execute("SELECT cleanup_minting_queue('1 day')").fetchone()[0]  # type: ignore[index]
        # The remaining three old ones plus the two completed 2 and 6.99 days ago.
        assert rest == len(ids["old_completed"]) - 2 + 2
        remaining = conn.execute("SELECT DISTINCT status FROM minting_queue ORDER BY 1").fetchall()
        assert [r[0] for r in remaining] == ["cancelled", "failed", "pending", "processing"]


def test_cleanup_skips_entries_locked_by_a_worker(queue_db) -> None:
    url, ids = queue_db
    locked = ids["old_completed"][0]
    with psycopg.connect(url) as worker, psycopg.connect(url, autocommit=True) as operator:
        worker.execute("SELECT 1 FROM minting_queue WHERE queue_id = %s FOR UPDATE", (locked,))
        # Would block (and fail on lock_timeout) if it waited for the worker's lock.
        operator.execute("SET lock_timeout = '2s'")
        deleted = operator.execute("SELECT cleanup_minting_queue()").fetchone()[0]  # type: ignore[index]
        assert deleted == len(ids["old_completed"]) - 1
        worker.rollback()
        assert operator.execute("SELECT cleanup_minting_queue()").fetchone()[0] == 1  # type: ignore[index]
        assert _queue_ids(operator) == set(ids["keep"])


def test_cleanup_rejects_bad_arguments(schema_db: str) -> None:
    with psycopg.connect(schema_db, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="batch_size"):
            conn.execute("SELECT cleanup_minting_queue(batch_size => 0)")
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="retention"):
            conn.execute("SELECT cleanup_minting_queue('-1 day')")


# --- audit log archiving -----------------------------------------------------------------

AUDIT_ROWS = 2_400


@pytest.fixture
def audit_db(schema_db: str) -> Iterator[tuple[str, int]]:
    """schema_db with AUDIT_ROWS audit logs spread over 180 days (NULLs, JSON, signatures)."""
    with psycopg.connect(schema_db, autocommit=True) as conn:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO blockchain_audit_logs (operation, status, actor_address, asset_id, batch_id, "
                "tx_signature, details, \"timestamp\") VALUES (%s, %s, %s, %s, %s, %s, %s, "
                "now() - make_interval(secs => %s))",
                [("mint" if n % 3 else "transfer", "failure" if n % 17 == 0 else "success",
                  wallet(n % 50) if n % 10 else None, wallet(10_000 + n) if n % 4 else None,
                  f"00000000-0000-4000-8000-{n:012d}" if n % 5 == 0 else None,
                  signature(n) if n % 2 else None,
                  json.dumps({"slot": 250_000_000 + n, "note": f"row {n}", "nested": {"n": n}}),
                  # 180 days back, deterministic; a few exactly around the 90-day boundary.
                  (n * 6_480.0) % (180 * 86_400) + 0.5)
                 for n in range(AUDIT_ROWS)])
        old = conn.execute("SELECT count(*) FROM blockchain_audit_logs "
                           "WHERE \"timestamp\" < now() - interval '90 days'").fetchone()[0]  # type: ignore[index]
        assert 0 < old < AUDIT_ROWS
        yield schema_db, old


def _audit_fingerprint(conn: psycopg.Connection) -> tuple[int, str]:
    """Count and md5 of every audit row, wherever it lives now."""
    query = sql.SQL(
        "SELECT count(*), md5(string_agg(r, '|' ORDER BY id)) FROM ("
        " SELECT log_id AS id, ({cols})::text AS r FROM blockchain_audit_logs"
        " UNION ALL"
        " SELECT log_id, ({cols})::text FROM blockchain_audit_logs_archive) AS t"
    ).format(cols=sql.SQL(AUDIT_COLUMNS))
    count, digest = conn.execute(query).fetchone()  # type: ignore[misc]
    return int(count), str(digest)


def test_archive_moves_old_rows_and_loses_nothing(audit_db) -> None:
    url, old = audit_db
    with psycopg.connect(url, autocommit=True) as conn:
        before = _audit_fingerprint(conn)
        moved = conn.execute("SELECT archive_audit_logs(batch_size => 250)").fetchone()[0]  # type: ignore[index]
        assert moved == old
        assert _audit_fingerprint(conn) == before == (AUDIT_ROWS, before[1])
        live_oldest, = conn.execute("SELECT min(\"timestamp\") > now() - interval '90 days' "
                                    "FROM blockchain_audit_logs").fetchone()  # type: ignore[misc]
        assert live_oldest is True
        archived, stamped, newest = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE archived_at IS NOT NULL), "
            "max(\"timestamp\") < now() - interval '90 days' FROM blockchain_audit_logs_archive").fetchone()  # type: ignore[misc]
        assert archived == stamped == old and newest is True
        assert conn.execute("SELECT archive_audit_logs()").fetchone()[0] == 0  # type: ignore[index]


def test_archive_runs_concurrently_without_loss_or_duplicates(audit_db) -> None:
    url, old = audit_db
    with psycopg.connect(url, autocommit=True) as conn:
        before = _audit_fingerprint(conn)
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def archive() -> None:
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                barrier.wait()
                results.append(conn.execute("SELECT archive_audit_logs(batch_size => 100)").fetchone()[0])  # type: ignore[index]
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=archive) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sum(results) == old
    with psycopg.connect(url, autocommit=True) as conn:
        assert _audit_fingerprint(conn) == before


def test_archive_skips_rows_locked_by_another_session(audit_db) -> None:
    url, old = audit_db
    with psycopg.connect(url) as holder, psycopg.connect(url, autocommit=True) as operator:
        holder.execute("SELECT 1 FROM blockchain_audit_logs WHERE \"timestamp\" < now() - interval '90 days' "
                       "ORDER BY log_id LIMIT 1 FOR UPDATE")
        operator.execute("SET lock_timeout = '2s'")
        assert operator.execute("SELECT archive_audit_logs()").fetchone()[0] == old - 1  # type: ignore[index]
        holder.rollback()
        assert operator.execute("SELECT archive_audit_logs()").fetchone()[0] == 1  # type: ignore[index]


def test_maintenance_functions_are_for_the_owner_only(schema_db: str) -> None:
    with psycopg.connect(schema_db, autocommit=True) as conn:
        for signature_ in ("cleanup_minting_queue(interval, integer, integer)",
                           "archive_audit_logs(interval, integer, integer)",
                           "monitoring.slow_queries(integer)"):
            allowed = conn.execute("SELECT has_function_privilege('blockchain_service', %s, 'EXECUTE')",
                                   (signature_,)).fetchone()[0]  # type: ignore[index]
            assert allowed is False, signature_
        conn.execute("SET ROLE blockchain_service")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT archive_audit_logs()")


# --- monitoring --------------------------------------------------------------------------

def test_monitoring_views_return_rows(schema_db: str) -> None:
    with psycopg.connect(schema_db, autocommit=True) as conn:
        sizes = conn.execute("SELECT tablename, total_bytes, table_bytes + index_bytes "
                             "FROM monitoring.table_sizes WHERE schemaname = 'public'").fetchall()
        by_name = {name: (total, parts) for name, total, parts in sizes}
        assert {"memory_assets", "blockchain_audit_logs", "blockchain_audit_logs_archive"} <= set(by_name)
        assert all(total > 0 and total == parts for total, parts in by_name.values())
        indexes = conn.execute("SELECT indexname, unused, is_unique, supports_foreign_key "
                               "FROM monitoring.index_usage").fetchall()
        names = {row[0]: row for row in indexes}
        assert names["memory_assets_pkey"][2] is True and names["memory_assets_pkey"][1] is False
        assert names["blockchain_audit_logs_timestamp_idx"][1] is True
        # Never scanned, but it serves the foreign key to memory_batches: not a candidate to drop.
        assert names["memory_assets_batch_id_idx"][1:] == (False, False, True)
        # A multicolumn index led by a foreign key's column serves it too; one led by another does not.
        assert names["cost_tracking_batch_id_idx"][3] is True
        assert names["memory_assets_owner_address_created_at_idx"][3] is False
        mine = conn.execute("SELECT sum(connections) FROM monitoring.connection_counts "
                            "WHERE datname = current_database()").fetchone()[0]  # type: ignore[index]
        assert mine >= 1


def test_monitoring_index_usage_counts_scans(schema_db: str) -> None:
    with psycopg.connect(schema_db, autocommit=True) as conn:
        conn.execute("SET enable_seqscan = off")
        conn.execute("SELECT * FROM memory_assets WHERE asset_id = %s", (wallet(1),)).fetchall()
        conn.execute("SELECT pg_stat_force_next_flush()")
    with psycopg.connect(schema_db, autocommit=True) as conn:
        scans = conn.execute("SELECT idx_scan FROM monitoring.index_usage "
                             "WHERE indexname = 'memory_assets_pkey'").fetchone()[0]  # type: ignore[index]
        assert scans >= 1


def _slow_queries(conn: psycopg.Connection) -> tuple[list[tuple], list[str]]:
    notices: list[str] = []
    conn.add_notice_handler(lambda diag: notices.append(diag.message_primary or ""))
    rows = conn.execute("SELECT * FROM monitoring.slow_queries(5)").fetchall()
    return rows, notices


def test_slow_queries_without_the_extension(schema_db: str) -> None:
    with psycopg.connect(schema_db, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'"
                            ).fetchone()[0] == 0  # type: ignore[index]
        rows, notices = _slow_queries(conn)
    assert rows == []
    assert any("pg_stat_statements is not installed" in n for n in notices), notices


def test_slow_queries_with_the_extension_installed(schema_db: str) -> None:
    with psycopg.connect(schema_db, autocommit=True) as conn:
        available = conn.execute("SELECT count(*) FROM pg_available_extensions "
                                 "WHERE name = 'pg_stat_statements'").fetchone()[0]  # type: ignore[index]
        if not available:
            pytest.skip("pg_stat_statements is not available on the live server")
        conn.execute("CREATE EXTENSION pg_stat_statements")
        preloaded = "pg_stat_statements" in conn.execute("SHOW shared_preload_libraries").fetchone()[0]  # type: ignore[index]
        conn.execute("SELECT count(*) FROM memory_assets").fetchall()
        rows, notices = _slow_queries(conn)
    if preloaded:
        assert rows and all(r[1] >= 1 for r in rows)
    else:
        # Installed but not loaded: the extension's own error becomes a NOTICE and no rows.
        assert rows == []
        assert any("shared_preload_libraries" in n for n in notices), notices


# --- settings ----------------------------------------------------------------------------

def _current(url: str, *names: str) -> dict[str, tuple[str, str | None]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT name, setting, unit FROM pg_settings WHERE name = ANY(%s)", (list(names),))
        return {name: (setting, unit) for name, setting, unit in rows.fetchall()}


def _matching_config(url: str, path: Path) -> Path:
    """A config equal to the server's current values, written in other units than pg_settings uses."""
    now = _current(url, "shared_buffers", "work_mem", "random_page_cost", "log_min_duration_statement",
                   "checkpoint_completion_target", "enable_seqscan", "default_transaction_isolation")
    assert now["shared_buffers"][1] == "8kB" and now["work_mem"][1] == "kB"
    lines = [
        "[settings]",
        f'shared_buffers = "{int(now["shared_buffers"][0]) * 8}kB"',
        f'work_mem = "{int(now["work_mem"][0]) * 1024}B"',
        f'random_page_cost = {float(now["random_page_cost"][0])}',
        f'log_min_duration_statement = {int(now["log_min_duration_statement"][0])}',
        f'checkpoint_completion_target = "{now["checkpoint_completion_target"][0]}"',
        f'enable_seqscan = {"true" if now["enable_seqscan"][0] == "on" else "false"}',
        f'default_transaction_isolation = "{now["default_transaction_isolation"][0].upper()}"',
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_settings_match_exits_zero(fresh_db: str, tmp_path: Path) -> None:
    config = _matching_config(fresh_db, tmp_path / "same.toml")
    code, out, err = _cli(["settings", "--target", fresh_db, "--config", str(config)])
    assert code == EXIT_OK, out + err
    assert "matches" in out and "(7 settings)" in out


def test_settings_difference_exits_one_with_the_fix(fresh_db: str, tmp_path: Path) -> None:
    config = _matching_config(fresh_db, tmp_path / "same.toml")
    dbname = dbname_of(fresh_db)
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER DATABASE {} SET work_mem = '77MB'").format(sql.Identifier(dbname)))
    code, out, _ = _cli(["settings", "--target", fresh_db, "--config", str(config), "--format", "json"])
    assert code == EXIT_DIFFERENCES
    report = json.loads(out)
    assert report["differs"] is True
    differing = [s for s in report["settings"] if not s["matches"]]
    assert [s["name"] for s in differing] == ["work_mem"]
    (work_mem,) = differing
    assert work_mem["actual"] == "77MB" and work_mem["source"] == "database"
    assert work_mem["fix"] == f'ALTER DATABASE "{dbname}" SET "work_mem" = \'{work_mem["recommended"]}\';'
    # The fix is real: applied, the next check passes.
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute(work_mem["fix"])
    assert _cli(["settings", "--target", fresh_db, "--config", str(config)])[0] == EXIT_OK


def test_settings_report_formats_name_restart_and_alter_system(fresh_db: str, tmp_path: Path) -> None:
    now = _current(fresh_db, "shared_buffers", "random_page_cost")
    other_buffers = int(now["shared_buffers"][0]) * 8 // 1024 + 1  # one MB more than the server has
    config = tmp_path / "differs.toml"
    config.write_text(f'[settings]\nshared_buffers = "{other_buffers}MB"\n'
                      f'random_page_cost = {float(now["random_page_cost"][0]) + 0.5}\n')
    code, out, _ = _cli(["settings", "--target", fresh_db, "--config", str(config)])
    assert code == EXIT_DIFFERENCES
    assert f"""ALTER SYSTEM SET "shared_buffers" = '{other_buffers}MB';""" in out
    assert "restart" in out and "SELECT pg_reload_conf();" in out
    code, markdown, _ = _cli(["settings", "--target", fresh_db, "--config", str(config), "--format", "markdown"])
    assert code == EXIT_DIFFERENCES
    assert "| `shared_buffers` |" in markdown and "| `random_page_cost` |" in markdown
    assert "```sql" in markdown


def test_packaged_recommendations_cover_the_description(live_url: str) -> None:
    label, recommendations = settings.load_recommendations()
    names = {r.name for r in recommendations}
    assert {"shared_buffers", "effective_cache_size", "work_mem", "maintenance_work_mem",
            "checkpoint_completion_target", "wal_buffers", "random_page_cost", "effective_io_concurrency",
            "log_min_duration_statement"} <= names
    report = settings.check_settings(live_url, recommendations, label=label)
    assert len(report.checks) == len(recommendations)
    code, _, err = _cli(["settings", "--target", live_url])
    assert code in (EXIT_OK, EXIT_DIFFERENCES), err


@pytest.mark.parametrize("body, message", [
    ('[settings]\nshared_buffer = "1GB"\n', "unknown setting(s) shared_buffer"),
    ('[settings]\nwork_mem = "16mb"\n', "unit 'mb' does not fit"),
    ('[settings]\nwork_mem = "16ms"\n', "unit 'ms' does not fit"),
    ('[settings]\nenable_seqscan = "maybe"\n', "not a boolean"),
    ('[tuning]\nwork_mem = "16MB"\n', "[settings] table"),
    ('[settings\n', "not valid TOML"),
], ids=["unknown", "unit-case", "unit-family", "bool", "no-table", "toml"])
def test_settings_bad_config_is_an_input_error(live_url: str, tmp_path: Path, body: str, message: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(body)
    code, _, err = _cli(["settings", "--target", live_url, "--config", str(config)])
    assert code == EXIT_ERROR
    assert err.count("\n") == 1 and message in err, err


def test_settings_connection_error_is_masked() -> None:
    code, out, err = _cli(["settings", "--target", f"postgresql://app:{SECRET}@127.0.0.1:1/memory_platform"])
    assert code == EXIT_ERROR and out == ""
    assert err.startswith("schemactl: error: cannot connect") and err.count("\n") == 1
    assert SECRET not in err


# --- schemactl maintain ------------------------------------------------------------------

def test_maintain_cleans_and_archives(queue_db) -> None:
    url, ids = queue_db
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO blockchain_audit_logs (operation, status, \"timestamp\") "
                     "SELECT 'mint', 'success', now() - make_interval(days => d) + interval '1 hour' "
                     "FROM generate_series(1, 200) AS d")
        before = _audit_fingerprint(conn)
    code, out, err = _maintain_cli(["--target", url, "--batch-size", "3", "--analyze"])
    assert code == EXIT_OK, err
    assert f"minting_queue: deleted {len(ids['old_completed'])} completed entries older than 7 days " \
           "(2 batches)" in out
    # 110 rows older than 90 days in batches of 3: 37 batches, the last one short.
    assert "blockchain_audit_logs: archived 110 rows older than 90 days into blockchain_audit_logs_archive " \
           "(37 batches)" in out
    with psycopg.connect(url, autocommit=True) as conn:
        assert _audit_fingerprint(conn) == before
        assert _queue_ids(conn) == set(ids["keep"])


@pytest.mark.parametrize("argv, message", [
    (["--retention", "seven days"], "invalid input syntax for type interval"),
    (["--audit-retention", "-5 days"], "retention must be a non-negative interval"),
    (["--batch-size", "0"], "--batch-size must be at least 1"),
], ids=["bad-interval", "negative", "batch-size"])
def test_maintain_bad_input_is_one_line(schema_db: str, argv: list[str], message: str) -> None:
    code, out, err = _maintain_cli(["--target", schema_db, "-q", *argv])
    assert code == EXIT_ERROR
    assert err.count("\n") == 1 and message in err, err


def test_maintain_on_a_database_without_the_schema(fresh_db: str) -> None:
    code, _, err = _maintain_cli(["--target", fresh_db, "-q"])
    assert code == EXIT_ERROR
    assert "has no cleanup_minting_queue" in err and "schemactl apply" in err


# --- backup and restore ------------------------------------------------------------------

def _make(target: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith(("DB_", "PG"))}
    return subprocess.run(["make", "-s", "--no-print-directory", target, *args], cwd=REPO, env={**clean, **env},
                          capture_output=True, text=True, timeout=300, check=False)


def test_backup_and_restore_round_trip(schema_db: str, live_url: str, tmp_path: Path) -> None:
    with psycopg.connect(schema_db, autocommit=True) as conn:
        conn.execute("INSERT INTO blockchain_audit_logs (operation, status, actor_address, details) "
                     "SELECT 'mint', 'success', %s, jsonb_build_object('n', n) FROM generate_series(1, 500) AS n",
                     (wallet(7),))
        conn.execute("INSERT INTO minting_queue (owner_address) VALUES (%s)", (wallet(8),))
        before = _audit_fingerprint(conn)
    backup = _make("backup", f"BACKUP_DIR={tmp_path}", env={"DATABASE_URL": schema_db})
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip())
    assert dump.parent == tmp_path and dump.name.startswith(dbname_of(schema_db) + "-") and dump.suffix == ".dump"
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    # The seed's DB_* variables reach the same database.
    info = psycopg.conninfo.conninfo_to_dict(schema_db)
    seed_env = {"DB_HOST": str(info.get("host", "127.0.0.1")), "DB_PORT": str(info.get("port", 5432)),
                "DB_NAME": dbname_of(schema_db), "DB_USER": str(info.get("user", "postgres"))}
    second = _make("backup", f"BACKUP_DIR={tmp_path / 'seed'}", env=seed_env)
    assert second.returncode == 0, second.stderr
    assert Path(second.stdout.strip()).name.startswith(dbname_of(schema_db) + "-")

    new_db = f"sctest_restore_{os.getpid()}_{secrets.token_hex(3)}"
    restored = with_dbname(live_url, new_db)
    try:
        result = _make("restore", f"FILE={dump}", f"NEW_DB={new_db}", env={"DATABASE_URL": live_url})
        assert result.returncode == 0, result.stderr
        assert f"into {new_db}" in result.stdout
        with psycopg.connect(restored, autocommit=True) as conn:
            assert _audit_fingerprint(conn) == before
            assert conn.execute("SELECT count(*) FROM minting_queue").fetchone()[0] == 1  # type: ignore[index]
            # Created for the owner role, which pg_restore ran as (--role): FORCEd tables still got their rows.
            assert conn.execute("SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_catalog.pg_database "
                                "WHERE datname = pg_catalog.current_database()").fetchone()[0] == "memory_owner"
        # Restoring again into the same database replaces it (--clean --if-exists).
        again = _make("restore", f"FILE={dump}", env={"DATABASE_URL": restored})
        assert again.returncode == 0, again.stderr
        schemactl = str(REPO / ".venv/bin/schemactl")
        drift = subprocess.run([schemactl, "drift", "-q", "--format", "json", "--target", restored,
                                "--schema-dir", str(REPO / "schema"), "--dev-url", live_url],
                               capture_output=True, text=True, timeout=600, check=False)
        # A dump does not carry the database's own privileges (they belong to the database, not to
        # its contents): the restored copy lacks exactly those, and `schemactl apply` grants them.
        assert drift.returncode == 1, drift.stdout + drift.stderr
        kinds = {item["kind"] for item in json.loads(drift.stdout)["items"]}
        assert kinds == {"database"}, drift.stdout
        applied = subprocess.run([schemactl, "apply", "-q", "--target", restored, "--dev-url", live_url],
                                 capture_output=True, text=True, timeout=600, check=False)
        assert applied.returncode == 0, applied.stdout + applied.stderr
        drift = subprocess.run([schemactl, "drift", "-q", "--target", restored,
                                "--schema-dir", str(REPO / "schema"), "--dev-url", live_url],
                               capture_output=True, text=True, timeout=600, check=False)
        assert drift.returncode == 0, drift.stdout + drift.stderr
        with psycopg.connect(restored, autocommit=True) as conn:
            assert _audit_fingerprint(conn) == before
    finally:
        with psycopg.connect(live_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(new_db)))


def _database_exists(live_url: str, name: str) -> bool:
    with psycopg.connect(live_url, autocommit=True) as conn:
        return conn.execute("SELECT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = %s)",
                            (name,)).fetchone()[0]  # type: ignore[index]


def test_restore_runs_what_the_dump_calls_as_the_owner(schema_db: str, live_url: str, tmp_path: Path) -> None:
    # A CHECK calling an owner-written function that runs a shell command wherever it is restored
    # (not in the database it was dumped from, where the row went in): as the owner it is refused.
    marker = Path(f"/tmp/sctest_restore_marker_{os.getpid()}_{secrets.token_hex(4)}")
    with psycopg.connect(schema_db, autocommit=True) as conn:
        conn.execute(sql.SQL(
            "CREATE FUNCTION public.restore_payload(value integer) RETURNS boolean LANGUAGE plpgsql AS $f$ "
            "BEGIN IF pg_catalog.current_database() <> {source} THEN "
            "EXECUTE pg_catalog.format('COPY (SELECT 1) TO PROGRAM %L', {command}); END IF; "
            "RETURN true; END $f$").format(source=sql.Literal(dbname_of(schema_db)),
                                             command=sql.Literal(f"cat > {marker}")))
        conn.execute("CREATE TABLE public.restore_checked (value integer CHECK (public.restore_payload(value)))")
        conn.execute("INSERT INTO public.restore_checked VALUES (1)")
        conn.execute("ALTER FUNCTION public.restore_payload(integer) OWNER TO memory_owner")
        conn.execute("ALTER TABLE public.restore_checked OWNER TO memory_owner")
    backup = _make("backup", f"BACKUP_DIR={tmp_path}", env={"DATABASE_URL": schema_db})
    assert backup.returncode == 0, backup.stderr
    new_db = f"sctest_restore_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        result = _make("restore", f"FILE={backup.stdout.strip()}", f"NEW_DB={new_db}",
                       env={"DATABASE_URL": live_url})
        assert result.returncode != 0, result.stdout
        assert "pg_execute_server_program" in result.stderr, result.stderr  # refused: the owner is no superuser
        assert f"failed (database {new_db} dropped again)" in result.stderr
        assert not marker.exists()
        # A failed restore into a new database leaves no database behind.
        assert not _database_exists(live_url, new_db)
    finally:
        marker.unlink(missing_ok=True)
        with psycopg.connect(live_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(new_db)))


def test_a_failed_restore_into_a_new_database_drops_it(live_url: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP not really a dump")
    new_db = f"sctest_restore_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        result = _make("restore", f"FILE={broken}", f"NEW_DB={new_db}", env={"DATABASE_URL": live_url})
        assert result.returncode != 0
        assert f"restore of {broken} failed (database {new_db} dropped again)" in result.stderr, result.stderr
        assert not _database_exists(live_url, new_db)
    finally:
        with psycopg.connect(live_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(new_db)))


def test_restore_needs_a_file(live_url: str) -> None:
    result = _make("restore", env={"DATABASE_URL": live_url})
    assert result.returncode != 0
    assert "usage: make restore FILE=" in result.stderr

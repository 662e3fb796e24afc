"""The README's pull-request workflow on a copy of this repository: edit schema/, migrate new, CI, deploy, roll back."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from schemactl.cli import parse_args, run
from schemactl.errors import EXIT_DIFFERENCES, EXIT_OK, EXIT_REFUSED
from test_schema import BULK_LOAD

REPO = Path(__file__).resolve().parent.parent
ASSETS = "schema/tables/memory_assets.sql"
BULK_ROWS = 60000


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return run(parse_args(list(argv)), out, err), out.getvalue(), err.getvalue()


def _project(tmp_path: Path) -> Path:
    """A copy of what a pull request touches: schema/, generated/ and the lint configuration."""
    project = tmp_path / "project"
    project.mkdir()
    for folder in ("schema", "generated"):
        shutil.copytree(REPO / folder, project / folder)
    for name in (".squawk.toml", ".sqlfluff"):
        shutil.copy(REPO / name, project / name)
    return project


def _edit(project: Path, old: str, new: str) -> None:
    path = project / ASSETS
    text = path.read_text()
    assert old in text, f"{ASSETS} no longer contains {old!r}: adjust this test's edit"
    path.write_text(text.replace(old, new, 1))


def _load_assets(url: str) -> None:
    """merkle_trees and BULK_ROWS memory_assets rows, as a deployment holds them (RLS bypassed by the admin)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(BULK_LOAD[0])
        conn.execute(BULK_LOAD[2].replace("generate_series(1, 40000)", f"generate_series(1, {BULK_ROWS})"))
        conn.execute("ANALYZE memory_assets")
        assert conn.execute("SELECT count(*) FROM memory_assets").fetchone()[0] == BULK_ROWS


def _in_project(project: Path, *argv: str) -> tuple[int, str, str]:
    """The CLI as a developer runs it from the project's root (default paths)."""
    cwd = os.getcwd()
    os.chdir(project)
    try:
        return _cli(*argv)
    finally:
        os.chdir(cwd)


def _lint_and_generate_check(project: Path) -> None:
    code, out, err = _in_project(project, "lint", "-q")
    assert code == EXIT_OK, out + err
    code, out, err = _in_project(project, "generate", "--check", "-q")
    assert code == EXIT_OK, out + err


def _watch_locks(url: str, runner: subprocess.Popen[str]) -> list[tuple[str, list[str]]]:
    """Samples (index build phase, lock modes on memory_assets) taken while the runner runs.

    Once the new column is committed, one transaction takes ROW EXCLUSIVE on the table for a
    second: CREATE INDEX CONCURRENTLY waits for such writers, so its build is seen for certain.
    """
    samples: list[tuple[str, list[str]]] = []
    with psycopg.connect(url, autocommit=True) as observer, psycopg.connect(url, autocommit=True) as writer:
        writer_started: float | None = None
        while runner.poll() is None:
            row = observer.execute("""
                SELECT (SELECT p.command || ': ' || p.phase FROM pg_stat_progress_create_index p
                         WHERE p.relid = 'public.memory_assets'::regclass),
                       ARRAY(SELECT l.mode || CASE WHEN l.granted THEN '' ELSE ' (waiting)' END FROM pg_locks l
                              WHERE l.relation = 'public.memory_assets'::regclass AND l.pid <> pg_backend_pid()
                                AND l.pid <> %s ORDER BY 1),
                       EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'public.memory_assets'::regclass
                                  AND attname = 'collection_address')""", (writer.info.backend_pid,)).fetchone()
            phase, modes, column_added = row
            if phase is not None:
                samples.append((phase, modes))
            if column_added and writer_started is None:
                writer.execute("BEGIN")
                writer.execute("LOCK TABLE memory_assets IN ROW EXCLUSIVE MODE")
                writer_started = time.monotonic()
            if writer_started is not None and time.monotonic() - writer_started > 1.0 and \
                    writer.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                writer.execute("COMMIT")
            time.sleep(0.005)
        if writer.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            writer.execute("COMMIT")
    return samples


def test_add_a_column_and_an_index_end_to_end(tmp_path: Path, deploy_db: str, dev_server) -> None:
    """README's migration row: the new migration passes lint and generate --check, and deploys online."""
    project = _project(tmp_path)
    _edit(project, "    updated_at timestamptz NOT NULL DEFAULT now(),\n",
          "    updated_at timestamptz NOT NULL DEFAULT now(),\n    collection_address text,\n")
    _edit(project, "-- By date across owners.\n",
          "-- Assets of one collection.\nCREATE INDEX memory_assets_collection_address_idx "
          "ON memory_assets (collection_address);\n\n-- By date across owners.\n")

    code, out, err = _in_project(project, "migrate", "new", "add_collection", "--dev-url", dev_server.url)
    assert code == EXIT_OK, err
    assert "refreshed generated/schema.sql, generated/erd.md" in out
    forward = (project / "generated/migrations/002_add_collection.sql").read_text()
    # The index is built online, after the transaction that adds the column.
    transaction, _, online = forward.partition("COMMIT;")
    assert "add column \"collection_address\" text" in transaction
    assert "CREATE INDEX CONCURRENTLY IF NOT EXISTS memory_assets_collection_address_idx" in online
    _lint_and_generate_check(project)

    # Deploy: 001 as released, rows arrive, then the new migration.
    history = str(project / "generated/migrations")
    code, _, err = _cli("migrate", "up", "--target", deploy_db, "--migrations-dir", str(REPO / "generated/migrations"))
    assert code == EXIT_OK, err
    _load_assets(deploy_db)
    runner = subprocess.Popen(
        [str(Path(sys.executable).with_name("schemactl")), "migrate", "up", "--target", deploy_db,
         "--migrations-dir", history], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples = _watch_locks(deploy_db, runner)
    out, err = runner.communicate()
    assert runner.returncode == EXIT_OK, err
    assert "applied 002_add_collection" in out
    builds = [(phase, modes) for phase, modes in samples if phase.startswith("CREATE INDEX CONCURRENTLY")]
    assert builds, f"the index build was never observed: {samples}"
    for phase, modes in builds:
        assert "AccessExclusiveLock" not in modes, (phase, modes)
        assert "ShareUpdateExclusiveLock" in modes, (phase, modes)
    with psycopg.connect(deploy_db) as conn:
        valid = conn.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = "
                             "'public.memory_assets_collection_address_idx'::regclass").fetchone()[0]
    assert valid

    code, out, err = _cli("drift", "-q", "--target", deploy_db, "--schema-dir", str(project / "schema"),
                          "--dev-url", dev_server.url)
    assert code == EXIT_OK, out
    # Rolling back drops a column that holds no value: no confirmation needed.
    code, out, err = _cli("migrate", "down", "--target", deploy_db, "--migrations-dir", history)
    assert code == EXIT_OK, err
    code, out, err = _cli("drift", "-q", "--target", deploy_db, "--schema-dir", str(REPO / "schema"),
                          "--dev-url", dev_server.url)
    assert code == EXIT_OK, out
    with psycopg.connect(deploy_db) as conn:
        assert conn.execute("SELECT count(*) FROM memory_assets").fetchone()[0] == BULK_ROWS


def test_drop_a_commented_middle_column_of_memory_assets(tmp_path: Path, fresh_db: str, dev_server) -> None:
    """diff, migrate new, migrate up/down and apply --allow-destructive all verify a dropped middle column."""
    project = _project(tmp_path)
    text = (project / ASSETS).read_text()
    start = text.index("    search tsvector GENERATED ALWAYS AS (")
    end = text.index("    created_at timestamptz", start)
    text = text[:start] + text[end:]
    start = text.index("-- Full-text search over title and description")
    end = text.index("-- Tag filters")
    text = text[:start] + text[end:]
    start = text.index("COMMENT ON COLUMN memory_assets.search IS")
    end = text.index("COMMENT ON", start + 10)
    (project / ASSETS).write_text(text[:start] + text[end:])

    code, out, err = _in_project(project, "diff", "-q", "--from-history", "--to", "schema",
                                 "--dev-url", dev_server.url)
    assert code == EXIT_REFUSED, err
    assert "alter table public.memory_assets column search" in err
    code, out, err = _in_project(project, "diff", "-q", "--from-history", "--to", "schema", "--allow-destructive",
                                 "--dev-url", dev_server.url)
    assert code == EXIT_DIFFERENCES, err
    assert 'drop column "search"' in out

    code, out, err = _in_project(project, "migrate", "new", "drop_search", "--dev-url", dev_server.url)
    assert code == EXIT_REFUSED and "column search" in err
    assert not (project / "generated/migrations/002_drop_search.sql").exists()
    code, out, err = _in_project(project, "migrate", "new", "drop_search", "--allow-destructive",
                                 "--dev-url", dev_server.url)
    assert code == EXIT_OK, err
    _lint_and_generate_check(project)

    history = str(project / "generated/migrations")
    assert _cli("migrate", "up", "--target", fresh_db, "--migrations-dir", history)[0] == EXIT_OK
    code, out, _ = _cli("drift", "-q", "--target", fresh_db, "--schema-dir", str(project / "schema"),
                        "--dev-url", dev_server.url)
    assert code == EXIT_OK, out
    # The rollback re-adds the column at the end of the table: still zero drift against the original.
    code, _, err = _cli("migrate", "down", "--target", fresh_db, "--migrations-dir", history)
    assert code == EXIT_OK, err
    code, out, _ = _cli("drift", "-q", "--target", fresh_db, "--schema-dir", str(REPO / "schema"),
                        "--dev-url", dev_server.url)
    assert code == EXIT_OK, out

    code, _, err = _cli("apply", "-q", "--target", fresh_db, "--schema-dir", str(project / "schema"),
                        "--dev-url", dev_server.url)
    assert code == EXIT_REFUSED and "column search" in err
    code, _, err = _cli("apply", "-q", "--target", fresh_db, "--schema-dir", str(project / "schema"),
                        "--allow-destructive", "--dev-url", dev_server.url)
    assert code == EXIT_OK, err
    code, out, _ = _cli("drift", "-q", "--target", fresh_db, "--schema-dir", str(project / "schema"),
                        "--dev-url", dev_server.url)
    assert code == EXIT_OK, out

"""The dev server: version matching, scratch databases always dropped, embedded start as root."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from schemactl.cli import parse_args, run
from schemactl.conninfo import dbname_of
from schemactl.devserver import SCRATCH_PREFIX, find_binaries, get_dev_server, scratch_database
from schemactl.errors import EXIT_ERROR, InputError

REPO = Path(__file__).resolve().parent.parent


def _scratch_databases(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                            (SCRATCH_PREFIX.replace("_", r"\_") + "%",)).fetchall()
    return [r[0] for r in rows]


def test_embedded_server_answers_and_runs_unprivileged(dev_server) -> None:
    with psycopg.connect(dev_server.url) as conn:
        assert conn.execute("SELECT 1").fetchone()[0] == 1
        assert conn.info.server_version // 10000 == dev_server.major
        data_dir = conn.execute("SHOW data_directory").fetchone()[0]
    owner = Path(data_dir).stat().st_uid
    if os.geteuid() == 0:
        assert owner != 0, "the embedded server must not run as root"


def test_scratch_database_is_dropped_on_error(dev_server) -> None:
    with pytest.raises(RuntimeError), scratch_database(dev_server, "boom") as url:
        name = dbname_of(url)
        assert name in _scratch_databases(dev_server.url)
        raise RuntimeError("boom")
    assert name not in _scratch_databases(dev_server.url)


def test_major_mismatch_is_a_clear_error(live_url: str, live_major: int) -> None:
    others = [b for b in find_binaries() if b.major != live_major]
    if not others:
        pytest.skip(f"only PostgreSQL {live_major} binaries here; no other major to mismatch with")
    other = get_dev_server(want_major=others[0].major)
    out, err = io.StringIO(), io.StringIO()
    code = run(parse_args(["drift", "-q", "--target", live_url, "--dev-url", other.url,
                           "--schema-dir", str(REPO / "tests" / "cases" / "devserver")]), out, err)
    assert code == EXIT_ERROR
    assert f"PostgreSQL {others[0].major}" in err.getvalue() and f"PostgreSQL {live_major}" in err.getvalue()
    assert "--dev-url" in err.getvalue()


def test_missing_binaries_message_says_how_to_supply_one() -> None:
    with pytest.raises(InputError, match="SCHEMACTL_DEV_URL|--dev-url"):
        get_dev_server(want_major=9)


def test_sigterm_drops_scratch_databases(dev_server, tmp_path: Path) -> None:
    big = tmp_path / "big.sql"
    sys.path.insert(0, str(REPO / "bench"))
    from bench_drift import generated_schema  # noqa: PLC0415

    big.write_text(generated_schema(400))
    env = {**os.environ, "SCHEMACTL_DEV_URL": dev_server.url}
    proc = subprocess.Popen([sys.executable, "-m", "schemactl", "diff", "--from", str(big), "--to", str(big)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 60
    mine = f"_{proc.pid}_"
    while time.monotonic() < deadline and not any(mine in d for d in _scratch_databases(dev_server.url)):
        time.sleep(0.05)
    assert any(mine in d for d in _scratch_databases(dev_server.url)), "no scratch database appeared"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert not any(mine in d for d in _scratch_databases(dev_server.url))


def test_binary_versions_are_remembered_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from schemactl import devserver  # noqa: PLC0415

    bindir = tmp_path / "bin"
    bindir.mkdir()
    postgres = bindir / "postgres"
    postgres.write_text("#!/bin/sh\necho 'postgres (PostgreSQL) 42.1'\n")
    postgres.chmod(0o755)
    monkeypatch.setenv("SCHEMACTL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SCHEMACTL_PG_BINDIR", str(bindir))
    for cached in (devserver._version_of, devserver._known_versions):
        cached.cache_clear()
    assert 42 in {b.major for b in find_binaries()}
    assert (tmp_path / "home" / "binaries.json").is_file()
    # Another file at the same path (an upgrade) is asked again, in a new process as in this one.
    postgres.write_text("#!/bin/sh\necho 'postgres (PostgreSQL) 43.0 (an upgrade)'\n")
    for cached in (devserver._version_of, devserver._known_versions):
        cached.cache_clear()
    majors = {b.major for b in find_binaries()}
    assert 43 in majors and 42 not in majors
    for cached in (devserver._version_of, devserver._known_versions):
        cached.cache_clear()


def test_admin_statements_share_a_connection_until_it_fails(dev_server) -> None:
    from schemactl.devserver import admin_execute  # noqa: PLC0415

    pid = admin_execute(dev_server.url, "SELECT pg_backend_pid()")[0][0]
    assert admin_execute(dev_server.url, "SELECT pg_backend_pid()")[0][0] == pid
    # An error: that connection is not used again.
    with pytest.raises(psycopg.Error):
        admin_execute(dev_server.url, "SELECT no_such_column")
    after_error = admin_execute(dev_server.url, "SELECT pg_backend_pid()")[0][0]
    assert after_error != pid
    # The server ended it (a restart, an administrator): replaced once, the statement still runs.
    with psycopg.connect(dev_server.url, autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", (after_error,)).fetchone()[0]
    time.sleep(0.2)
    replaced = admin_execute(dev_server.url, "SELECT pg_backend_pid()")[0][0]
    assert replaced not in (pid, after_error)

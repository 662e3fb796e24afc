"""The desired-state cache: hit, miss, exact invalidation, tampering, concurrent runs, cleaning."""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from schemactl import desired
from schemactl.desired import TEMPLATE_PREFIX, DesiredState, desired_state, source_key
from schemactl.devserver import DevServer

from fixtures_db import taking_turns

SCHEMACTL = str(Path(sys.executable).parent / "schemactl")


def _schema(folder: Path, tables: int = 2) -> Path:
    """A small schema with a nonce, so its key is new to every cache."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tables").mkdir(exist_ok=True)
    for n in range(tables):
        (folder / "tables" / f"t{n}.sql").write_text(
            f"CREATE TABLE t{n} (id bigint PRIMARY KEY, note text NOT NULL DEFAULT 'x');\n"
            f"COMMENT ON TABLE t{n} IS 'nonce {secrets.token_hex(4)}';\n")
    return folder


def _template_row(dev: DevServer, name: str) -> tuple | None:
    with psycopg.connect(dev.url) as conn:
        return conn.execute("SELECT datallowconn, shobj_description(oid, 'pg_database') FROM pg_database "
                            "WHERE datname = %s", (name,)).fetchone()


def _run(dev: DevServer, folder: Path) -> DesiredState:
    return desired_state(dev, folder, label=str(folder))


@pytest.fixture
def isolated_cache(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                   dev_server: DevServer) -> Iterator[Path]:
    """The on-disk cache in a directory of its own (the embedded server stays the session's).

    A test marked cleans_templates drops every desired-state template on the dev server: it runs
    alone among this module's tests, which otherwise share the dev server freely.
    """
    home = tmp_path / "home"
    monkeypatch.setenv("SCHEMACTL_HOME", str(home))
    with taking_turns("desired-templates", shared=request.node.get_closest_marker("cleans_templates") is None):
        yield home / "desired"
        with psycopg.connect(dev_server.url, autocommit=True) as conn:
            for path in (home / "desired").glob("*.json"):
                desired._drop_database(conn, TEMPLATE_PREFIX + path.stem[:40], force=True)


def test_second_run_is_a_hit_with_the_same_reads(dev_server: DevServer, tmp_path: Path, isolated_cache: Path) -> None:
    folder = _schema(tmp_path / "schema")
    first = _run(dev_server, folder)
    assert not first.hit
    allowed, comment = _template_row(dev_server, first.template)
    assert allowed is False and comment.startswith(f"schemactl desired state {first.key} (state ")
    assert (isolated_cache / f"{first.key}.json").is_file()
    second = _run(dev_server, folder)
    assert second.hit and second.key == first.key
    assert second.dump == first.dump and any("CREATE TABLE public.t1" in line for line in second.dump)
    assert set(second.inspection.inspector.tables) == set(first.inspection.inspector.tables)


def test_one_byte_change_is_a_miss_and_the_old_key_still_hits(dev_server: DevServer, tmp_path: Path,
                                                              isolated_cache: Path) -> None:
    folder = _schema(tmp_path / "schema")
    before = _run(dev_server, folder)
    source = folder / "tables" / "t0.sql"
    original = source.read_bytes()
    source.write_bytes(original.replace(b"'x'", b"'y'"))
    changed = _run(dev_server, folder)
    assert not changed.hit and changed.key != before.key
    assert any("DEFAULT 'y'" in line for line in changed.dump)
    source.write_bytes(original)
    assert _run(dev_server, folder).hit


def test_renamed_file_is_a_miss(dev_server: DevServer, tmp_path: Path, isolated_cache: Path) -> None:
    folder = _schema(tmp_path / "schema")
    before = _run(dev_server, folder)
    (folder / "tables" / "t0.sql").rename(folder / "tables" / "t9.sql")
    after = _run(dev_server, folder)
    assert not after.hit and after.key != before.key


def test_other_major_is_a_miss(dev_server: DevServer, tmp_path: Path, isolated_cache: Path) -> None:
    folder = _schema(tmp_path / "schema")
    ours = _run(dev_server, folder)
    # The same sources for another major: a dev server reporting another version takes the real miss path.
    other = _run(dataclasses.replace(dev_server, major=dev_server.major + 1), folder)
    assert not other.hit and other.key != ours.key and other.template != ours.template
    assert _run(dev_server, folder).hit


def test_other_tool_version_is_a_miss(dev_server: DevServer, tmp_path: Path, isolated_cache: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _schema(tmp_path / "schema")
    ours = _run(dev_server, folder)
    monkeypatch.setattr(desired, "__version__", "999.0")
    newer = _run(dev_server, folder)
    assert not newer.hit and newer.key != ours.key


def test_key_covers_the_tool_code_and_its_libraries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _schema(tmp_path / "schema")
    base = source_key(folder, major=15, dev_user="u")
    assert source_key(folder, major=15, dev_user="u") == base
    assert source_key(folder, major=15, dev_user="other") != base
    # One byte of the tool's own code: a copy of the package with a changed module.
    package = Path(desired.__file__).parent
    copy = tmp_path / "package"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "diff.py").write_text((copy / "diff.py").read_text() + "\n")
    monkeypatch.setattr(desired, "__file__", str(copy / "desired.py"))
    assert source_key(folder, major=15, dev_user="u") != base
    monkeypatch.setattr(desired, "__file__", str(package / "desired.py"))
    real_version = desired.metadata.version
    monkeypatch.setattr(desired.metadata, "version",
                        lambda name: "0.0.1" if name == "migra" else real_version(name))
    assert source_key(folder, major=15, dev_user="u") != base


def _comment(conn: psycopg.Connection, name: str, text: str) -> None:
    conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(text)))


TAMPERING = {
    "template_dropped": lambda conn, name: desired._drop_database(conn, name),
    "comment_changed": lambda conn, name: _comment(conn, name, "schemactl desired state 0000"),
    "connections_allowed": lambda conn, name: conn.execute(
        sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(sql.Identifier(name))),
}


@pytest.mark.parametrize("tamper", sorted(TAMPERING))
def test_tampered_template_is_rebuilt(tamper: str, dev_server: DevServer, tmp_path: Path,
                                      isolated_cache: Path) -> None:
    folder = _schema(tmp_path / "schema")
    first = _run(dev_server, folder)
    with psycopg.connect(dev_server.url, autocommit=True) as conn:
        TAMPERING[tamper](conn, first.template)
    again = _run(dev_server, folder)
    assert not again.hit
    allowed, comment = _template_row(dev_server, first.template)
    assert allowed is False and comment.startswith(f"schemactl desired state {first.key} (state ")
    assert _run(dev_server, folder).hit


def test_damaged_cache_file_is_rebuilt(dev_server: DevServer, tmp_path: Path, isolated_cache: Path) -> None:
    folder = _schema(tmp_path / "schema")
    first = _run(dev_server, folder)
    path = isolated_cache / f"{first.key}.json"
    path.write_bytes(path.read_bytes()[:100])
    assert not _run(dev_server, folder).hit
    # A file of the right format but for another key is not trusted either.
    other = json.loads(path.read_bytes())
    other["key"] = "0" * 64
    path.write_text(json.dumps(other))
    assert not _run(dev_server, folder).hit


def _waiting_for_advisory_lock(dev: DevServer) -> int:
    with psycopg.connect(dev.url) as conn:
        return conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").fetchone()[0]


def test_two_concurrent_runs_build_once_and_share(dev_server: DevServer, tmp_path: Path, live_url: str,
                                                  fresh_db: str, isolated_cache: Path) -> None:
    folder = _schema(tmp_path / "schema", tables=3)
    key = source_key(folder, major=dev_server.major, dev_user=desired._dev_user(dev_server))
    env = {**os.environ, "SCHEMACTL_DEV_URL": dev_server.url}
    args = [SCHEMACTL, "drift", "--target", fresh_db, "--schema-dir", str(folder)]
    with psycopg.connect(dev_server.url, autocommit=True) as holder:
        # Hold the build lock so that both runs are surely waiting for it at the same time.
        holder.execute("SELECT pg_advisory_lock(%s)", (desired._lock_id(key),))
        runs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                for _ in range(2)]
        deadline = time.monotonic() + 120
        while _waiting_for_advisory_lock(dev_server) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _waiting_for_advisory_lock(dev_server) == 2, "both runs should wait for the build lock"
        holder.execute("SELECT pg_advisory_unlock(%s)", (desired._lock_id(key),))
    outputs = [run.communicate(timeout=300) for run in runs]
    # The target is empty: both runs report the same drift, from one shared build.
    assert [run.returncode for run in runs] == [1, 1], outputs
    assert outputs[0][0] == outputs[1][0] and "public.t2" in outputs[0][0]
    errors = [err for _, err in outputs]
    assert sum("into a template" in err for err in errors) == 1, errors
    assert sum("built by a concurrent run" in err for err in errors) == 1, errors
    assert [p.stem for p in isolated_cache.glob("*.json")] == [key]


@pytest.mark.cleans_templates
def test_clean_empties_the_cache(dev_server: DevServer, tmp_path: Path, isolated_cache: Path) -> None:
    folder = _schema(tmp_path / "schema")
    first = _run(dev_server, folder)
    dropped = desired.clean(dev_url=dev_server.url)
    assert first.template in dropped
    assert _template_row(dev_server, first.template) is None
    assert not isolated_cache.exists()
    assert not _run(dev_server, folder).hit


@pytest.mark.cleans_templates
def test_dev_server_stop_clean_on_the_command_line(dev_server: DevServer, tmp_path: Path,
                                                   isolated_cache: Path) -> None:
    folder = _schema(tmp_path / "schema")
    first = _run(dev_server, folder)
    # This state directory runs no embedded server of its own: only the named server is cleaned.
    result = subprocess.run([SCHEMACTL, "dev-server", "stop", "--clean", "--dev-url", dev_server.url],
                            capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    assert f"dropped {first.template}" in result.stdout
    assert _template_row(dev_server, first.template) is None and not isolated_cache.exists()


def test_light_import_of_schemainspect_reads_the_same_queries() -> None:
    # A fresh process: the stand-ins are used while schemainspect loads, and gone afterwards.
    code = ("import sys; from pathlib import Path; from schemactl.preload import import_diff_modules; "
            "import_diff_modules(); import inspect; import schemainspect.pg.obj as obj; "
            "folder = Path(obj.__file__).parent / 'sql'; "
            "assert obj.DEPS_QUERY == (folder / 'deps.sql').read_text(); "
            "assert obj.RLSPOLICIES_QUERY == (folder / 'rlspolicies.sql').read_text(); "
            "assert 'pkg_resources' not in sys.modules; assert inspect.stack.__module__ == 'inspect'; "
            "import pkg_resources; assert hasattr(pkg_resources, 'working_set'); print('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_inspecting_a_database_imports_schemainspect_the_light_way(dev_server) -> None:
    # The light import must come before anything imports schemainspect itself: a diff that
    # imported it first paid for pkg_resources and inspect.stack() on every run.
    code = ("import sys; from schemactl.diff import Side, inspect; "
            f"inspect(Side(url={dev_server.url!r})); "
            "assert 'schemainspect.pg.obj' in sys.modules; "
            "assert 'pkg_resources' not in sys.modules, 'schemainspect was imported the heavy way'; print('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_orphan_templates_of_another_state_directory_are_left_alone(dev_server: DevServer, tmp_path: Path) -> None:
    """An embedded server can be shared (--dev-url): a run drops the orphan templates its own state
    directory made, never another's (seen: a drift run dropped templates a concurrent run was using)."""
    from schemactl.devserver import running_embedded_urls  # noqa: PLC0415

    if dev_server.url not in running_embedded_urls():
        pytest.skip("the dev server is not this state directory's embedded server: no orphans are dropped here")
    names = {"other": TEMPLATE_PREFIX + "0" * 30 + secrets.token_hex(5),
             "mine": TEMPLATE_PREFIX + "1" * 30 + secrets.token_hex(5)}
    comments = {"other": "schemactl desired state 00 (state 000000000000)",
                "mine": f"schemactl desired state 11 {desired._state_tag()}"}
    with taking_turns("desired-templates", shared=True):
        with psycopg.connect(dev_server.url, autocommit=True) as conn:
            for which, name in names.items():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name),
                                                                         sql.Literal(comments[which])))
        try:
            built = _run(dev_server, _schema(tmp_path / "schema"))  # a build: the eviction runs after it
            assert not built.hit
            assert _template_row(dev_server, names["other"]) is not None
            assert _template_row(dev_server, names["mine"]) is None
        finally:
            with psycopg.connect(dev_server.url, autocommit=True) as conn:
                for name in names.values():
                    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))

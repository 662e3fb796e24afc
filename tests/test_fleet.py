"""Fleet drift: a targets file, one desired state, a verdict per target, shards that merge."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from schemactl.build import build_source
from schemactl.conninfo import with_dbname
from schemactl.errors import InputError
from schemactl.fleet import merge_documents, parse_shard, parse_targets, shard_of
from schemactl.load import load_path, require_parsed

from drift_schema import assert_valid
from fixtures_db import SCHEMA_DIR

SCHEMACTL = str(Path(sys.executable).parent / "schemactl")
PASSWORD = "s3cret-Pa55"
UNREACHABLE = f"postgresql://app:{PASSWORD}@127.0.0.1:1/tenant"


def test_targets_file_names_urls_comments_and_environment() -> None:
    text = (f"# the fleet\n\nstaging = postgresql://u@h1/db  # trailing comment\n"
            f"postgresql://u:pa#ss@h2/db\nprod=${{PROD_URL}}\n")
    targets = parse_targets(text, env={"PROD_URL": "postgresql://u:pw@h3/db"})
    assert [(t.index, t.name) for t in targets] == [(0, "staging"), (1, "postgresql://u:***@h2/db"), (2, "prod")]
    assert targets[0].url == "postgresql://u@h1/db"
    assert targets[1].url == "postgresql://u:pa#ss@h2/db"
    assert targets[2].url == "postgresql://u:pw@h3/db"


@pytest.mark.parametrize("text, message", [
    ("a=postgresql://h/x\na=postgresql://h/y\n", "also on line 1"),
    ("just-a-name\n", "expected"),
    ("a=mysql://h/x\n", "not a postgresql:// URL"),
    ("a=$MISSING_URL\n", "MISSING_URL is not set"),
    ("# nothing\n", "no targets"),
])
def test_targets_file_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_targets(text, origin="fleet.txt", env={})


def test_shards_split_the_fleet_once_and_in_order() -> None:
    targets = parse_targets("".join(f"t{n}=postgresql://h/db{n}\n" for n in range(10)))
    parts = [shard_of(targets, i, 3) for i in (1, 2, 3)]
    assert [t.name for t in parts[0]] == ["t0", "t3", "t6", "t9"]
    assert sorted(t.index for part in parts for t in part) == list(range(10))
    assert parse_shard("2/3") == (2, 3)
    for bad in ("0/3", "4/3", "x", "1/0"):
        with pytest.raises(InputError):
            parse_shard(bad)


@pytest.fixture(scope="module")
def fleet(live_url: str) -> Iterator[dict[str, str]]:
    """Three targets: a clean copy of schema/, a drifted copy, and one that cannot be reached."""
    names = [f"sctest_fleet_{os.getpid()}_{secrets.token_hex(3)}_{n}" for n in range(2)]
    with psycopg.connect(live_url, autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        source = require_parsed(load_path(SCHEMA_DIR))
        urls = [with_dbname(live_url, name) for name in names]
        for url in urls:
            build_source(source, url, align_roles=True)
        with psycopg.connect(urls[1], autocommit=True) as conn:
            conn.execute("DROP INDEX memory_batches_created_date_idx")
        yield {"clean": urls[0], "drifted": urls[1], "unreachable": UNREACHABLE}
    finally:
        with psycopg.connect(live_url, autocommit=True) as conn:
            for name in names:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _targets_text(fleet: dict[str, str]) -> str:
    return "# the fleet\n" + "".join(f"{name}={url}\n" for name, url in fleet.items())


def _fleet_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCHEMACTL, "drift", "--schema-dir", str(SCHEMA_DIR), *args], input=stdin,
                          capture_output=True, text=True, timeout=900)


def test_fleet_reports_every_target_and_exits_2(fleet: dict[str, str], tmp_path: Path) -> None:
    targets = tmp_path / "fleet.txt"
    targets.write_text(_targets_text(fleet))
    text = _fleet_cli("--targets", str(targets), "--jobs", "3")
    assert text.returncode == 2, text.stderr
    rows = {line.split()[0]: line.split()[1] for line in text.stdout.splitlines()[1:4]}
    assert rows == {"clean": "clean", "drifted": "drift", "unreachable": "error"}
    assert "3 targets: 1 clean, 1 drifted, 1 could not be checked" in text.stdout
    # One desired state for the whole fleet: built or taken from the cache once.
    assert text.stderr.count("desired state of") + text.stderr.count("into a template") == 1, text.stderr
    assert "memory_batches_created_date_idx" in text.stdout
    assert "cannot connect to postgresql://app:***@127.0.0.1:1/tenant" in text.stdout
    as_json = _fleet_cli("--targets", "-", "--format", "json", stdin=_targets_text(fleet))
    assert as_json.returncode == 2, as_json.stderr
    document = json.loads(as_json.stdout)
    assert_valid(document, "fleet")
    results = {r["name"]: r for r in document["results"]}
    assert {n: r["status"] for n, r in results.items()} == {"clean": "clean", "drifted": "drift",
                                                           "unreachable": "error"}
    assert [(i["kind"], i["name"], i["state"], i["hazards"]) for i in results["drifted"]["items"]] == [
        ("index", "public.memory_batches_created_date_idx", "missing", ["index_build"])]
    assert "CREATE INDEX memory_batches_created_date_idx" in results["drifted"]["fix"]
    assert results["unreachable"]["target"] == "postgresql://app:***@127.0.0.1:1/tenant"
    assert document["summary"] == {"targets": 3, "clean": 1, "drift": 1, "error": 1, "exit_code": 2}
    markdown = _fleet_cli("--targets", str(targets), "--format", "markdown", "-q")
    assert markdown.returncode == 2
    assert "| `drifted` | drift | 1 |" in markdown.stdout and "| `unreachable` | error | - |" in markdown.stdout
    for run in (text, as_json, markdown):
        assert PASSWORD not in run.stdout + run.stderr


def test_fleet_without_errors_exits_1_and_clean_fleet_0(fleet: dict[str, str]) -> None:
    drifted = _fleet_cli("--targets", "-", "-q", stdin=f"clean={fleet['clean']}\ndrifted={fleet['drifted']}\n")
    assert drifted.returncode == 1, drifted.stdout + drifted.stderr
    clean = _fleet_cli("--targets", "-", "-q", stdin=f"{fleet['clean']}\n")
    assert clean.returncode == 0, clean.stdout + clean.stderr


@pytest.fixture(scope="module")
def shard_files(fleet: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The fleet checked as two shards, each shard's JSON document in a file."""
    folder = tmp_path_factory.mktemp("shards")
    targets = folder / "fleet.txt"
    targets.write_text(_targets_text(fleet))
    files = []
    for index in (1, 2):
        run = _fleet_cli("--targets", str(targets), "--shard", f"{index}/2", "--format", "json", "-q")
        files.append(folder / f"drift-{index}.json")
        files[-1].write_text(run.stdout)
    return files


def test_shards_merge_into_the_whole_fleet(shard_files: list[Path]) -> None:
    for index, path in enumerate(shard_files, 1):
        document = json.loads(path.read_text())
        assert_valid(document, "fleet")
        assert document["shard"] == {"index": index, "count": 2} and document["total_targets"] == 3
    # Shard 1 holds targets 1 and 3 (clean, unreachable), shard 2 target 2 (drifted).
    assert [r["name"] for r in json.loads(shard_files[0].read_text())["results"]] == ["clean", "unreachable"]
    merged = subprocess.run([SCHEMACTL, "drift-merge", *map(str, shard_files), "--format", "json"],
                            capture_output=True, text=True, timeout=60)
    assert merged.returncode == 2, merged.stderr
    whole = json.loads(merged.stdout)
    assert_valid(whole, "fleet")
    assert [(r["name"], r["status"]) for r in whole["results"]] == [
        ("clean", "clean"), ("drifted", "drift"), ("unreachable", "error")]
    assert whole["summary"]["exit_code"] == 2
    as_markdown = subprocess.run([SCHEMACTL, "drift-merge", *map(str, shard_files), "--format", "markdown"],
                                 capture_output=True, text=True, timeout=60)
    assert as_markdown.returncode == 2 and "3 targets: 1 clean, 1 drifted, 1 could not be checked" in as_markdown.stdout
    missing = subprocess.run([SCHEMACTL, "drift-merge", str(shard_files[0])], capture_output=True, text=True,
                             timeout=60)
    assert missing.returncode == 2 and "shards missing: [2]" in missing.stderr


def test_readme_jq_line_merges_like_drift_merge(shard_files: list[Path]) -> None:
    if shutil.which("jq") is None:
        pytest.skip("jq is not installed: the README's jq alternative cannot be run here")
    merged = subprocess.run([SCHEMACTL, "drift-merge", *map(str, shard_files), "--format", "json"],
                            capture_output=True, text=True, timeout=60)
    with_jq = subprocess.run(["jq", "-s", "[.[].results[]] | sort_by(.index)", *map(str, shard_files)],
                             capture_output=True, text=True, timeout=60)
    assert with_jq.returncode == 0, with_jq.stderr
    assert json.loads(with_jq.stdout) == json.loads(merged.stdout)["results"]


def test_merge_refuses_a_shard_given_twice() -> None:
    shard = {"shard": {"index": 1, "count": 2}, "total_targets": 2, "results": []}
    with pytest.raises(InputError, match="given twice: \\[1\\]"):
        merge_documents([shard, shard])


def test_jobs_and_shard_need_targets(fleet: dict[str, str]) -> None:
    run = _fleet_cli("--target", fleet["clean"], "--jobs", "2")
    assert run.returncode == 2 and "--targets" in run.stderr

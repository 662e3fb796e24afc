"""The PostgreSQL major the project deploys to: one setting, followed by the dev server."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from schemactl.cli import parse_args, run
from schemactl.devserver import DevServer, choose_binaries, find_binaries, get_dev_server
from schemactl.errors import EXIT_ERROR, EXIT_OK
from schemactl.project import MAJOR_KEY, configured_major

REPO = Path(__file__).resolve().parent.parent
DEPLOYED = 15  # what the README says the project deploys to


def _project(tmp_path: Path, setting: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[tool.schemactl]\n{setting}\n")
    schema = tmp_path / "schema"
    schema.mkdir()
    (schema / "t.sql").write_text("CREATE TABLE t (id bigint PRIMARY KEY);\n")
    return schema


def _env_without_dev_url() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "SCHEMACTL_DEV_URL"}


def test_the_repository_deploys_to_the_readme_major() -> None:
    assert configured_major(REPO) == DEPLOYED
    assert f"({DEPLOYED} here)" in (REPO / "README.md").read_text()


@pytest.mark.parametrize("value", ['"fifteen"', "15.2", "true", "7", "150"])
def test_a_bad_setting_is_an_input_error_naming_the_key(tmp_path: Path, value: str) -> None:
    schema = _project(tmp_path, f"postgres-major = {value}")
    out, err = io.StringIO(), io.StringIO()
    code = run(parse_args(["diff", "-q", "--from", str(schema), "--to", str(schema)]), out, err)
    assert code == EXIT_ERROR
    assert MAJOR_KEY in err.getvalue()
    assert out.getvalue() == ""


def test_the_preferred_major_is_chosen_where_installed() -> None:
    if not find_binaries(DEPLOYED):
        pytest.skip(f"no PostgreSQL {DEPLOYED} server binaries on this machine to prefer")
    chosen, note = choose_binaries(prefer_major=DEPLOYED)
    assert chosen.major == DEPLOYED
    assert note is None
    # Without a preference the pinned wheel's binaries lead, whatever their major.
    assert choose_binaries()[0] == find_binaries()[0]


def test_a_missing_preferred_major_falls_back_and_says_how_to_fix_it() -> None:
    chosen, note = choose_binaries(prefer_major=98)
    assert chosen == find_binaries()[0]
    assert note is not None
    assert "PostgreSQL 98" in note and f"PostgreSQL {chosen.major}" in note
    assert MAJOR_KEY in note and "SCHEMACTL_DEV_URL" in note and "postgresql-98" in note


def test_a_target_major_is_a_must_not_a_preference() -> None:
    with pytest.raises(Exception, match="no PostgreSQL 98 server binaries"):
        choose_binaries(want_major=98, prefer_major=DEPLOYED)


def test_a_dev_url_of_another_major_carries_the_note(dev_server: DevServer) -> None:
    same = get_dev_server(dev_url=dev_server.url, prefer_major=dev_server.major)
    assert same.note is None
    other = get_dev_server(dev_url=dev_server.url, prefer_major=dev_server.major + 1)
    assert other.note is not None and f"PostgreSQL {dev_server.major + 1}" in other.note
    # A target's major rules over the project's: no note when the target fixes it.
    fixed = get_dev_server(dev_url=dev_server.url, want_major=dev_server.major, prefer_major=dev_server.major + 1)
    assert fixed.note is None


def test_the_warning_is_printed_even_when_quiet(dev_server: DevServer, tmp_path: Path) -> None:
    schema = _project(tmp_path, f"postgres-major = {dev_server.major + 1}")
    env = {**os.environ, "SCHEMACTL_DEV_URL": dev_server.url}
    done = subprocess.run([sys.executable, "-m", "schemactl", "validate", "--build", "-q", "--schema-dir", str(schema)],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == EXIT_OK, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1, done.stderr
    assert f"PostgreSQL {dev_server.major + 1}" in warnings[0] and MAJOR_KEY in warnings[0]


def test_make_diff_renders_on_the_deployed_major(dev_server: DevServer) -> None:
    """`make diff` names no target: its dev server runs the project's major (embedded, no dev URL)."""
    if not find_binaries(DEPLOYED):
        pytest.skip(f"no PostgreSQL {DEPLOYED} server binaries on this machine; the fallback is tested above")
    done = subprocess.run([sys.executable, "-m", "schemactl", "diff", "--from-history", "--to", "schema",
                           "--format", "markdown"],
                          capture_output=True, text=True, env=_env_without_dev_url(), cwd=REPO, timeout=600)
    assert done.returncode == EXIT_OK, done.stderr
    server_lines = [line for line in done.stderr.splitlines() if "dev server: " in line]
    assert len(server_lines) == 1, done.stderr
    assert f"(PostgreSQL {DEPLOYED}, embedded" in server_lines[0]
    assert "warning: " not in done.stderr

"""Bad input: one line on stderr, exit 2, no traceback, never a password."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from schemactl.cli import parse_args, run
from schemactl.conninfo import mask, resolve_target, with_dbname
from schemactl.errors import EXIT_ERROR, InputError

REPO = Path(__file__).resolve().parent.parent
SECRET = "s3cret-Pa55"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(parse_args(list(argv)), out, err)
    return code, out.getvalue(), err.getvalue()


def _assert_one_line_error(code: int, err: str) -> None:
    assert code == EXIT_ERROR, err
    lines = [line for line in err.splitlines() if line.startswith("schemactl: error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert SECRET not in err


def test_mask_hides_passwords() -> None:
    assert SECRET not in mask(f"postgresql://app:{SECRET}@db:5432/x")
    assert SECRET not in mask(f"host=db password={SECRET} dbname=x")
    assert mask("postgresql://app@db/x") == "postgresql://app@db/x"


def test_target_from_seed_variables() -> None:
    env = {"DB_HOST": "db.internal", "DB_PORT": "6543", "DB_NAME": "memory_platform", "DB_USER": "svc",
           "DB_PASSWORD": "p@ss word"}
    url = resolve_target(None, env)
    assert url == "postgresql://svc:p%40ss%20word@db.internal:6543/memory_platform"
    assert resolve_target(None, {"DATABASE_URL": "postgresql://a@b/c", **env}) == "postgresql://a@b/c"
    assert resolve_target("postgresql://x@y/z", env) == "postgresql://x@y/z"
    with pytest.raises(InputError):
        resolve_target(None, {})


def test_server_down(dev_server) -> None:
    code, out, err = _run("drift", "-q", "--target", f"postgresql://app:{SECRET}@127.0.0.1:1/memory_platform",
                          "--dev-url", dev_server.url)
    _assert_one_line_error(code, err)
    assert "cannot connect" in err and "127.0.0.1:1" in err


def test_not_a_url() -> None:
    code, _, err = _run("drift", "-q", "--target", f"mysql://root:{SECRET}@localhost/x")
    _assert_one_line_error(code, err)


def test_missing_database(live_url: str, dev_server) -> None:
    target = with_dbname(live_url, "no_such_database_schemactl")
    code, _, err = _run("drift", "-q", "--target", target, "--dev-url", dev_server.url)
    _assert_one_line_error(code, err)
    assert "no_such_database_schemactl" in err


def test_wrong_password(password_server: str, dev_server) -> None:
    url = password_server.replace("://", f"://app:{SECRET}@", 1)
    code, _, err = _run("drift", "-q", "--target", url, "--dev-url", dev_server.url)
    _assert_one_line_error(code, err)
    assert "password authentication failed" in err


def test_broken_sql_file_names_file_and_line(tmp_path: Path, dev_server) -> None:
    (tmp_path / "a.sql").write_text("CREATE TABLE a (id int PRIMARY KEY);\n\nCREATE TABLE b (id int PRIMARY KEY,);\n")
    code, _, err = _run("diff", "-q", "--from", str(tmp_path), "--to", str(tmp_path), "--dev-url", dev_server.url)
    _assert_one_line_error(code, err)
    assert "a.sql:3:" in err


def test_server_rejects_statement_with_file_and_line(tmp_path: Path, dev_server) -> None:
    (tmp_path / "t.sql").write_text(
        "CREATE TABLE a (\n    id int PRIMARY KEY,\n    owner text REFERENCES nowhere (id)\n);\n")
    empty = tmp_path / "empty.sql"
    empty.write_text("")
    code, _, err = _run("diff", "-q", "--from", str(empty), "--to", str(tmp_path / "t.sql"),
                        "--dev-url", dev_server.url)
    _assert_one_line_error(code, err)
    assert "t.sql:3:" in err and "nowhere" in err


def test_empty_schema_directory(tmp_path: Path) -> None:
    empty = tmp_path / "schema"
    empty.mkdir()
    code, _, err = _run("validate", "--schema-dir", str(empty))
    _assert_one_line_error(code, err)
    assert "no .sql files" in err


def test_missing_source_path(tmp_path: Path) -> None:
    code, _, err = _run("diff", "-q", "--from", str(tmp_path / "nope"), "--to", str(REPO / "schema"))
    _assert_one_line_error(code, err)


def test_console_script_has_help_and_no_traceback() -> None:
    exe = shutil.which("schemactl", path=str(Path(sys.executable).parent)) or "schemactl"
    helped = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0
    for command in ("validate", "diff", "drift", "apply", "migrate", "lint", "generate"):
        assert command in helped.stdout
    bad = subprocess.run([exe, "drift", "-q", "--target", f"postgresql://u:{SECRET}@127.0.0.1:1/x"],
                         capture_output=True, text=True, timeout=120, env={**os.environ, "SCHEMACTL_DEV_URL": ""})
    assert bad.returncode == EXIT_ERROR
    assert "Traceback" not in bad.stderr and SECRET not in bad.stderr + bad.stdout


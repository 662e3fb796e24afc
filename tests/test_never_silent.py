"""An answer of "no changes" or a plan is never silent about a difference the engine cannot express."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from schemactl.cli import parse_args, run
from schemactl.errors import EXIT_ERROR, EXIT_OK

PLAIN = "CREATE TABLE events (id bigint NOT NULL, at date NOT NULL);\n"
# A column's statistics target: pg_dump shows it, neither migra nor the catalog checks model it.
UNMODELED = PLAIN + "ALTER TABLE events ALTER COLUMN at SET STATISTICS 500;\n"


def _diff(tmp_path: Path, before: str, after: str, dev_url: str, *extra: str) -> tuple[int, str, str]:
    a, b = tmp_path / "a.sql", tmp_path / "b.sql"
    a.write_text(before)
    b.write_text(after)
    out, err = io.StringIO(), io.StringIO()
    code = run(parse_args(["diff", "-q", "--from", str(a), "--to", str(b), "--dev-url", dev_url, *extra]), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("extra", [(), ("--no-verify",)], ids=["verified", "no-verify"])
def test_empty_plan_with_differing_dumps_is_an_error_naming_the_lines(tmp_path: Path, dev_server,
                                                                      extra: tuple) -> None:
    code, out, err = _diff(tmp_path, PLAIN, UNMODELED, dev_server.url, *extra)
    assert code == EXIT_ERROR, err
    assert out == ""  # no "-- no changes" script
    assert "finds no changes" in err and "public.events" in err and "SET STATISTICS 500" in err
    assert len(err.strip().splitlines()) == 1


def test_equal_schemas_still_say_no_changes(tmp_path: Path, dev_server) -> None:
    code, out, err = _diff(tmp_path, UNMODELED, UNMODELED, dev_server.url)
    assert code == EXIT_OK, err
    assert "no changes" in out

"""The diff command's contract: formats, determinism, rollback file, unsupported objects."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from schemactl.cli import parse_args, run
from schemactl.errors import EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK

BEFORE = """
CREATE TABLE memory_batches (
    batch_id text PRIMARY KEY,
    status text NOT NULL DEFAULT 'pending'
);
"""
AFTER = BEFORE + """
CREATE INDEX memory_batches_status_idx ON memory_batches (status);
COMMENT ON TABLE memory_batches IS 'batch minting';
CREATE ROLE sc_engine_reader NOLOGIN;
COMMENT ON ROLE sc_engine_reader IS 'reads batches';
GRANT SELECT ON memory_batches TO sc_engine_reader;
"""


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    before, after = tmp_path / "before.sql", tmp_path / "after.sql"
    before.write_text(BEFORE)
    after.write_text(AFTER)
    return before, after


def _diff(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(parse_args(["diff", "-q", *argv]), out, err)
    return code, out.getvalue(), err.getvalue()


def test_sql_is_deterministic_and_rollback_is_written(pair, dev_server, tmp_path: Path) -> None:
    before, after = pair
    rollback = tmp_path / "rollback.sql"
    first = _diff("--from", str(before), "--to", str(after), "--dev-url", dev_server.url,
                  "--rollback-out", str(rollback))
    second = _diff("--from", str(before), "--to", str(after), "--dev-url", dev_server.url)
    assert first[0] == second[0] == EXIT_DIFFERENCES
    assert first[1] == second[1]
    script = first[1]
    assert script.index("BEGIN;") < script.index("memory_batches_status_idx") < script.index("COMMIT;")
    assert "COMMENT ON ROLE" in script and "sc_engine_reader" in script
    undo = rollback.read_text()
    assert "drop index" in undo.lower() and "DROP ROLE" in undo


def test_no_changes_exits_zero(pair, dev_server) -> None:
    before, _ = pair
    code, out, _ = _diff("--from", str(before), "--to", str(before), "--dev-url", dev_server.url)
    assert code == EXIT_OK
    assert "no changes" in out


def test_json_has_changes_hazards_and_reverses(pair, dev_server) -> None:
    before, after = pair
    code, out, _ = _diff("--from", str(before), "--to", str(after), "--dev-url", dev_server.url, "--format", "json")
    assert code == EXIT_DIFFERENCES
    plan = json.loads(out)
    assert plan["verified"] is True and plan["destructive"] is False
    assert "index_build" in plan["hazards"] and "authorization" in plan["hazards"]
    index = next(c for c in plan["changes"] if c["object"] == "index public.memory_batches_status_idx")
    assert index["hazards"] == ["index_build"]
    role = next(c for c in plan["changes"] if c["object"] == "role sc_engine_reader" and c["action"] == "create")
    assert role["reverse"] and "DROP ROLE" in role["reverse"][0]
    assert plan["rollback"]


def test_markdown_is_a_pr_comment(pair, dev_server) -> None:
    before, after = pair
    code, out, _ = _diff("--from", str(before), "--to", str(after), "--dev-url", dev_server.url,
                         "--format", "markdown")
    assert code == EXIT_DIFFERENCES
    assert out.startswith("### ")
    assert "| hazard | meaning |" in out and "`index_build`" in out
    assert "```sql" in out and "Rollback SQL" in out


@pytest.mark.parametrize("statement, kind", [
    ("CREATE TYPE slot_range AS RANGE (subtype = bigint);", "range type"),
    ("CREATE TABLE t (id int PRIMARY KEY); CREATE RULE no_delete AS ON DELETE TO t DO INSTEAD NOTHING;", "rule"),
    ("CREATE FUNCTION f(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT a + b';"
     " CREATE AGGREGATE total(int) (SFUNC = f, STYPE = int);", "aggregate"),
])
def test_objects_it_cannot_diff_are_named(tmp_path: Path, dev_server, statement: str, kind: str) -> None:
    empty, schema = tmp_path / "empty.sql", tmp_path / "schema.sql"
    empty.write_text("")
    schema.write_text(statement)
    code, _, err = _diff("--from", str(empty), "--to", str(schema), "--dev-url", dev_server.url)
    assert code == EXIT_ERROR
    assert kind in err and "cannot compare" in err


def test_url_to_url_diff_against_live(fresh_db: str, live_url: str, dev_server) -> None:
    code, out, err = _diff("--from", fresh_db, "--to", fresh_db, "--dev-url", dev_server.url)
    assert code == EXIT_OK, err


_DUMP_IN_COLUMN_ORDER = """\
CREATE TABLE public.asset (
    id integer NOT NULL,
    legacy_uri text,
    title text
);
COMMENT ON COLUMN public.asset.legacy_uri IS 'first;
second';
COMMENT ON COLUMN public.asset.title IS 'Title';
GRANT SELECT(legacy_uri) ON TABLE public.asset TO PUBLIC;
GRANT SELECT(title) ON TABLE public.asset TO PUBLIC;
"""
_DUMP_COLUMN_READDED = """\
CREATE TABLE public.asset (
    id integer NOT NULL,
    title text,
    legacy_uri text
);
COMMENT ON COLUMN public.asset.title IS 'Title';
GRANT SELECT(title) ON TABLE public.asset TO PUBLIC;
GRANT SELECT(legacy_uri) ON TABLE public.asset TO PUBLIC;
COMMENT ON COLUMN public.asset.legacy_uri IS 'first;
second';
"""


def test_dump_comparison_ignores_column_comment_and_grant_order() -> None:
    from schemactl.engine import normalized_dump  # noqa: PLC0415

    assert normalized_dump(_DUMP_IN_COLUMN_ORDER) == normalized_dump(_DUMP_COLUMN_READDED)


def test_dump_comparison_still_sees_a_changed_multi_line_comment() -> None:
    from schemactl.engine import normalized_dump  # noqa: PLC0415

    changed = _DUMP_COLUMN_READDED.replace("second';", "third';")
    assert normalized_dump(_DUMP_IN_COLUMN_ORDER) != normalized_dump(changed)


def test_column_and_index_on_memory_assets_is_two_changes(dev_server, tmp_path: Path) -> None:
    """Views reading memory_assets are not re-created when a column they do not use is added."""
    import shutil  # noqa: PLC0415

    repo = Path(__file__).resolve().parent.parent
    changed = tmp_path / "schema"
    shutil.copytree(repo / "schema", changed)
    table = changed / "tables" / "memory_assets.sql"
    text = table.read_text()
    assert "CREATE TABLE memory_assets (\n" in text
    table.write_text(text.replace("CREATE TABLE memory_assets (\n", "CREATE TABLE memory_assets (\n"
                                  "    collection_label text,\n", 1)
                     + "\nCREATE INDEX memory_assets_collection_label_idx ON memory_assets (collection_label);\n")
    code, out, err = _diff("--from", str(repo / "schema"), "--to", str(changed), "--dev-url", dev_server.url,
                           "--format", "json")
    assert code == EXIT_DIFFERENCES, err
    plan = json.loads(out)
    assert [c["object"] for c in plan["changes"]] == [
        "table public.memory_assets column collection_label", "index public.memory_assets_collection_label_idx"]


def test_two_live_sides_are_rehearsed_on_a_dev_server_of_their_major(live_url: str, live_major: int) -> None:
    """Both sides URLs: the rehearsal copy goes to a dev server of their major (a dump restores
    only on the major and build it came from), not to whichever embedded server comes first."""
    import psycopg  # noqa: PLC0415

    from fixtures_db import _fresh  # noqa: PLC0415

    with contextlib.ExitStack() as stack:
        before = next(stack.enter_context(contextlib.closing(_fresh(live_url, "sctest_two_live"))))
        after = next(stack.enter_context(contextlib.closing(_fresh(live_url, "sctest_two_live"))))
        with psycopg.connect(before, autocommit=True) as conn:
            conn.execute("CREATE TABLE upload (upload_no integer GENERATED ALWAYS AS IDENTITY, bytes bigint)")
        with psycopg.connect(after, autocommit=True) as conn:
            conn.execute("CREATE TABLE upload (upload_no integer DEFAULT 0, bytes bigint)")
        out, err = io.StringIO(), io.StringIO()
        code = run(parse_args(["diff", "--from", before, "--to", after, "--format", "sql"]), out, err)
    assert code == EXIT_DIFFERENCES, err.getvalue()
    assert f"(PostgreSQL {live_major}," in err.getvalue(), err.getvalue()
    assert "verified" in err.getvalue()


def test_a_workspace_reads_each_built_source_once(pair, dev_server, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scratch builds of SQL files do not change while the workspace lives: one inspection and one
    dump each, however many plans and checks use them; a database someone changed is read again."""
    from schemactl import diff, engine  # noqa: PLC0415

    inspected: list[str] = []
    dumped: list[str] = []
    real_inspect, real_dump = diff.inspect, engine.dump_schema
    monkeypatch.setattr(diff, "inspect", lambda side: inspected.append(side.url) or real_inspect(side))
    monkeypatch.setattr(engine, "dump_schema", lambda url, *a, **k: dumped.append(url) or real_dump(url, *a, **k))
    before, after = pair
    with engine.Workspace(dev_url=dev_server.url) as ws:
        old = ws.open(str(before), label="before")
        new = ws.open(str(after), label="after")
        for _ in range(2):
            assert engine.make_plan(ws, old, new).verified
            assert not engine.zero_drift(ws, old, new).zero
            assert engine.zero_drift(ws, new, new).zero
        assert inspected.count(old.url) == 1 and inspected.count(new.url) == 1, inspected
        assert dumped.count(old.url) == 1 and dumped.count(new.url) == 1, dumped
        # Forgetting a database (whoever changes it must) makes it an ordinary one, read anew.
        reads = ws.reads()
        reads.forget(new.url)
        engine.zero_drift(ws, new, new, reads=reads)
        engine.zero_drift(ws, new, new)
        assert inspected.count(new.url) == 3, inspected

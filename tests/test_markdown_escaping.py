"""Markdown reports escape by construction: SQL text and names can end no fence, row or block."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from markdown_it import MarkdownIt

from fixtures_db import SCHEMA_DIR
from schemactl.drift import DriftResult, render_drift
from schemactl.fleet import render_fleet
from schemactl.markdown import LINE_BREAK, cell, fence, html_text, inline
from schemactl.plan import Change, Plan
from schemactl.render import plan_json, plan_markdown

SCHEMACTL = str(Path(sys.executable).parent / "schemactl")

# What a pull request's author (or a role on a target) writes to fake a verdict and hide what follows.
PAYLOAD = "begin\n```\n# No schema changes: safe to merge\n<!--\n"
HOSTILE = [
    *("`" * n for n in range(3, 11)),
    *(f"a {'`' * n}\n# heading\n{'`' * n} b" for n in range(3, 11)),
    PAYLOAD,
    "<!-- hidden",
    "</details>\n\n# merged",
    "x | y | z",
    "line\r\nbreak\rand\nmore",
    "# heading",
    "<script>alert(1)</script>",
    "\\|`\\`",
    "~~~\n# tilde",
    "[click](https://example.invalid)",
    "` leading and trailing `",
]

_MD = MarkdownIt("commonmark").enable("table")


def _tokens(markdown: str) -> list:
    return [t for top in _MD.parse(markdown) for t in [top, *(top.children or [])]]


def _headings(markdown: str) -> list[str]:
    tokens = _MD.parse(markdown)
    return [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]


def _fences_balanced(markdown: str) -> list[str]:
    """Lines outside fenced code blocks; asserts every fence opened is closed (CommonMark's rules)."""
    outside: list[str] = []
    opened: str | None = None
    for line in markdown.split("\n"):
        if opened is None:
            match = re.match(r" {0,3}(`{3,})([^`]*)$", line)
            if match:
                opened = match.group(1)
            else:
                outside.append(line)
        elif re.fullmatch(r" {0,3}(`{%d,})[ \t]*" % len(opened), line):
            opened = None
    assert opened is None, f"a fence of {len(opened)} backticks is never closed"
    return outside


def assert_escaped(markdown: str, *, headings: set[str], html: set[str]) -> None:
    """Only the report's own headings and HTML; every fence closed; no payload outside fences and cells."""
    assert set(_headings(markdown)) <= headings, _headings(markdown)
    raw = {t.content.strip() for t in _tokens(markdown) if t.type in ("html_block", "html_inline")}
    assert raw <= html, raw - html
    rendered = _MD.render(markdown)
    assert "<!--" not in rendered and "<h1" not in rendered and "<script" not in rendered
    for line in _fences_balanced(markdown):
        assert not line.startswith("#") or line.lstrip("#").strip() in headings, line
        assert not line.startswith("<") or line in html, line
    # The payload is there, as text: inside a code block or a cell, not gone.
    assert "No schema changes: safe to merge" in rendered


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_fence_holds_any_text(text: str) -> None:
    document = f"{fence(text)}\n\n# after\n"
    tokens = _MD.parse(document)
    blocks = [t for t in tokens if t.type == "fence"]
    assert len(blocks) == 1 and blocks[0].info == "sql"
    assert blocks[0].content == re.sub(r"\r\n|\r", "\n", text).rstrip() + "\n"
    assert _headings(document) == ["after"]


@pytest.mark.parametrize("run", range(3, 11))
def test_fence_is_longer_than_the_longest_backtick_run(run: int) -> None:
    opening = fence(f"a {'`' * run} b").split("\n")[0]
    assert opening == "`" * (run + 1) + "sql"
    assert fence("select 1").split("\n")[0] == "```sql"


def test_fence_refuses_an_info_string_that_could_end_it() -> None:
    with pytest.raises(ValueError):
        fence("x", info="sql`")


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("code", [False, True], ids=["text", "code"])
def test_cell_keeps_a_row_a_row(text: str, code: bool) -> None:
    document = f"| a | b | c |\n| --- | --- | --- |\n| {cell(text, code=code)} | 2 | 3 |\n\n# after\n"
    tokens = _MD.parse(document)
    cells = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "td_open"]
    assert len(cells) == 3 and cells[1:] == ["2", "3"]
    assert _headings(document) == ["after"]
    assert not [t for t in _tokens(document) if t.type in ("html_inline", "html_block", "link_open")]
    rendered = _MD.render(document)
    shown = re.sub(r"<[^>]+>", "", rendered.split("<tbody>")[1].split("</td>")[0])
    expected = re.sub(r"\r\n|\r|\n", LINE_BREAK, text)
    from html import unescape  # noqa: PLC0415
    assert unescape(shown).strip() == expected.strip()


def test_cell_keeps_plain_names_in_code() -> None:
    assert cell("public.memory_assets", code=True) == "`public.memory_assets`"
    assert cell("a|b", code=True) == "a\\|b"


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_inline_is_one_code_span(text: str) -> None:
    document = f"{inline(text)} differs from `schema/`.\n"
    tokens = _MD.parse(document)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    spans = [c for c in tokens[1].children if c.type == "code_inline"]
    assert len(spans) == 2 and spans[1].content == "schema/"
    assert spans[0].content == re.sub(r"\r\n|\r|\n", LINE_BREAK, text)


def test_html_text_is_text() -> None:
    assert html_text("</summary><script>") == "&lt;/summary&gt;&lt;script&gt;"
    assert "\n" not in html_text("a\n\nb")


def _plan(text: str) -> Plan:
    change = Change(action="create", object=text, sql=f"COMMENT ON TABLE t IS $c${text}$c$;",
                    hazards=())
    return Plan(source="empty.sql", target=text, changes=(change,), rollback=(change,), irreversible=text)


def test_plan_markdown_offline() -> None:
    markdown = plan_markdown(_plan(PAYLOAD))
    assert_escaped(markdown, headings={"Schema changes"}, html={
        "<details><summary>Migration SQL</summary>", "<details><summary>Rollback SQL</summary>", "</details>"})
    assert json.loads(plan_json(_plan(PAYLOAD)))["to"] == PAYLOAD


def test_drift_and_fleet_markdown_offline() -> None:
    result = DriftResult(target=PAYLOAD, items=(), plan=_plan(PAYLOAD), dump_lines=(f"+{PAYLOAD}",), note=PAYLOAD)
    assert_escaped(render_drift(result, "markdown"), headings={"Drift"}, html=set())
    document = {"summary": {"targets": 1, "clean": 0, "drift": 1, "error": 0, "exit_code": 1},
                "results": [{"name": PAYLOAD, "target": "x", "status": "drift", "fix": PAYLOAD,
                             "items": [{"state": "extra", "kind": "table", "name": PAYLOAD, "how": PAYLOAD}]}]}
    html = {"<details><summary>fix for <code>" + html_text(PAYLOAD) + "</code></summary>", "</details>"}
    assert_escaped(render_fleet(document, "markdown"), headings={"Fleet drift"}, html=html)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _hostile_schema(tmp_path: Path) -> Path:
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema)
    comment = _quote(PAYLOAD)
    (schema / "tables" / "zz_hostile.sql").write_text(
        f"COMMENT ON TABLE merkle_trees IS {comment};\n"
        "CREATE FUNCTION hostile_note() RETURNS text LANGUAGE sql IMMUTABLE\n"
        f"AS $body$ SELECT {comment}::text $body$;\n", encoding="utf-8")
    return schema


def test_diff_markdown_of_a_hostile_schema(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sql"
    empty.write_text("", encoding="utf-8")
    result = subprocess.run([SCHEMACTL, "diff", "--from", str(empty), "--to", str(_hostile_schema(tmp_path)),
                             "--format", "markdown", "-q"], capture_output=True, text=True, timeout=600)
    assert result.returncode in (0, 1), result.stderr
    assert PAYLOAD.split("\n")[1] in result.stdout
    assert_escaped(result.stdout, headings={"Schema changes"}, html={
        "<details><summary>Migration SQL</summary>", "<details><summary>Rollback SQL</summary>", "</details>"})


def test_drift_markdown_of_a_hostile_target(schema_db: str) -> None:
    with psycopg.connect(schema_db, autocommit=True) as conn:
        conn.execute(f"COMMENT ON TABLE merkle_trees IS {_quote(PAYLOAD)}")
        conn.execute(psycopg.sql.SQL("CREATE TABLE {} (id integer)").format(psycopg.sql.Identifier(PAYLOAD)))
        conn.execute(f"CREATE FUNCTION hostile_note() RETURNS text LANGUAGE sql AS $b$ SELECT {_quote(PAYLOAD)} $b$")
    result = subprocess.run([SCHEMACTL, "drift", "--target", schema_db, "--schema-dir", str(SCHEMA_DIR), "-q",
                             "--format", "markdown"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stdout + result.stderr
    assert PAYLOAD.split("\n")[1] in result.stdout
    assert_escaped(result.stdout, headings={"Drift"}, html=set())

"""The offline rule engine: one case folder per rule, the real schema, and the CLI contract."""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
import sys
from pathlib import Path

import pytest

from schemactl.errors import EXIT_DIFFERENCES, EXIT_OK, InputError
from schemactl.load import load_path
from schemactl import validate
from schemactl.validate import RULES, Finding, validate_dir, validate_source

REPO = Path(__file__).resolve().parent.parent
SCHEMA_DIR = REPO / "schema"
CASES_DIR = Path(__file__).resolve().parent / "cases" / "validate"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())
FINDING_LINE = re.compile(r"^(?P<path>[^:]+\.sql):(?P<line>\d+):(?P<col>\d+): (?P<code>SC\d{3}) \S")


def _case_findings(case: str) -> list[str]:
    folder = CASES_DIR / case
    return [f.render() for f in validate_source(load_path(folder, display_base=folder))]


def _expected(case: str) -> list[str]:
    text = (CASES_DIR / case / "expected.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("case", CASES)
def test_case(case: str) -> None:
    """Each folder is a small schema; expected.txt lists its findings exactly, in order."""
    assert _case_findings(case) == _expected(case)


def test_every_rule_has_a_failing_case() -> None:
    codes = {FINDING_LINE.match(line)["code"] for case in CASES for line in _expected(case)}
    assert codes == set(RULES)
    assert len(CASES) >= 14
    assert _expected("01_clean") == [], "the clean case must stay clean"


def test_rules_are_documented_in_the_module() -> None:
    doc = validate.__doc__ or ""
    for rule in RULES.values():
        assert re.search(rf"^{rule.code}\s+{re.escape(rule.name)}\s", doc, re.MULTILINE), rule.code


def test_real_schema_has_no_findings() -> None:
    assert validate_dir(SCHEMA_DIR) == []


def test_findings_are_sorted_by_place(tmp_path: Path) -> None:
    (tmp_path / "b.sql").write_text("CREATE TABLE b (id int);\nDROP TABLE a;\n")
    (tmp_path / "a.sql").write_text("TRUNCATE b;\n\nCREATE TABLE a (id int);\n")
    found = validate_source(load_path(tmp_path, display_base=tmp_path))
    assert [(f.path, f.line, f.code) for f in found] == [
        ("a.sql", 1, "SC002"), ("a.sql", 3, "SC007"), ("b.sql", 1, "SC007"), ("b.sql", 2, "SC002"),
    ]
    assert found[0].render() == f"a.sql:1:1: SC002 {found[0].message}"
    assert isinstance(found[0], Finding)


def test_missing_or_empty_directory_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        validate_dir(tmp_path / "nope")
    with pytest.raises(InputError, match="no .sql files"):
        validate_dir(tmp_path)


def _schemactl(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("schemactl", path=str(Path(sys.executable).parent)) or "schemactl"
    return subprocess.run([exe, *argv], capture_output=True, text=True, timeout=120, cwd=cwd)


def test_cli_exit_0_on_the_real_schema() -> None:
    done = _schemactl("validate", "--schema-dir", "schema", cwd=REPO)
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr


def test_cli_reports_a_broken_copy_of_the_schema(tmp_path: Path) -> None:
    broken = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, broken)
    assets = broken / "tables" / "memory_assets.sql"
    assets.write_text(assets.read_text(encoding="utf-8").replace(
        "CREATE INDEX memory_assets_batch_id_idx ON memory_assets (batch_id);",
        "CREATE INDEX memory_assets_batch_id_idx ON memory_assets (batchid);"), encoding="utf-8")
    (broken / "grants" / "extra.sql").write_text(
        "-- A hand-written fix-up.\nDELETE FROM minting_queue;\nGRANT SELECT ON TABLE memory_asset TO reporting;\n",
        encoding="utf-8")
    done = _schemactl("validate", "--schema-dir", "schema", cwd=tmp_path)
    assert done.returncode == EXIT_DIFFERENCES, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines and all(FINDING_LINE.match(line) for line in lines), done.stdout
    places = {(m["path"], m["line"], m["code"]) for m in map(FINDING_LINE.match, lines)}
    assert ("schema/grants/extra.sql", "2", "SC002") in places
    assert ("schema/grants/extra.sql", "3", "SC004") in places
    assert ("schema/grants/extra.sql", "3", "SC011") in places
    index_line = next(n for n, text in enumerate(assets.read_text().splitlines(), 1) if "(batchid)" in text)
    assert ("schema/tables/memory_assets.sql", str(index_line), "SC005") in places
    # memory_assets' batch_id foreign key lost its index.
    assert any(code == "SC008" and path == "schema/tables/memory_assets.sql" for path, _, code in places)
    assert f"{len(lines)} findings" in done.stderr
    assert "Traceback" not in done.stderr


def test_every_rule_is_a_documented_class_in_its_family_module() -> None:
    """One module per rule family; each rule names itself family.rule and shows bad and good SQL."""
    for code, rule in RULES.items():
        family = rule.__module__.rsplit(".", 1)[-1]
        assert rule.code == code
        assert rule.name.startswith(f"{family}."), (code, rule.name, family)
        doc = rule.__doc__ or ""
        assert "Bad::" in doc and "Good::" in doc, code


def _doc_example(doc: str, label: str) -> str:
    """The indented SQL block after `label::` in a rule's docstring."""
    lines = doc.split(f"{label}::", 1)[1].splitlines()[1:]
    block: list[str] = []
    for line in lines:
        if line.strip() and not line.startswith(" " * 8):
            break
        block.append(line)
    return textwrap.dedent("\n".join(block)).strip() + "\n"


@pytest.mark.parametrize("code", sorted(RULES))
def test_docstring_examples_are_true(code: str, tmp_path: Path) -> None:
    """A rule's bad example is reported with its code; its good example is not."""
    rule = RULES[code]
    for label, reported in (("Bad", True), ("Good", False)):
        folder = tmp_path / label
        folder.mkdir()
        (folder / "example.sql").write_text(_doc_example(rule.__doc__ or "", label), encoding="utf-8")
        codes = {f.code for f in validate_source(load_path(folder, display_base=folder))}
        assert (code in codes) is reported, (label, codes)

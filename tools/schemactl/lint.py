"""Lint: sqlfluff over the schema sources, squawk over the generated migrations; one finding format."""

from __future__ import annotations

import bisect
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemactl.errors import InputError, SchemactlError
from schemactl.objects import qualify

__all__ = [
    "LintFinding",
    "ToolMissing",
    "is_rollback",
    "migration_files",
    "schema_files",
    "sqlfluff_findings",
    "squawk_findings",
]

Progress = Callable[[str], None]

# A rollback script undoes its migration: dropping what the migration created is its
# purpose, so squawk's rules against destructive statements would flag every one of them.
# Rollbacks run only through `schemactl migrate down`, which refuses data loss without
# --allow-destructive; they are checked there, not linted as forward migrations.
_ROLLBACK = re.compile(r"(^|[._-])rollback$", re.IGNORECASE)
_SQUAWK_TIMEOUT = 120

# squawk rules whose hazard is what an ALTER does to a table other sessions already use:
# rows scanned or rewritten, or a lock held while they are. A table created earlier in the
# same transaction is invisible to every other session and holds only that transaction's
# rows, so these findings do not apply to it (squawk itself already reasons this way for
# CREATE INDEX). On any table that existed before the transaction they are still reported.
NEW_TABLE_RULES = frozenset({
    "adding-foreign-key-constraint",
    "adding-not-nullable-field",
    "adding-required-field",
    "changing-column-type",
    "constraint-missing-not-valid",
    "disallowed-unique-constraint",
})


class ToolMissing(SchemactlError):
    """sqlfluff or squawk is not installed where the tool looks for it."""


@dataclass(frozen=True, order=True)
class LintFinding:
    """One problem a linter reported, at a file position."""

    path: str
    line: int
    col: int
    code: str
    message: str
    tool: str = ""
    warning: bool = False

    def render(self) -> str:
        """`path:line:col: CODE message`, the format of every finding the tool prints."""
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def schema_files(schema_dir: Path) -> list[Path]:
    """Every .sql file under schema_dir, in a stable order."""
    if not schema_dir.is_dir():
        raise InputError(f"{schema_dir}: no such directory (pass --schema-dir)")
    return sorted(p for p in schema_dir.rglob("*.sql") if p.is_file())


def is_rollback(path: Path) -> bool:
    """True for a rollback script (`0002_add_x_rollback.sql`), which squawk does not lint."""
    return bool(_ROLLBACK.search(path.stem))


def migration_files(migrations_dir: Path) -> tuple[list[Path], list[Path]]:
    """(forward migrations, rollback scripts) directly in migrations_dir; none if it does not exist."""
    if not migrations_dir.is_dir():
        return [], []
    files = sorted(p for p in migrations_dir.glob("*.sql") if p.is_file())
    return [p for p in files if not is_rollback(p)], [p for p in files if is_rollback(p)]


# ---------------------------------------------------------------------------
# sqlfluff

def _fluff_config(config_file: Path) -> Any:
    try:
        from sqlfluff.core import FluffConfig  # noqa: PLC0415
    except ImportError:
        raise ToolMissing("sqlfluff is not installed in this Python; run `make install` "
                          "(pyproject pins sqlfluff==4.5.0)") from None
    if not config_file.is_file():
        raise InputError(f"{config_file}: sqlfluff config not found (run from the repository root "
                         "or pass --sqlfluff-config)")
    # Only the project's file: no user-level or per-directory config may change the verdict.
    return FluffConfig.from_string(config_file.read_text(encoding="utf-8"))


def sqlfluff_findings(files: Sequence[Path], config_file: Path) -> list[LintFinding]:
    """sqlfluff's violations (lint and parse errors) for each file, under the project's config."""
    from sqlfluff.core import Linter  # noqa: PLC0415

    linter = Linter(config=_fluff_config(config_file))
    findings: list[LintFinding] = []
    for file in files:
        shown = _display(file)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{shown}: cannot read: {exc}") from None
        linted = linter.lint_string(text, fname=shown)
        for violation in linted.get_violations():
            findings.append(LintFinding(
                path=shown,
                line=int(violation.line_no or 1),
                col=int(violation.line_pos or 1),
                code=violation.rule_code(),
                message=" ".join(violation.desc().split()),
                tool="sqlfluff",
                warning=bool(getattr(violation, "warning", False)),
            ))
    return sorted(findings)


# ---------------------------------------------------------------------------
# squawk

def find_squawk() -> Path:
    """The squawk binary: the one installed beside this Python (pinned in pyproject), else on PATH."""
    beside = Path(sys.executable).parent / "squawk"
    if beside.is_file():
        return beside
    found = shutil.which("squawk")
    if found:
        return Path(found)
    raise ToolMissing(f"squawk not found in {beside.parent} or on PATH; run `make install` "
                      "(pyproject pins squawk-cli==2.70.0)")


def squawk_findings(files: Sequence[Path], config_file: Path, *,
                    progress: Progress | None = None) -> list[LintFinding]:
    """squawk's violations for each migration file, under the project's .squawk.toml.

    Findings of NEW_TABLE_RULES on a table created earlier in the same transaction are waived
    (and counted through progress).
    """
    if not files:
        return []
    if not config_file.is_file():
        raise InputError(f"{config_file}: squawk config not found (run from the repository root "
                         "or pass --squawk-config)")
    command = [str(find_squawk()), "--config", str(config_file), "--reporter", "json",
               *(str(f) for f in files)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=_SQUAWK_TIMEOUT, check=False)
    except OSError as exc:
        raise ToolMissing(f"squawk could not be started: {exc}") from None
    except subprocess.TimeoutExpired:
        raise SchemactlError(f"squawk did not finish within {_SQUAWK_TIMEOUT}s") from None
    try:
        reported = json.loads(result.stdout) if result.stdout.strip() else None
    except json.JSONDecodeError:
        reported = None
    if result.returncode not in (0, 1) or not isinstance(reported, list):
        # squawk exits 1 for violations and for its own errors (a bad config); only JSON tells them apart.
        problem = " ".join((result.stderr or result.stdout or "no output").split())[:300]
        raise SchemactlError(f"squawk failed (exit {result.returncode}): {problem}")
    shown = {str(f): _display(f) for f in files}
    fresh = {shown[str(f)]: _new_table_statements(f) for f in files}
    findings = [
        LintFinding(
            path=shown.get(item.get("file", ""), item.get("file", "")),
            # squawk's JSON positions are 0-based (its own terminal report shows them 1-based).
            line=int(item.get("line") or 0) + 1,
            col=int(item.get("column") or 0) + 1,
            code=str(item.get("rule_name", "squawk")),
            message=" ".join(
                part for part in (item.get("message") or "", _help(item.get("help"))) if part
            ),
            tool="squawk",
        )
        for item in reported
    ]
    kept = sorted(f for f in findings if not _on_new_table(f, fresh.get(f.path)))
    if progress is not None and len(kept) < len(findings):
        progress(f"squawk: {len(findings) - len(kept)} findings waived: they concern tables created "
                 "earlier in the same transaction")
    return kept


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(i + 1 for i, char in enumerate(text) if char == "\n")
    return starts


def _new_table_statements(path: Path) -> list[tuple[int, int, bool]] | None:
    """(first line, last line, alters a table created earlier in the same open transaction) per statement.

    None when pglast cannot parse the file: then no finding is waived.
    """
    from pglast import ast, parse_sql  # noqa: PLC0415
    from pglast.enums import TransactionStmtKind  # noqa: PLC0415
    from pglast.parser import ParseError  # noqa: PLC0415

    try:
        text = path.read_text(encoding="utf-8")
        raw_statements = parse_sql(text)
    except (OSError, UnicodeDecodeError, ParseError):
        return None
    starts = _line_starts(text)

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset)

    spans: list[tuple[int, int, bool]] = []
    created: set[str] = set()
    in_transaction = False
    for raw in raw_statements:
        node = raw.stmt
        begin = raw.stmt_location or 0
        end = begin + raw.stmt_len if raw.stmt_len else len(text)
        # The location starts right after the previous ";": skip to this statement's own line.
        begin += len(text[begin:end]) - len(text[begin:end].lstrip())
        exempt = False
        if isinstance(node, ast.TransactionStmt):
            if node.kind in (TransactionStmtKind.TRANS_STMT_BEGIN, TransactionStmtKind.TRANS_STMT_START):
                in_transaction = True
            elif node.kind in (TransactionStmtKind.TRANS_STMT_COMMIT, TransactionStmtKind.TRANS_STMT_ROLLBACK):
                in_transaction = False
                created.clear()
        elif isinstance(node, ast.CreateStmt) and in_transaction:
            created.add(qualify(node.relation.schemaname, node.relation.relname))
        elif isinstance(node, ast.AlterTableStmt) and in_transaction:
            exempt = qualify(node.relation.schemaname, node.relation.relname) in created
        spans.append((line_of(begin), line_of(max(begin, end - 1)), exempt))
    return spans


def _on_new_table(finding: LintFinding, spans: list[tuple[int, int, bool]] | None) -> bool:
    if finding.code not in NEW_TABLE_RULES or not spans:
        return False
    covering = [exempt for first, last, exempt in spans if first <= finding.line <= last]
    return bool(covering) and all(covering)


def _help(text: str | None) -> str:
    return f"(help: {' '.join(text.split())})" if text else ""

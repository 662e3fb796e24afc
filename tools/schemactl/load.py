"""Load stage: read SQL sources, parse every statement with pglast, keep file:line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pglast import ast, parse_sql
from pglast.parser import ParseError

from schemactl import objects
from schemactl.errors import InputError

__all__ = ["Statement", "Source", "ParseFailure", "load_path", "load_text", "location", "sql_files"]


@dataclass(frozen=True)
class Statement:
    """One top-level SQL statement of the desired schema, with where it came from."""

    path: str
    line: int
    col: int
    sql: str
    node: Any = field(compare=False, repr=False)
    kind: str = ""
    name: str = ""
    provides: frozenset[str] = frozenset()
    requires: frozenset[str] = frozenset()

    @property
    def where(self) -> str:
        """`path:line:col`, the prefix of every finding about this statement."""
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class ParseFailure:
    """A file pglast could not parse: where and why."""

    path: str
    line: int
    col: int
    message: str


@dataclass(frozen=True)
class Source:
    """Everything read from one SQL source (a directory or a file)."""

    root: str
    statements: tuple[Statement, ...]
    failures: tuple[ParseFailure, ...] = ()
    files: tuple[str, ...] = ()


def location(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset in text."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def _skip_blank(text: str, offset: int) -> int:
    """Advance past whitespace and comments to the statement's first token."""
    n = len(text)
    while offset < n:
        if text[offset].isspace():
            offset += 1
        elif text.startswith("--", offset):
            end = text.find("\n", offset)
            offset = n if end < 0 else end + 1
        elif text.startswith("/*", offset):
            end = text.find("*/", offset + 2)
            offset = n if end < 0 else end + 2
        else:
            break
    return offset


def load_text(text: str, path: str) -> tuple[list[Statement], list[ParseFailure]]:
    """Parse one file's text; a parse error yields a failure instead of statements."""
    try:
        raw_statements = parse_sql(text)
    except ParseError as exc:
        message = str(exc.args[0]) if exc.args else str(exc)
        offset = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
        line, col = location(text, offset)
        return [], [ParseFailure(path=path, line=line, col=col, message=message)]
    statements: list[Statement] = []
    for raw in raw_statements or ():
        start = _skip_blank(text, raw.stmt_location or 0)
        end = (raw.stmt_location or 0) + raw.stmt_len if raw.stmt_len else len(text)
        sql = text[start:end].strip().rstrip(";").strip()
        line, col = location(text, start)
        facts = objects.describe(raw.stmt)
        statements.append(
            Statement(
                path=path,
                line=line,
                col=col,
                sql=sql,
                node=raw.stmt,
                kind=facts.kind,
                name=facts.name,
                provides=frozenset(facts.provides),
                requires=frozenset(facts.requires),
            )
        )
    return statements, []


def _sql_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.sql") if p.is_file())


def sql_files(root: Path) -> list[Path]:
    """The files a directory source is read from (the desired-state cache hashes the same ones)."""
    return _sql_files(root)


def load_path(source: str | Path, *, display_base: Path | None = None) -> Source:
    """Read a directory of .sql files (recursively) or one .sql file."""
    root = Path(source)
    if root.is_dir():
        files = _sql_files(root)
        if not files:
            raise InputError(f"{root}: no .sql files in this directory")
    elif root.is_file():
        files = [root]
    else:
        raise InputError(f"{root}: no such file or directory")
    base = display_base if display_base is not None else Path.cwd()
    statements: list[Statement] = []
    failures: list[ParseFailure] = []
    shown: list[str] = []
    for file in files:
        try:
            display = str(file.resolve().relative_to(base.resolve()))
        except ValueError:
            display = str(file)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{display}: cannot read: {exc}") from None
        found, failed = load_text(text, display)
        statements.extend(found)
        failures.extend(failed)
        shown.append(display)
    return Source(root=str(root), statements=tuple(statements), failures=tuple(failures), files=tuple(shown))


def require_parsed(source: Source) -> Source:
    """Raise InputError naming file:line for the first unparsable file (an empty file is an empty schema)."""
    if source.failures:
        first = source.failures[0]
        more = f" (and {len(source.failures) - 1} more)" if len(source.failures) > 1 else ""
        raise InputError(f"{first.path}:{first.line}:{first.col}: syntax error: {first.message}{more}")
    return source


def is_statement_node(node: Any) -> bool:
    """True for pglast statement nodes (helps callers that walk the AST)."""
    return isinstance(node, ast.Node)

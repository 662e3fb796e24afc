"""Load stage: read SQL sources, parse every statement with pglast, keep file:line."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pglast import ast, parse_sql
from pglast.parser import ParseError

from schemactl import objects
from schemactl.errors import InputError

__all__ = ["Marker", "Statement", "Source", "ParseFailure", "load_path", "load_text", "location", "sql_files",
           "MARKER_PREFIX"]

# A line comment `-- schemactl:KEYWORD ARGUMENT` is a directive to the tool (renames.py).
MARKER_PREFIX = "schemactl:"


@dataclass(frozen=True)
class Marker:
    """A `-- schemactl:KEYWORD ARGUMENT` comment and the definition it is attached to.

    column names the column definition of a CREATE TABLE the comment stands above (or ends
    the line of); None with on_statement means the statement itself (a comment above it or
    on its first line before `(`); None without it means attached to nothing.
    """

    keyword: str
    argument: str
    line: int
    col: int
    column: str | None = None
    on_statement: bool = False


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
    markers: tuple[Marker, ...] = ()

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


class _Lines:
    """(line, column) of offsets in one text, by bisection over its newlines (a file of many
    statements would otherwise be counted from its start once per statement)."""

    def __init__(self, text: str) -> None:
        self._length = len(text)
        self._newlines = [m.start() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, self._length))
        before = bisect.bisect_left(self._newlines, offset)
        start = self._newlines[before - 1] + 1 if before else 0
        return before + 1, offset - start + 1


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
    markers = _markers(text, raw_statements or ())
    lines = _Lines(text)
    for number, raw in enumerate(raw_statements or ()):
        start = _skip_blank(text, raw.stmt_location or 0)
        end = (raw.stmt_location or 0) + raw.stmt_len if raw.stmt_len else len(text)
        sql = text[start:end].strip().rstrip(";").strip()
        line, col = lines.at(start)
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
                markers=markers.get(number, ()),
            )
        )
    return statements, []


def _markers(text: str, raw_statements: Any) -> dict[int, tuple[Marker, ...]]:
    """The schemactl: comments of a file by statement number, each attached as Marker describes.

    The scanner's offsets are bytes, so positions are computed on the UTF-8 bytes. A comment
    after the last statement belongs to none; it is reported with the last one, attached to nothing.
    """
    from pglast.parser import scan  # noqa: PLC0415

    data = text.encode("utf-8")
    if MARKER_PREFIX.encode() not in data:
        return {}
    tokens = scan(text)
    # libpg_query's statement locations skip leading comments: a statement's region runs from
    # the end of the one before it (a comment above a statement belongs to it).
    ends = [(raw.stmt_location or 0) + (raw.stmt_len or len(data)) for raw in raw_statements]
    found: dict[int, list[Marker]] = {}
    for token in tokens:
        if token.name != "SQL_COMMENT":
            continue
        body = data[token.start + 2:token.end + 1].decode("utf-8").strip()
        if not body.startswith(MARKER_PREFIX):
            continue
        keyword, _, argument = body[len(MARKER_PREFIX):].partition(" ")
        line, col = location(text, len(data[:token.start].decode("utf-8", errors="replace")))
        marker = Marker(keyword=keyword.strip(), argument=argument.strip(), line=line, col=col)
        number = next((i for i, end in enumerate(ends) if token.start < end), None)
        if number is None:
            if ends:
                found.setdefault(len(ends) - 1, []).append(marker)  # after the last statement: attached to nothing
            continue
        if number > 0 and data[:ends[number - 1]].count(b"\n") == data[:token.start].count(b"\n"):
            found.setdefault(number - 1, []).append(marker)  # ends the line of the statement before: nothing
            continue
        found.setdefault(number, []).append(_attach(marker, token.start, data, tokens, raw_statements[number]))
    return {number: tuple(markers) for number, markers in found.items()}


def _attach(marker: Marker, offset: int, data: bytes, tokens: Any, raw: Any) -> Marker:
    """The marker bound to its CREATE TABLE or to one of its column definitions."""
    from dataclasses import replace  # noqa: PLC0415

    node = raw.stmt
    if not isinstance(node, ast.CreateStmt):
        return marker
    start = raw.stmt_location or 0
    opening = next((t.start for t in tokens if t.start >= start and t.name == "ASCII_40"), None)
    line_of = data[:offset].count(b"\n")
    if opening is None or offset < opening or data[:opening].count(b"\n") == line_of:
        return replace(marker, on_statement=True)
    elements = sorted((e for e in node.tableElts or () if getattr(e, "location", None) is not None),
                      key=lambda e: e.location)
    same_line = [e for e in elements if e.location < offset and data[:e.location].count(b"\n") == line_of]
    if same_line:
        # The comment ends the line of a definition: it belongs to that one.
        trailing = same_line[-1]
        return replace(marker, column=trailing.colname) if isinstance(trailing, ast.ColumnDef) else marker
    following = next((e for e in elements if e.location > offset), None)
    if isinstance(following, ast.ColumnDef):
        return replace(marker, column=following.colname)
    return marker


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

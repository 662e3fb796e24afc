"""Syntax rules: what pglast cannot parse."""

from __future__ import annotations

from collections.abc import Iterator

from schemactl.validate.base import Finding, Rule
from schemactl.validate.symbols import Symbols

__all__ = ["RULES", "ParseError", "check"]


class ParseError(Rule):
    """A file pglast (PostgreSQL's own parser) cannot parse, at the error's line and column.

    Bad::

        CREATE TABLE memory_assets (asset_id uuid PRIMARY KEY,);

    Good::

        CREATE TABLE memory_assets (asset_id uuid PRIMARY KEY);
    """

    code = "SC001"
    name = "syntax.parse-error"
    summary = "a file pglast cannot parse"


RULES = (ParseError,)


def check(symbols: Symbols) -> Iterator[Finding]:
    """One finding per file that failed to parse."""
    for failure in symbols.source.failures:
        yield Finding(path=failure.path, line=failure.line, col=failure.col, code=ParseError.code,
                      message=failure.message)

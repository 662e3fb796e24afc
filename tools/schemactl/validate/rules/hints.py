"""Hint rules: `-- schemactl:` comments the tool acts on (renames.py) must be valid where they stand."""

from __future__ import annotations

from collections.abc import Iterator

from schemactl.validate.base import Finding, Rule
from schemactl.validate.symbols import Symbols

__all__ = ["RULES", "RenameHint", "check"]


class RenameHint(Rule):
    """A `-- schemactl:` comment that is not a valid rename hint: an unknown directive, not one
    lower-case name, attached to no column definition or CREATE TABLE, two on one object, or a
    former name the schema still uses. A valid hint turns a drop and an add into a RENAME.

    Bad::

        CREATE TABLE memory_assets (
            asset_id text PRIMARY KEY,
            -- schemactl:renamed-from Display Title
            title text
        );

    Good::

        CREATE TABLE memory_assets (
            asset_id text PRIMARY KEY,
            -- schemactl:renamed-from name
            title text
        );
    """

    code = "SC015"
    name = "hints.rename-hint"
    summary = "a schemactl:renamed-from hint that is malformed or misplaced"


RULES = (RenameHint,)


def check(symbols: Symbols) -> Iterator[Finding]:
    """One finding per schemactl: comment that is not a valid hint."""
    from schemactl.renames import hint_problems  # noqa: PLC0415

    for statement, line, col, message in hint_problems(symbols.source):
        yield Finding(path=statement.path, line=line, col=col, code=RenameHint.code, message=message)

"""Duplicate rules: every object is defined exactly once."""

from __future__ import annotations

from collections.abc import Iterator

from schemactl.validate.base import Issue, Rule
from schemactl.validate.symbols import Symbols

__all__ = ["RULES", "DuplicateObject", "check"]


class DuplicateObject(Rule):
    """An object defined twice.

    A relation name (table, view, sequence, index, the index of a PRIMARY KEY/UNIQUE
    constraint), a function signature, a trigger or policy on one table, a role, a schema, an
    extension, a column or a constraint name within one table.

    Bad::

        CREATE TABLE merkle_trees (tree_address text PRIMARY KEY);
        CREATE TABLE merkle_trees (tree_address text PRIMARY KEY, max_depth int);

    Good::

        CREATE TABLE merkle_trees (tree_address text PRIMARY KEY, max_depth int);
    """

    code = "SC003"
    name = "duplicates.duplicate-object"
    summary = "an object defined twice"


RULES = (DuplicateObject,)


def check(symbols: Symbols) -> Iterator[Issue]:
    """The names the symbol table found taken while it collected definitions."""
    yield from symbols.duplicates

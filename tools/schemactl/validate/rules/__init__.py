"""The rule families, one module each; every rule has a code, a dotted name and bad/good SQL in its docstring."""

from __future__ import annotations

from types import ModuleType

from schemactl.validate.base import Rule
from schemactl.validate.rules import (
    databases,
    declarative,
    duplicates,
    hints,
    keys,
    references,
    rls,
    roles,
    syntax,
    views,
)

__all__ = ["FAMILIES", "RULES"]

# In code order of their first rule; each module has RULES and check(symbols).
FAMILIES: tuple[ModuleType, ...] = (syntax, declarative, duplicates, references, keys, rls, roles, databases,
                                        hints, views)

RULES: dict[str, type[Rule]] = dict(sorted((rule.code, rule) for family in FAMILIES for rule in family.RULES))

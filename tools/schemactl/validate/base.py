"""What every rule shares: the finding it reports, the issue it raises, and the rule's own shape."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from schemactl.validate.symbols import Located

__all__ = ["Finding", "Issue", "Rule"]


@dataclass(frozen=True)
class Finding:
    """One rule violation at a place in the schema sources."""

    path: str
    line: int
    col: int
    code: str
    message: str

    def render(self) -> str:
        """`path:line:col: CODE message`, the line `schemactl validate` prints."""
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"


@dataclass(frozen=True)
class Issue:
    """A rule's verdict on one statement, before it is placed as file:line:col."""

    code: str
    at: Located
    message: str
    offset: int | None = None


class Rule:
    """A rule: a stable code, a dotted name (family.rule), and a docstring with bad and good SQL.

    A family module lists its rules and has one `check(symbols)` that yields their issues.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    # True when an unparsed file could define what the rule reports as missing.
    whole_schema: ClassVar[bool] = False


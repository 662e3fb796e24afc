"""PostgreSQL quoting for every name and literal the engine emits, migra's output included.

A schema read from a live database is untrusted input: a role, enum label or table name
can carry quotes. schemainspect builds some statements by pasting catalog text between
quotes without doubling them (enum labels, a policy's role list, a trigger's DROP, an enum
column's re-cast, collation and extension versions). `harden` re-renders those objects
through the helpers here; `one_statement` is the last line of defence before a statement
becomes part of a plan.
"""

from __future__ import annotations

from collections.abc import Iterable

from schemactl.errors import InputError

__all__ = ["ident", "qualified", "literal", "dollar_tag", "role", "harden", "one_statement", "split_statements",
           "UnsafeStatement"]


class UnsafeStatement(InputError):
    """Generated SQL does not parse to the one statement it should be; it is never printed."""


def ident(name: str) -> str:
    """An identifier, always quoted, embedded quotes doubled (PostgreSQL's quote_ident rule)."""
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str | None, name: str) -> str:
    """schema.name (or just name), both quoted."""
    return f"{ident(schema)}.{ident(name)}" if schema else ident(name)


def literal(value: str) -> str:
    """A string literal as quote_literal() writes it: quotes doubled, E'' when it holds a backslash."""
    body = value.replace("'", "''")
    if "\\" in value:
        return "E'" + body.replace("\\", "\\\\") + "'"
    return "'" + body + "'"


def dollar_tag(body: str, word: str = "body") -> str:
    """A dollar-quote tag ($word$, $word1$, ...) that does not occur in body, so body cannot end the quote."""
    tag, number = f"${word}$", 0
    while tag in body:
        number += 1
        tag = f"${word}{number}$"
    return tag


def role(name: str, *, public: str = "public") -> str:
    """A grantee: the catalog's spelling of PUBLIC (`public` in pg_policy, `PUBLIC` in
    information_schema) is the keyword, any other name a quoted identifier."""
    return "PUBLIC" if name == public else ident(name)


def _swap(objects: Iterable[object]) -> None:
    from schemactl.hardened import HARDENED  # noqa: PLC0415  (schemainspect is a heavy import)

    for obj in objects:
        safer = HARDENED.get(type(obj))
        if safer is not None:
            obj.__class__ = safer


def harden(inspector: object) -> object:
    """Make one schemainspect inspector render every catalog name and label quoted."""
    for family in ("enums", "rlspolicies", "triggers", "collations", "extensions", "privileges"):
        _swap(getattr(inspector, family, {}).values())
    for family in ("relations", "tables", "views", "materialized_views", "selectables"):
        _swap(getattr(inspector, family, {}).values())
    for relation in getattr(inspector, "relations", {}).values():
        _swap(relation.columns.values())
    return inspector


def split_statements(text: str) -> list[str]:
    """The statements of one generated string, each as its own text (pglast's split)."""
    from pglast import split  # noqa: PLC0415
    from pglast.parser import ParseError  # noqa: PLC0415

    try:
        return [s.strip() for s in split(text, with_parser=True) if s.strip()]
    except ParseError as exc:
        raise UnsafeStatement(f"generated SQL does not parse ({exc}): {text.strip()[:200]}") from None


def one_statement(text: str) -> str:
    """text, if it is exactly one statement; else a refusal (a name escaped its quotes)."""
    parts = split_statements(text)
    if len(parts) != 1:
        raise UnsafeStatement(f"generated SQL should be one statement but parses to {len(parts)}: "
                              f"{text.strip()[:200]}")
    return text

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


def _hardened_classes() -> dict[type, type]:
    """Subclasses of schemainspect's objects that render names and labels with the helpers above."""
    from schemainspect.inspected import ColumnInfo  # noqa: PLC0415
    from schemainspect.pg.obj import (  # noqa: PLC0415
        RLS_POLICY_CREATE,
        InspectedCollation,
        InspectedEnum,
        InspectedExtension,
        InspectedPrivilege,
        InspectedRowPolicy,
        InspectedSelectable,
        InspectedTrigger,
    )

    class Enum(InspectedEnum):
        @property
        def quoted_elements(self) -> str:
            return ", ".join(literal(e) for e in self.elements)

        def change_statements(self, new: InspectedEnum) -> list[str]:
            if not self.can_be_changed_to(new):
                raise ValueError
            statements, previous = [], None
            for label in new.elements:
                if label not in self.elements:
                    where = f"after {literal(previous)}" if previous else f"before {literal(self.elements[0])}"
                    statements.append(f"alter type {self.quoted_full_name} add value {literal(label)} {where};")
                previous = label
            return statements

    class Policy(InspectedRowPolicy):
        @property
        def create_statement(self) -> str:
            return RLS_POLICY_CREATE.format(
                name=self.quoted_name, table_name=self.quoted_full_table_name,
                permissiveness=self.permissiveness, commandtype_keyword=self.commandtype_keyword,
                roleslist=", ".join(role(r) for r in self.roles),
                qual_clause=f"\nusing ({self.qual})" if self.qual else "",
                withcheck_clause=f"\nwith check ({self.withcheck})" if self.withcheck else "")

    class Trigger(InspectedTrigger):
        @property
        def drop_statement(self) -> str:
            return f"drop trigger if exists {ident(self.name)} on {qualified(self.schema, self.table_name)};"

    class Collation(InspectedCollation):
        @property
        def create_statement(self) -> str:
            return (f"create collation if not exists {self.quoted_full_name} "
                    f"(provider = {literal(self.provider)}, locale = {literal(self.locale)});")

    class Extension(InspectedExtension):
        @property
        def create_statement(self) -> str:
            version = f" version {literal(self.version)}" if self.version else ""
            return f"create extension if not exists {self.quoted_name} with schema {self.quoted_schema}{version};"

        @property
        def update_statement(self) -> str | None:
            return f"alter extension {self.quoted_name} update to {literal(self.version)};" if self.version else None

    class Privilege(InspectedPrivilege):
        @property
        def quoted_target_user(self) -> str:
            return role(self.target_user, public="PUBLIC")

    class Relation(InspectedSelectable):
        @property
        def attach_statement(self) -> str | None:
            # schemainspect names a missing attribute here and puts the tables the wrong way round.
            if self.parent_table and self.partition_def:
                return f"alter table {self.parent_table} attach partition {self.quoted_full_name} {self.partition_def};"
            return super().attach_statement

    class Column(ColumnInfo):
        def change_enum_statement(self, table_name: str) -> str:
            if not self.is_enum:
                raise ValueError
            return (f"alter table {table_name} alter column {self.quoted_name} type {self.enum.quoted_full_name} "
                    f"using {self.quoted_name}::text::{self.enum.quoted_full_name};")

    return {InspectedEnum: Enum, InspectedRowPolicy: Policy, InspectedTrigger: Trigger,
            InspectedCollation: Collation, InspectedExtension: Extension, InspectedPrivilege: Privilege, InspectedSelectable: Relation,
            ColumnInfo: Column}


_HARDENED: dict[type, type] | None = None


def _swap(objects: Iterable[object]) -> None:
    global _HARDENED  # noqa: PLW0603  (built once, on first use: schemainspect is a heavy import)
    if _HARDENED is None:
        _HARDENED = _hardened_classes()
    for obj in objects:
        safer = _HARDENED.get(type(obj))
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

"""schemainspect's objects, re-rendering every catalog name and label through schemactl.quoting.

Module-level classes (not local ones) so an inspection holding them can be stored (schemactl.stored).
"""

from __future__ import annotations

from schemainspect.inspected import ColumnInfo
from schemainspect.pg.obj import (
    RLS_POLICY_CREATE,
    InspectedCollation,
    InspectedEnum,
    InspectedExtension,
    InspectedPrivilege,
    InspectedRowPolicy,
    InspectedSelectable,
    InspectedTrigger,
)

from schemactl.quoting import ident, literal, qualified, role

__all__ = ["HARDENED"]


class Enum(InspectedEnum):
    """Labels as literals, in CREATE TYPE and ADD VALUE."""

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
    """The TO list's roles as identifiers (PUBLIC as the keyword)."""

    @property
    def create_statement(self) -> str:
        return RLS_POLICY_CREATE.format(
            name=self.quoted_name, table_name=self.quoted_full_table_name,
            permissiveness=self.permissiveness, commandtype_keyword=self.commandtype_keyword,
            roleslist=", ".join(role(r) for r in self.roles),
            qual_clause=f"\nusing ({self.qual})" if self.qual else "",
            withcheck_clause=f"\nwith check ({self.withcheck})" if self.withcheck else "")


class Trigger(InspectedTrigger):
    """DROP TRIGGER with every name quoted."""

    @property
    def drop_statement(self) -> str:
        return f"drop trigger if exists {ident(self.name)} on {qualified(self.schema, self.table_name)};"


class Collation(InspectedCollation):
    """Provider and locale as literals."""

    @property
    def create_statement(self) -> str:
        return (f"create collation if not exists {self.quoted_full_name} "
                f"(provider = {literal(self.provider)}, locale = {literal(self.locale)});")


class Extension(InspectedExtension):
    """The version as a literal."""

    @property
    def create_statement(self) -> str:
        version = f" version {literal(self.version)}" if self.version else ""
        return f"create extension if not exists {self.quoted_name} with schema {self.quoted_schema}{version};"

    @property
    def update_statement(self) -> str | None:
        return f"alter extension {self.quoted_name} update to {literal(self.version)};" if self.version else None


class Privilege(InspectedPrivilege):
    """PUBLIC as the keyword, other grantees quoted."""

    @property
    def quoted_target_user(self) -> str:
        return role(self.target_user, public="PUBLIC")


class Relation(InspectedSelectable):
    """ATTACH PARTITION on the parent, with the bound."""

    @property
    def attach_statement(self) -> str | None:
        # schemainspect names a missing attribute here and puts the tables the wrong way round.
        if self.parent_table and self.partition_def:
            return f"alter table {self.parent_table} attach partition {self.quoted_full_name} {self.partition_def};"
        return super().attach_statement


class Column(ColumnInfo):
    """An enum column's re-cast with its name quoted; the collation as read: schema-qualified and quoted."""

    @property
    def collation_subclause(self) -> str:
        return f" collate {self.collation}" if self.collation else ""

    def change_enum_statement(self, table_name: str) -> str:
        if not self.is_enum:
            raise ValueError
        return (f"alter table {table_name} alter column {self.quoted_name} type {self.enum.quoted_full_name} "
                f"using {self.quoted_name}::text::{self.enum.quoted_full_name};")


HARDENED: dict[type, type] = {
    InspectedEnum: Enum,
    InspectedRowPolicy: Policy,
    InspectedTrigger: Trigger,
    InspectedCollation: Collation,
    InspectedExtension: Extension,
    InspectedPrivilege: Privilege,
    InspectedSelectable: Relation,
    ColumnInfo: Column,
}

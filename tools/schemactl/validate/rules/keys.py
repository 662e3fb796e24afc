"""Key rules: primary keys, and foreign keys that point at a key and are backed by an index."""

from __future__ import annotations

from collections.abc import Iterator

from schemactl.validate.base import Issue, Rule
from schemactl.validate.symbols import ForeignKey, Relation, Symbols, loc, rv_name, strings

__all__ = ["RULES", "ForeignKeyTarget", "MissingPrimaryKey", "UnindexedForeignKey", "check", "fk_label"]


class MissingPrimaryKey(Rule):
    """A table without a primary key.

    Bad::

        CREATE TABLE cost_tracking (asset_id uuid, lamports bigint);

    Good::

        CREATE TABLE cost_tracking (cost_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                                    asset_id uuid, lamports bigint);
    """

    code = "SC007"
    name = "keys.missing-primary-key"
    summary = "a table without a primary key"


class UnindexedForeignKey(Rule):
    """A foreign key whose columns lead no index, PRIMARY KEY or UNIQUE of the referencing table.

    Deletes and key updates on the referenced table would scan the referencing one.

    Bad::

        CREATE TABLE memory_assets (asset_id uuid PRIMARY KEY, owner_address text, batch_id uuid);
        CREATE TABLE access_grants (grant_id bigint PRIMARY KEY,
                                    asset_id uuid REFERENCES memory_assets (asset_id));

    Good::

        CREATE TABLE memory_assets (asset_id uuid PRIMARY KEY, owner_address text, batch_id uuid);
        CREATE TABLE access_grants (grant_id bigint PRIMARY KEY,
                                    asset_id uuid REFERENCES memory_assets (asset_id));
        CREATE INDEX access_grants_asset_id_idx ON access_grants (asset_id);
    """

    code = "SC008"
    name = "keys.unindexed-foreign-key"
    summary = "a foreign key without a supporting index"


class ForeignKeyTarget(Rule):
    """A foreign key whose referenced columns are not exactly a primary key or unique constraint of the target.

    Bad::

        CREATE TABLE memory_assets (asset_id uuid PRIMARY KEY, owner_address text, batch_id uuid);
        CREATE TABLE transfer_history (transfer_id bigint PRIMARY KEY,
                                       owner_address text REFERENCES memory_assets (owner_address));

    Good::

        CREATE TABLE memory_assets (asset_id uuid PRIMARY KEY, owner_address text, batch_id uuid);
        CREATE TABLE transfer_history (transfer_id bigint PRIMARY KEY,
                                       asset_id uuid REFERENCES memory_assets (asset_id));
    """

    code = "SC012"
    name = "keys.foreign-key-target"
    summary = "foreign key columns that are not a key of the target"


RULES = (MissingPrimaryKey, UnindexedForeignKey, ForeignKeyTarget)


def fk_label(fk: ForeignKey) -> str:
    """How messages name a foreign key."""
    return f"foreign key {fk.constraint.conname}" if fk.constraint.conname else "foreign key"


def check(symbols: Symbols) -> Iterator[Issue]:
    """SC007, SC008 and SC012 for every table defined in the schema."""
    for relation in symbols.relations.values():
        if relation.kind != "table" or relation.defined_by is None:
            continue
        # A partition takes its parent's key; LIKE, INHERITS and OF bring keys not known offline.
        known_shape = relation.columns is not None
        if known_shape and not relation.primary:
            yield Issue(MissingPrimaryKey.code, relation.defined_by, f"table {relation.name} has no primary key",
                        relation.defined_at)
        for fk in relation.foreign_keys:
            target = symbols.relations.get(rv_name(fk.constraint.pktable))
            if target is not None and target.kind == "table":
                yield from _target_key(fk, target)
            if (known_shape and all(relation.has_column(c) for c in fk.columns)
                    and not relation.supports(fk.columns)):
                columns = ", ".join(fk.columns)
                yield Issue(UnindexedForeignKey.code, fk.where,
                            f"{fk_label(fk)} ({columns}) on {relation.name} has no supporting index: "
                            f"add an index on {relation.name} ({columns})", loc(fk.constraint))


def _target_key(fk: ForeignKey, target: Relation) -> Iterator[Issue]:
    if target.columns is None:
        return
    referenced = tuple(strings(fk.constraint.pk_attrs))
    offset = loc(fk.constraint.pktable)
    shown = fk_label(fk)
    if not referenced:
        if target.primary_key is None:
            yield Issue(ForeignKeyTarget.code, fk.where, f"{shown} names no columns, and {target.name} has no "
                        "primary key", offset)
            return
        referenced = target.primary_key
    if len(referenced) != len(fk.columns):
        yield Issue(ForeignKeyTarget.code, fk.where, f"{shown} has {len(fk.columns)} columns but references "
                    f"{len(referenced)}", offset)
        return
    keys = [set(k.columns) for k in target.keys if k.unique and not k.partial and k.complete]
    if set(referenced) not in keys and all(target.has_column(c) for c in referenced):
        yield Issue(ForeignKeyTarget.code, fk.where, f"{shown} references {target.name} "
                    f"({', '.join(referenced)}), which is not its primary key or a unique constraint", offset)

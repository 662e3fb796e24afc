"""Catalog snapshots of what migra does not diff: comments, owners, ACLs, relation options."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

import psycopg

from schemactl.depends import Graph, graph_from_rows

__all__ = ["Snapshot", "snapshot", "QUERIES", "MANAGED_EXCLUDED_SCHEMAS", "DEFAULT_OWNER"]

# The migration runner's own bookkeeping lives here: migra and the schema dump leave it out, and
# toolschema.py checks it holds nothing but the runner's tracking table.
MANAGED_EXCLUDED_SCHEMAS = ("schemactl",)

# An object owned by whoever applies the schema is recorded under this name, so a
# database built by one user compares equal to one migrated by another.
DEFAULT_OWNER = "(the applying role)"


def _load_queries() -> dict[str, str]:
    folder = resources.files("schemactl") / "sql"
    return {entry.name[:-4]: entry.read_text(encoding="utf-8") for entry in folder.iterdir()
            if entry.name.endswith(".sql")}


QUERIES = _load_queries()

ObjectKey = tuple[str, str]


@dataclass(frozen=True)
class Snapshot:
    """The parts of one database's schema the tool compares itself."""

    comments: dict[ObjectKey, str]
    owners: dict[ObjectKey, str]
    acls: frozenset[tuple[str, str, str, str, bool]]
    options: dict[tuple[str, str, str], str]
    unsupported: tuple[tuple[str, str], ...]
    current_user: str
    # Declarative partitioning: (fact, object, name) -> definition; see sql/partitions.sql.
    partitioning: dict[tuple[str, str, str | None], str | None] = field(default_factory=dict)
    # Sequence identity -> (type, start, increment, min, max, cache, cycle).
    sequences: dict[str, tuple] = field(default_factory=dict)
    # Default privileges: (role, schema or '', object type) -> {(grantee, privilege, grantable)}.
    default_acls: dict[tuple[str, str, str], frozenset[tuple[str, str, bool]]] = field(default_factory=dict)
    # Privileges on the current database: {(grantee, privilege, grantable)}, the owner's left out.
    database_acl: frozenset[tuple[str, str, bool]] = frozenset()
    # pg_depend between user objects: key -> keys it needs (see sql/depends.sql).
    depends: Graph = field(default_factory=dict)
    # (table identity, quoted column) -> its identity sequence's options, as for sequences.
    identities: dict[tuple[str, str], tuple] = field(default_factory=dict)
    # Domain identity -> (base type, collation, default, not null, ((constraint, definition), ...), comment).
    domains: dict[str, tuple] = field(default_factory=dict)

    def has(self, fact: str, obj: str, name: str | None = None) -> bool:
        return (fact, obj, name) in self.partitioning


def snapshot(conn: psycopg.Connection, *, default_owner: str | tuple[str, ...] | None = None,
             excluded: tuple[str, ...] = MANAGED_EXCLUDED_SCHEMAS) -> Snapshot:
    """Read one database; owners equal to default_owner (or the session user) are normalized.

    A tuple names several roles that all count as "whoever applies the schema": a rehearsal copy
    of a live database keeps the live applying role's objects and adds the dev server's own.
    """
    params = {"excluded": list(excluded)}
    user = conn.execute("SELECT current_user").fetchone()[0]
    owner_defaults = (default_owner,) if isinstance(default_owner, str) else (default_owner or (user,))

    def rows(name: str) -> list[tuple]:
        return conn.execute(QUERIES[name], params, prepare=False).fetchall()

    comments = {(kind, ident): text for kind, ident, text in rows("comments")}
    owners = {}
    for kind, ident, owner in rows("owners"):
        if kind == "SCHEMA" and ident == "public":
            continue  # owned by pg_database_owner or the bootstrap superuser: not ours to manage
        owners[(kind, ident)] = DEFAULT_OWNER if owner in owner_defaults else owner
    acls = frozenset(
        (kind, ident, grantee, privilege, bool(grantable))
        for kind, ident, grantee, privilege, grantable in rows("acls")
        if grantee not in owner_defaults
    )
    options = {(kind, ident, name): value for kind, ident, name, value in rows("relation_options")}
    unsupported = tuple((kind, ident) for kind, ident in rows("unsupported"))
    partitioning = {(fact, obj, name): definition for fact, obj, name, definition in rows("partitions")}
    return Snapshot(comments=comments, owners=owners, acls=acls, options=options,
                    unsupported=unsupported, current_user=user, partitioning=partitioning,
                    sequences={row[0]: tuple(row[1:]) for row in rows("sequences")},
                    default_acls=_default_acls(rows("default_acls"), owner_defaults),
                    database_acl=frozenset((g, p, bool(o)) for g, p, o in rows("database_acl")),
                    depends=graph_from_rows(rows("depends")),
                    identities={(row[0], row[1]): tuple(row[2:]) for row in rows("identities")},
                    domains={row[0]: (row[1], row[2], row[3], bool(row[4]), tuple(tuple(c) for c in row[5]), row[6])
                             for row in rows("domains")})


def _default_acls(rows: list[tuple], owner_defaults: tuple[str, ...],
                  ) -> dict[tuple[str, str, str], frozenset[tuple[str, str, bool]]]:
    """pg_default_acl by key; the applying role is recorded as DEFAULT_OWNER (as grantor and grantee)."""
    def who(name: str) -> str:
        return DEFAULT_OWNER if name in owner_defaults else name

    found: dict[tuple[str, str, str], set[tuple[str, str, bool]]] = {}
    for role, schema, objtype, grantee, privilege, grantable in rows:
        entries = found.setdefault((who(role), schema, objtype), set())
        if grantee is not None:
            entries.add((who(grantee), privilege, bool(grantable)))
    return {key: frozenset(value) for key, value in found.items()}

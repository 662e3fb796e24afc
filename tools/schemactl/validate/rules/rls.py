"""Row-level security rules: a policy and enabled row-level security come together."""

from __future__ import annotations

from collections.abc import Iterator

from schemactl.validate.base import Issue, Rule
from schemactl.validate.symbols import Symbols, loc

__all__ = ["RULES", "PolicyWithoutRls", "RlsWithoutPolicy", "check"]


class RlsWithoutPolicy(Rule):
    """Row-level security enabled on a table that has no policy: every row is hidden from all but the owner.

    Bad::

        CREATE TABLE access_grants (grant_id bigint PRIMARY KEY, grantee_address text);
        ALTER TABLE access_grants ENABLE ROW LEVEL SECURITY;

    Good::

        CREATE TABLE access_grants (grant_id bigint PRIMARY KEY, grantee_address text);
        ALTER TABLE access_grants ENABLE ROW LEVEL SECURITY;
        CREATE POLICY grantee_access ON access_grants
            USING (grantee_address = current_setting('app.current_user', true));
    """

    code = "SC009"
    name = "rls.rls-without-policy"
    summary = "row-level security enabled on a table without a policy"
    whole_schema = True


class PolicyWithoutRls(Rule):
    """A policy on a table whose row-level security is not enabled: the policy has no effect.

    Bad::

        CREATE TABLE memory_assets (asset_id uuid PRIMARY KEY, owner_address text, batch_id uuid);
        CREATE POLICY owner_access ON memory_assets
            USING (owner_address = current_setting('app.current_user', true));

    Good::

        CREATE TABLE memory_assets (asset_id uuid PRIMARY KEY, owner_address text, batch_id uuid);
        ALTER TABLE memory_assets ENABLE ROW LEVEL SECURITY;
        CREATE POLICY owner_access ON memory_assets
            USING (owner_address = current_setting('app.current_user', true));
    """

    code = "SC010"
    name = "rls.policy-without-rls"
    summary = "a policy on a table without row-level security"
    whole_schema = True


RULES = (RlsWithoutPolicy, PolicyWithoutRls)


def check(symbols: Symbols) -> Iterator[Issue]:
    """SC009 and SC010 for every table defined in the schema."""
    for relation in symbols.relations.values():
        if relation.kind != "table" or relation.defined_by is None:
            continue
        if relation.rls is not None and not relation.policies:
            yield Issue(RlsWithoutPolicy.code, relation.rls,
                        f"row-level security is enabled on {relation.name} but it has no policy: every row "
                        "is hidden from everyone but the owner", relation.rls_offset)
        if relation.rls is None:
            for policy, st in relation.policies.items():
                yield Issue(PolicyWithoutRls.code, st,
                            f"policy {policy} on {relation.name} has no effect: row-level security is not "
                            f"enabled (ALTER TABLE {relation.name} ENABLE ROW LEVEL SECURITY)", loc(st.node.table))

"""Security of the domain schema: row-level security, least privilege and object creation for blockchain_service."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import psycopg
import pytest
from psycopg import sql

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
UTC = timezone.utc
SERVICE = "blockchain_service"


def b58(seed: str, length: int = 44) -> str:
    """A deterministic string of base58 characters (Solana address length by default)."""
    digest = hashlib.sha512(seed.encode()).digest()
    return "".join(BASE58[byte % 58] for byte in digest[:length])


OWNER_A = b58("owner A")
OWNER_B = b58("owner B", 43)
GRANTEE_C = b58("grantee C", 40)
OUTSIDER_D = b58("outsider D", 32)
TREE = b58("tree")
ASSETS = {b58("A asset 1"): OWNER_A, b58("A asset 2"): OWNER_A, b58("B asset 1"): OWNER_B}
B_ASSET = b58("B asset 1")
A_ASSETS = {asset for asset, owner in ASSETS.items() if owner == OWNER_A}
GRANTED_AT = datetime.now(UTC) - timedelta(hours=1)

# The privileges schema/grants/blockchain_service.sql declares, and nothing else.
DECLARED_TABLE_PRIVILEGES = {
    **{table: {"SELECT", "INSERT", "UPDATE"}
       for table in ("memory_assets", "memory_batches", "access_grants", "minting_queue", "merkle_trees")},
    **{table: {"SELECT", "INSERT"}
       for table in ("transfer_history", "version_history", "blockchain_audit_logs", "cost_tracking")},
    **{view: {"SELECT"} for view in ("active_memory_assets", "batch_statistics", "user_statistics")},
}
RLS_TABLES = {"memory_assets", "access_grants"}


@pytest.fixture
def seeded(schema_db: str) -> Iterator[psycopg.Connection]:
    """Superuser connection (bypasses RLS) to schema_db with A's two assets, B's one, and B's grant to C."""
    with psycopg.connect(schema_db, autocommit=True) as admin:
        admin.execute("INSERT INTO merkle_trees (tree_address, authority_address, max_depth, max_buffer_size) "
                      "VALUES (%s, %s, 14, 64)", (TREE, b58("authority")))
        for leaf, (asset_id, owner) in enumerate(ASSETS.items()):
            admin.execute(
                "INSERT INTO memory_assets (asset_id, owner_address, merkle_tree, leaf_index, arweave_tx_id, "
                "content_hash, title) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (asset_id, owner, TREE, leaf, asset_id[:43].replace("1", "_"),
                 hashlib.sha256(asset_id.encode()).hexdigest(), f"asset {leaf}"))
        admin.execute("INSERT INTO access_grants (asset_id, grantor_address, grantee_address, granted_at) "
                      "VALUES (%s, %s, %s, %s)", (B_ASSET, OWNER_B, GRANTEE_C, GRANTED_AT))
        yield admin


@pytest.fixture
def service(seeded: psycopg.Connection, schema_db: str) -> Iterator[psycopg.Connection]:
    """A connection to the seeded database acting as blockchain_service (app.current_user unset)."""
    with psycopg.connect(schema_db, autocommit=True) as conn:
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(SERVICE)))
        yield conn


def act_as(conn: psycopg.Connection, wallet: str) -> None:
    conn.execute("SELECT set_config('app.current_user', %s, false)", (wallet,))


def visible_assets(conn: psycopg.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT asset_id FROM memory_assets")}


# --- row-level security -----------------------------------------------------------------------

def test_owner_sees_only_own_assets(service: psycopg.Connection) -> None:
    act_as(service, OWNER_A)
    assert visible_assets(service) == A_ASSETS
    assert {row[0] for row in service.execute("SELECT asset_id FROM active_memory_assets")} == A_ASSETS
    totals = service.execute("SELECT owner_address, total_assets FROM user_statistics "
                             "WHERE total_assets > 0").fetchall()
    assert totals == [(OWNER_A, 2)]


def test_the_seed_data_exists_for_the_superuser(seeded: psycopg.Connection) -> None:
    assert {row[0] for row in seeded.execute("SELECT asset_id FROM memory_assets")} == set(ASSETS)


@pytest.mark.parametrize("setting", [None, "", "wallet_address_here"], ids=["unset", "empty", "not-a-wallet"])
def test_without_a_wallet_nothing_is_visible(service: psycopg.Connection, setting: str | None) -> None:
    if setting is not None:
        act_as(service, setting)
    assert visible_assets(service) == set()
    for relation in ("access_grants", "active_memory_assets"):
        count = service.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(relation))).fetchone()[0]
        assert count == 0, relation


def test_grantee_reads_granted_asset_but_cannot_change_it(service: psycopg.Connection,
                                                          seeded: psycopg.Connection) -> None:
    act_as(service, GRANTEE_C)
    assert visible_assets(service) == {B_ASSET}
    changed = service.execute("UPDATE memory_assets SET title = 'mine now' WHERE asset_id = %s", (B_ASSET,))
    assert changed.rowcount == 0
    # Revoking the grant closes the asset again.
    seeded.execute("UPDATE access_grants SET revoked_at = now() WHERE grantee_address = %s", (GRANTEE_C,))
    assert visible_assets(service) == set()


def test_insert_for_another_owner_is_rejected(service: psycopg.Connection) -> None:
    act_as(service, OWNER_A)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security policy"):
        service.execute(
            "INSERT INTO memory_assets (asset_id, owner_address, merkle_tree, leaf_index, arweave_tx_id, "
            "content_hash) VALUES (%s, %s, %s, 99, %s, %s)",
            (b58("forged"), OWNER_B, TREE, "x" * 43, "0" * 64))


def test_update_of_another_owners_asset_touches_nothing(service: psycopg.Connection,
                                                        seeded: psycopg.Connection) -> None:
    act_as(service, OWNER_A)
    changed = service.execute("UPDATE memory_assets SET title = 'hijacked' WHERE asset_id = %s", (B_ASSET,))
    assert changed.rowcount == 0
    title = seeded.execute("SELECT title FROM memory_assets WHERE asset_id = %s", (B_ASSET,)).fetchone()[0]
    assert title != "hijacked"


def test_own_asset_cannot_be_handed_to_another_wallet(service: psycopg.Connection) -> None:
    act_as(service, OWNER_A)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security policy"):
        service.execute("UPDATE memory_assets SET owner_address = %s WHERE owner_address = %s",
                        (OWNER_B, OWNER_A))


def test_owner_updates_own_asset_and_the_trigger_stamps_it(service: psycopg.Connection) -> None:
    act_as(service, OWNER_A)
    rows = service.execute("UPDATE memory_assets SET title = 'renamed' WHERE owner_address = %s "
                           "RETURNING updated_at, now()", (OWNER_A,)).fetchall()
    assert len(rows) == 2
    assert all(stamped == now for stamped, now in rows)


def test_a_forged_grant_does_not_open_someone_elses_asset(service: psycopg.Connection) -> None:
    # A names itself grantor (its policy allows that) on B's asset, for its friend D.
    act_as(service, OWNER_A)
    service.execute("INSERT INTO access_grants (asset_id, grantor_address, grantee_address, granted_at) "
                    "VALUES (%s, %s, %s, %s)", (B_ASSET, OWNER_A, OUTSIDER_D, GRANTED_AT))
    act_as(service, OUTSIDER_D)
    assert visible_assets(service) == set()


def test_grants_of_another_grantor_cannot_be_written(service: psycopg.Connection,
                                                      seeded: psycopg.Connection) -> None:
    act_as(service, OWNER_A)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security policy"):
        service.execute("INSERT INTO access_grants (asset_id, grantor_address, grantee_address) "
                        "VALUES (%s, %s, %s)", (B_ASSET, OWNER_B, OUTSIDER_D))
    redirected = service.execute("UPDATE access_grants SET grantee_address = %s WHERE asset_id = %s",
                                 (OUTSIDER_D, B_ASSET))
    assert redirected.rowcount == 0
    # The grantee can read its grant but cannot lift a revocation or reset the use count.
    seeded.execute("UPDATE access_grants SET revoked_at = now() WHERE asset_id = %s", (B_ASSET,))
    act_as(service, GRANTEE_C)
    assert service.execute("SELECT count(*) FROM access_grants").fetchone()[0] == 1
    lifted = service.execute("UPDATE access_grants SET revoked_at = NULL, use_count = 0")
    assert lifted.rowcount == 0
    assert seeded.execute("SELECT revoked_at IS NOT NULL FROM access_grants").fetchone()[0]


def test_grantor_sees_and_revokes_own_grants(service: psycopg.Connection) -> None:
    act_as(service, OWNER_B)
    assert service.execute("SELECT grantee_address FROM access_grants").fetchall() == [(GRANTEE_C,)]
    revoked = service.execute("UPDATE access_grants SET revoked_at = now() RETURNING updated_at, now()")
    stamped, now = revoked.fetchone()
    assert stamped == now
    act_as(service, GRANTEE_C)
    assert visible_assets(service) == set()


# --- no way around it ----------------------------------------------------------------------

def test_service_role_attributes(schema_db: str) -> None:
    with psycopg.connect(schema_db) as conn:
        row = conn.execute("SELECT rolsuper, rolbypassrls, rolcreatedb, rolcreaterole, rolreplication "
                           "FROM pg_roles WHERE rolname = %s", (SERVICE,)).fetchone()
    assert row == (False, False, False, False, False)


def test_tables_with_rls_force_it(schema_db: str) -> None:
    with psycopg.connect(schema_db) as conn:
        rows = conn.execute("""
            SELECT c.relname, c.relforcerowsecurity FROM pg_class AS c
            JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relrowsecurity""").fetchall()
    assert dict(rows) == {table: True for table in RLS_TABLES}


def test_views_run_with_the_callers_rights(schema_db: str) -> None:
    with psycopg.connect(schema_db) as conn:
        rows = conn.execute("""
            SELECT c.relname, coalesce('security_invoker=true' = ANY(c.reloptions), false)
            FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'v' AND c.relname = ANY(%s)""",
                            (sorted(DECLARED_TABLE_PRIVILEGES),)).fetchall()
    assert dict(rows) == {"active_memory_assets": True, "batch_statistics": True, "user_statistics": True}


@pytest.mark.parametrize("table", sorted(RLS_TABLES))
def test_table_owner_is_subject_to_forced_rls(seeded: psycopg.Connection, table: str) -> None:
    owner = f"sctest_owner_{secrets.token_hex(4)}"
    ident = sql.Identifier(table)
    count = sql.SQL("SELECT count(*) FROM {}").format(ident)
    # One transaction, rolled back: the throw-away role and the ownership change leave no trace.
    with seeded.transaction(force_rollback=True):
        seeded.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(owner)))
        seeded.execute(sql.SQL("ALTER TABLE {} OWNER TO {}").format(ident, sql.Identifier(owner)))
        seeded.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(owner)))
        assert seeded.execute(count).fetchone()[0] == 0
        # Without FORCE the same owner would see every row: FORCE is what holds it.
        seeded.execute(sql.SQL("ALTER TABLE {} NO FORCE ROW LEVEL SECURITY").format(ident))
        assert seeded.execute(count).fetchone()[0] > 0
    assert seeded.execute("SELECT current_user").fetchone()[0] != owner


def test_row_security_cannot_be_switched_off(service: psycopg.Connection) -> None:
    act_as(service, OWNER_A)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        service.execute("SET row_security = off; SELECT count(*) FROM memory_assets")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="owner"):
        service.execute("ALTER TABLE memory_assets DISABLE ROW LEVEL SECURITY")


# --- no object creation, no extra privileges ------------------------------------------------------

@pytest.mark.parametrize("statement", [
    "CREATE TABLE public.intruder (id int)",
    "CREATE TABLE intruder (id int)",
    "CREATE VIEW intruder AS SELECT 1 AS one",
    "CREATE FUNCTION intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "CREATE SCHEMA intruder",
])
def test_service_cannot_create_objects(service_conn: psycopg.Connection, statement: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
        service_conn.execute(statement)


def test_public_has_no_create_on_schema_public(schema_db: str) -> None:
    with psycopg.connect(schema_db) as conn:
        assert conn.execute("SELECT has_schema_privilege('public', 'public', 'CREATE')").fetchone()[0] is False
        assert conn.execute("SELECT has_schema_privilege(%s, 'public', 'CREATE')", (SERVICE,)).fetchone()[0] is False
        assert conn.execute("SELECT has_schema_privilege(%s, 'public', 'USAGE')", (SERVICE,)).fetchone()[0] is True
        grants = conn.execute("""
            SELECT acl.grantee, acl.privilege_type
            FROM pg_namespace AS n, aclexplode(n.nspacl) AS acl
            WHERE n.nspname = 'public' AND acl.privilege_type = 'CREATE'""").fetchall()
        owner = conn.execute("SELECT nspowner FROM pg_namespace WHERE nspname = 'public'").fetchone()[0]
    # Only the schema's owner holds CREATE; 0 (PUBLIC) does not.
    assert [grantee for grantee, _ in grants] == [owner]


def test_set_updated_at_is_not_executable(service_conn: psycopg.Connection) -> None:
    # An explicit ACL whose only EXECUTE holder is the owner: no entry for PUBLIC (grantee 0).
    holders = service_conn.execute("""
        SELECT acl.grantee = p.proowner FROM pg_proc AS p, aclexplode(p.proacl) AS acl
        WHERE p.proname = 'set_updated_at' AND acl.privilege_type = 'EXECUTE'""").fetchall()
    assert holders == [(True,)]
    assert service_conn.execute("SELECT has_function_privilege(%s, 'set_updated_at()', 'EXECUTE')",
                                (SERVICE,)).fetchone()[0] is False
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for function set_updated_at"):
        service_conn.execute("SELECT set_updated_at()")


def test_service_table_privileges_are_exactly_the_declared_ones(schema_db: str) -> None:
    with psycopg.connect(schema_db) as conn:
        rows = conn.execute("SELECT table_name, privilege_type FROM information_schema.role_table_grants "
                            "WHERE grantee = %s", (SERVICE,)).fetchall()
        columns = conn.execute("SELECT count(*) FROM information_schema.column_privileges "
                               "WHERE grantee = %s AND privilege_type <> 'SELECT' AND "
                               "privilege_type <> 'INSERT' AND privilege_type <> 'UPDATE'",
                               (SERVICE,)).fetchone()[0]
        routines = conn.execute("SELECT routine_name FROM information_schema.role_routine_grants "
                                "WHERE grantee = %s", (SERVICE,)).fetchall()
        sequences = conn.execute("SELECT object_name FROM information_schema.usage_privileges "
                                 "WHERE grantee = %s AND object_type = 'SEQUENCE'", (SERVICE,)).fetchall()
    granted: dict[str, set[str]] = {}
    for table, privilege in rows:
        granted.setdefault(table, set()).add(privilege)
    assert granted == DECLARED_TABLE_PRIVILEGES
    assert not any({"DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"} & privileges for privileges in granted.values())
    assert columns == 0
    assert routines == []
    assert sequences == []


@pytest.mark.parametrize("statement", [
    "DELETE FROM memory_assets",
    "TRUNCATE memory_assets",
    "DELETE FROM blockchain_audit_logs",
    "UPDATE blockchain_audit_logs SET status = 'failure'",
    "UPDATE transfer_history SET to_address = from_address",
    "UPDATE cost_tracking SET total_cost_lamports = 0",
])
def test_service_cannot_delete_or_rewrite_history(service: psycopg.Connection, statement: str) -> None:
    act_as(service, OWNER_A)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
        service.execute(statement)


def test_service_appends_to_history_with_identity_ids(service: psycopg.Connection) -> None:
    # Identity columns need no sequence privileges: the declared INSERT is enough.
    act_as(service, OWNER_A)
    log_id = service.execute(
        "INSERT INTO blockchain_audit_logs (operation, status, actor_address) VALUES ('mint', 'success', %s) "
        "RETURNING log_id", (OWNER_A,)).fetchone()[0]
    assert log_id >= 1
    batch: Any = service.execute(
        "INSERT INTO memory_batches (owner_address, asset_count) VALUES (%s, 1) RETURNING batch_id",
        (OWNER_A,)).fetchone()[0]
    assert isinstance(batch, uuid.UUID)

"""Behaviour of the domain schema in schema/: build order, constraints, triggers, views, usage examples."""

from __future__ import annotations

import base64
import hashlib
import random
import secrets
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb

from schemactl.build import build_source
from schemactl.conninfo import with_dbname
from schemactl.load import Source, load_path, require_parsed

from usage_examples import PLACEHOLDER, USAGE_EXAMPLES

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
UTC = timezone.utc
TABLES = {"memory_assets", "memory_batches", "access_grants", "transfer_history", "minting_queue",
          "blockchain_audit_logs", "version_history", "merkle_trees", "cost_tracking"}
VIEWS = {"active_memory_assets", "batch_statistics", "user_statistics"}


def b58(seed: str, length: int = 44) -> str:
    """A deterministic string of base58 characters (a Solana address at 32-44, a signature at 87-88)."""
    digest = b""
    counter = 0
    while len(digest) < length:
        digest += hashlib.sha512(f"{seed}/{counter}".encode()).digest()
        counter += 1
    return "".join(BASE58[byte % 58] for byte in digest[:length])


def signature(seed: str) -> str:
    """A base58 transaction signature (88 characters)."""
    return b58("sig:" + seed, 88)


def arweave_id(seed: str) -> str:
    """An Arweave transaction id: 43 characters of base64url."""
    return base64.urlsafe_b64encode(hashlib.sha256(seed.encode()).digest()).decode()[:43]


def sha256_hex(seed: str) -> str:
    """A lowercase hex SHA-256, as content_hash expects."""
    return hashlib.sha256(seed.encode()).hexdigest()


WALLET_A = b58("wallet A")
WALLET_B = b58("wallet B", 43)
WALLET_C = b58("wallet C", 32)
TREE = b58("tree 1")
TREE_AUTHORITY = b58("tree authority")
BATCH = uuid.UUID("00000000-0000-4000-8000-000000000001")
ASSET = b58("asset 1")


def insert(conn: psycopg.Connection, table: str, row: dict[str, Any], returning: str | None = None) -> Any:
    """INSERT one row (identifiers quoted by psycopg.sql); returns the RETURNING value if asked."""
    query = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier(table),
        sql.SQL(", ").join(sql.Identifier(column) for column in row),
        sql.SQL(", ").join(sql.Placeholder() for _ in row),
    )
    if returning:
        query = query + sql.SQL(" RETURNING {}").format(sql.Identifier(returning))
    cur = conn.execute(query, [Jsonb(v) if isinstance(v, dict) else v for v in row.values()])
    return cur.fetchone()[0] if returning else None


def tree_row(address: str = TREE, **overrides: Any) -> dict[str, Any]:
    return {"tree_address": address, "authority_address": TREE_AUTHORITY, "max_depth": 14,
            "max_buffer_size": 64, "canopy_depth": 0, **overrides}


def batch_row(batch_id: uuid.UUID = BATCH, **overrides: Any) -> dict[str, Any]:
    return {"batch_id": batch_id, "owner_address": WALLET_A, "merkle_tree": TREE, "status": "pending",
            "asset_count": 10, "minted_count": 0, "total_cost_lamports": 5000, **overrides}


def asset_row(asset_id: str = ASSET, leaf_index: int = 0, **overrides: Any) -> dict[str, Any]:
    return {"asset_id": asset_id, "owner_address": WALLET_A, "batch_id": BATCH, "merkle_tree": TREE,
            "leaf_index": leaf_index, "mint_signature": signature(asset_id),
            "arweave_tx_id": arweave_id(asset_id), "content_hash": sha256_hex(asset_id),
            "title": "A memory", **overrides}


def grant_row(**overrides: Any) -> dict[str, Any]:
    return {"asset_id": ASSET, "grantor_address": WALLET_A, "grantee_address": WALLET_B, **overrides}


# A valid row for every table (parents: TREE, BATCH and ASSET from the `base` fixture);
# each constraint case below breaks exactly one thing in one of them.
VALID_ROWS: dict[str, dict[str, Any]] = {
    "merkle_trees": tree_row(b58("tree 2"), max_depth=20, max_buffer_size=256, canopy_depth=10,
                             leaves_minted=1024, creation_signature=signature("tree 2")),
    "memory_batches": batch_row(uuid.UUID("00000000-0000-4000-8000-000000000002"),
                                tx_signatures=[signature("tx 1"), signature("tx 2")]),
    "memory_assets": asset_row(b58("asset 2", 43), 1, tags=["family"], metadata={"kind": "photo"}),
    "access_grants": grant_row(max_uses=3, use_count=3, permission="download"),
    "transfer_history": {"asset_id": ASSET, "from_address": WALLET_A, "to_address": WALLET_B,
                         "tx_signature": signature("transfer")},
    "minting_queue": {"owner_address": WALLET_A, "batch_id": BATCH, "arweave_tx_id": arweave_id("q"),
                      "payload": {"title": "x"}, "attempts": 5, "max_attempts": 5},
    "blockchain_audit_logs": {"operation": "batch_mint", "status": "success", "actor_address": WALLET_A,
                              "asset_id": ASSET, "batch_id": BATCH, "tx_signature": signature("log"),
                              "details": {"assets": 10}},
    "version_history": {"asset_id": ASSET, "version": 1, "arweave_tx_id": arweave_id("v1"),
                        "content_hash": sha256_hex("v1"), "created_by_address": WALLET_A},
    "cost_tracking": {"wallet_address": WALLET_A, "operation": "mint", "batch_id": BATCH,
                      "tx_signature": signature("cost"), "solana_fee_lamports": 5000, "rent_lamports": 2000,
                      "arweave_cost_winston": 10**24, "total_cost_lamports": 7000},
}

GRANTED_AT = datetime(2024, 5, 1, tzinfo=UTC)

# (id, table, overrides of the valid row, constraint that must reject it)
CONSTRAINT_CASES = [
    ("asset_id_not_base58", "memory_assets", {"asset_id": "0OIl" + b58("x", 40)},
     "memory_assets_asset_id_base58"),
    ("owner_address_too_short", "memory_assets", {"owner_address": b58("short", 31), "batch_id": None},
     "memory_assets_owner_address_base58"),
    ("owner_address_too_long", "memory_assets", {"owner_address": b58("long", 45), "batch_id": None},
     "memory_assets_owner_address_base58"),
    ("owner_address_placeholder", "memory_assets", {"owner_address": "wallet_address_here", "batch_id": None},
     "memory_assets_owner_address_base58"),
    ("mint_signature_86_chars", "memory_assets", {"mint_signature": b58("sig", 86)},
     "memory_assets_mint_signature_base58"),
    ("arweave_tx_id_42_chars", "memory_assets", {"arweave_tx_id": arweave_id("a")[:42]},
     "memory_assets_arweave_tx_id_format"),
    ("content_hash_uppercase", "memory_assets", {"content_hash": sha256_hex("c").upper()},
     "memory_assets_content_hash_sha256"),
    ("leaf_index_negative", "memory_assets", {"leaf_index": -1}, "memory_assets_leaf_index_nonnegative"),
    ("asset_status_unknown", "memory_assets", {"status": "deleted"}, "memory_assets_status_valid"),
    ("asset_metadata_array", "memory_assets", {"metadata": None}, "memory_assets_metadata_object"),
    ("asset_tags_null_element", "memory_assets", {"tags": ["a", None]}, "memory_assets_tags_no_nulls"),
    ("batch_cost_negative_lamports", "memory_batches", {"total_cost_lamports": -1},
     "memory_batches_total_cost_lamports_nonnegative"),
    ("batch_arweave_cost_negative", "memory_batches", {"arweave_cost_winston": -1},
     "memory_batches_arweave_cost_winston_whole"),
    ("batch_status_unknown", "memory_batches", {"status": "done"}, "memory_batches_status_valid"),
    ("batch_minted_more_than_asked", "memory_batches", {"minted_count": 11},
     "memory_batches_minted_count_range"),
    ("batch_completed_without_time", "memory_batches", {"status": "completed"},
     "memory_batches_completed_at_status"),
    ("batch_tx_signature_bad_element", "memory_batches", {"tx_signatures": [signature("ok"), "bad"]},
     "memory_batches_tx_signatures_base58"),
    ("batch_owner_not_base58", "memory_batches", {"owner_address": "O" * 44},
     "memory_batches_owner_address_base58"),
    ("cost_fee_negative_lamports", "cost_tracking", {"solana_fee_lamports": -5000, "total_cost_lamports": 0},
     "cost_tracking_solana_fee_lamports_nonnegative"),
    ("cost_total_negative_lamports", "cost_tracking",
     {"solana_fee_lamports": 0, "rent_lamports": 0, "total_cost_lamports": -1},
     "cost_tracking_total_cost_lamports_nonnegative"),
    ("cost_total_below_fees", "cost_tracking", {"total_cost_lamports": 6999},
     "cost_tracking_total_cost_lamports_not_below_fees"),
    ("cost_winston_fraction", "cost_tracking", {"arweave_cost_winston": 1.5},
     "cost_tracking_arweave_cost_winston_whole"),
    ("cost_winston_negative", "cost_tracking", {"arweave_cost_winston": -1},
     "cost_tracking_arweave_cost_winston_whole"),
    ("tree_depth_below_3", "merkle_trees", {"max_depth": 2, "canopy_depth": 0, "leaves_minted": 0},
     "merkle_trees_max_depth_range"),
    ("tree_depth_above_30", "merkle_trees", {"max_depth": 31}, "merkle_trees_max_depth_range"),
    ("tree_buffer_too_large", "merkle_trees", {"max_buffer_size": 4096}, "merkle_trees_max_buffer_size_range"),
    ("tree_buffer_too_small", "merkle_trees", {"max_buffer_size": 4}, "merkle_trees_max_buffer_size_range"),
    ("tree_canopy_deeper_than_tree", "merkle_trees", {"canopy_depth": 21}, "merkle_trees_canopy_depth_range"),
    ("tree_leaves_over_capacity", "merkle_trees", {"leaves_minted": 2**20 + 1},
     "merkle_trees_leaves_minted_capacity"),
    ("tree_status_unknown", "merkle_trees", {"status": "closed"}, "merkle_trees_status_valid"),
    ("tree_authority_not_base58", "merkle_trees", {"authority_address": "not a wallet"},
     "merkle_trees_authority_address_base58"),
    ("grant_used_beyond_limit", "access_grants", {"use_count": 4}, "access_grants_use_count_within_limit"),
    ("grant_use_count_negative", "access_grants", {"use_count": -1}, "access_grants_use_count_within_limit"),
    ("grant_zero_max_uses", "access_grants", {"max_uses": 0, "use_count": 0},
     "access_grants_max_uses_positive"),
    ("grant_to_self", "access_grants", {"grantee_address": WALLET_A},
     "access_grants_grantee_address_not_grantor"),
    ("grant_permission_unknown", "access_grants", {"permission": "admin"}, "access_grants_permission_valid"),
    ("grant_expires_before_granted", "access_grants",
     {"granted_at": GRANTED_AT, "expires_at": GRANTED_AT - timedelta(days=1)},
     "access_grants_expires_at_after_granted"),
    ("grant_grantee_not_base58", "access_grants", {"grantee_address": "x" * 20},
     "access_grants_grantee_address_base58"),
    ("transfer_to_same_wallet", "transfer_history", {"to_address": WALLET_A},
     "transfer_history_to_address_differs"),
    ("transfer_signature_not_base58", "transfer_history", {"tx_signature": arweave_id("t")},
     "transfer_history_tx_signature_base58"),
    ("queue_status_unknown", "minting_queue", {"status": "unknown"}, "minting_queue_status_valid"),
    ("queue_attempts_beyond_max", "minting_queue", {"attempts": 6}, "minting_queue_attempts_range"),
    ("queue_payload_not_object", "minting_queue", {"payload": None}, "minting_queue_payload_object"),
    ("audit_status_unknown", "blockchain_audit_logs", {"status": "ok"}, "blockchain_audit_logs_status_valid"),
    ("audit_operation_uppercase", "blockchain_audit_logs", {"operation": "Mint"},
     "blockchain_audit_logs_operation_format"),
    ("version_zero", "version_history", {"version": 0}, "version_history_version_positive"),
    ("version_hash_short", "version_history", {"content_hash": sha256_hex("v")[:63]},
     "version_history_content_hash_sha256"),
]

# JSON values that are not objects (None above stands for them: a SQL NULL would hit NOT NULL).
JSON_NOT_OBJECT = Jsonb(["not", "an", "object"])


@pytest.fixture
def base(schema_db: str) -> Iterator[psycopg.Connection]:
    """An autocommit superuser connection to schema_db holding one tree, one batch and one asset."""
    with psycopg.connect(schema_db, autocommit=True) as conn:
        insert(conn, "merkle_trees", tree_row())
        insert(conn, "memory_batches", batch_row())
        insert(conn, "memory_assets", asset_row())
        yield conn


# --- building -------------------------------------------------------------------------

def catalog(url: str) -> dict[str, list[tuple]]:
    """What a build produced, read from the system catalogs (independently of schemactl)."""
    queries = {
        "relations": """
            SELECT n.nspname, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity,
                   coalesce(c.reloptions::text, ''), coalesce(c.relacl::text, ''),
                   coalesce(obj_description(c.oid, 'pg_class'), '')
            FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'""",
        "columns": """
            SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   a.attidentity, a.attgenerated, coalesce(pg_get_expr(d.adbin, d.adrelid), ''),
                   coalesce(col_description(c.oid, a.attnum), '')
            FROM pg_attribute AS a
            JOIN pg_class AS c ON c.oid = a.attrelid
            JOIN pg_namespace AS n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attnum > 0 AND NOT a.attisdropped
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'""",
        "constraints": """
            SELECT n.nspname, c.relname, k.conname, pg_get_constraintdef(k.oid)
            FROM pg_constraint AS k
            JOIN pg_class AS c ON c.oid = k.conrelid
            JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')""",
        "indexes": """
            SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes
            WHERE schemaname NOT IN ('pg_catalog', 'information_schema')""",
        "policies": """
            SELECT schemaname, tablename, policyname, permissive, roles::text, cmd,
                   coalesce(qual, ''), coalesce(with_check, '')
            FROM pg_policies""",
        "triggers": """
            SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid),
                   coalesce(obj_description(t.oid, 'pg_trigger'), '')
            FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid
            WHERE NOT t.tgisinternal""",
        "views": """
            SELECT schemaname, viewname, definition FROM pg_views
            WHERE schemaname NOT IN ('pg_catalog', 'information_schema')""",
        "functions": """
            SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),
                   pg_get_functiondef(p.oid), coalesce(p.proacl::text, ''),
                   coalesce(obj_description(p.oid, 'pg_proc'), '')
            FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')""",
        "schemas": """
            SELECT nspname, coalesce(nspacl::text, '') FROM pg_namespace
            WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg_t%'""",
    }
    with psycopg.connect(url) as conn:
        return {name: sorted(conn.execute(query).fetchall()) for name, query in queries.items()}


def shuffled_copy(source: Source, target: Path, seed: int, *, split: bool) -> None:
    """Write source's statements under target with random file names and folders.

    split=False keeps each file whole (only names and order change); split=True gives every
    statement its own file, so a COMMENT or GRANT may come before what it decorates.
    """
    rng = random.Random(seed)
    groups: dict[str, list[str]] = {}
    for statement in source.statements:
        key = f"{statement.path}#{statement.line}" if split else statement.path
        groups.setdefault(key, []).append(statement.sql)
    texts = [";\n\n".join(sqls) + ";\n" for sqls in groups.values()]
    rng.shuffle(texts)
    for number, text in enumerate(texts):
        folder = target / rng.choice(["a", "zz", "m/n", "00", "views_first"])
        folder.mkdir(parents=True, exist_ok=True)
        name = "".join(rng.choice("abcdefghij0123456789") for _ in range(10))
        (folder / f"{name}_{number}.sql").write_text(text, encoding="utf-8")


def test_schema_builds_from_scratch(schema_db: str) -> None:
    found = catalog(schema_db)
    relations = {(name, kind) for schema, name, kind, *_ in found["relations"] if schema == "public"}
    assert {(table, "r") for table in TABLES} <= relations
    assert {(view, "v") for view in VIEWS} <= relations
    triggers = {name for _, name, *_ in found["triggers"]}
    assert "update_memory_assets_updated_at" in triggers
    assert {name for _, _, name, *_ in found["policies"]} >= {"owner_access", "owner_updates_settled", "worker_access", "schema_owner_all"}


@pytest.mark.parametrize(("split", "seed"), [(False, 1), (False, 2), (True, 3), (True, 4), (True, 5)],
                         ids=["files-1", "files-2", "statements-3", "statements-4", "statements-5"])
def test_shuffled_files_build_the_same_schema(schema_source: Source, schema_db: str, fresh_db: str,
                                              tmp_path: Path, split: bool, seed: int) -> None:
    shuffled_copy(schema_source, tmp_path, seed, split=split)
    source = require_parsed(load_path(tmp_path))
    assert len(source.statements) == len(schema_source.statements)
    build_source(source, fresh_db)
    expected, actual = catalog(schema_db), catalog(fresh_db)
    for part in expected:
        assert actual[part] == expected[part], part


# --- constraints ------------------------------------------------------------------------

@pytest.mark.parametrize("table", sorted(VALID_ROWS))
def test_valid_row_is_accepted(base: psycopg.Connection, table: str) -> None:
    insert(base, table, VALID_ROWS[table])
    count = base.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
    assert count >= 1


@pytest.mark.parametrize(("table", "overrides", "constraint"), [case[1:] for case in CONSTRAINT_CASES],
                         ids=[case[0] for case in CONSTRAINT_CASES])
def test_constraint_rejects_bad_row(base: psycopg.Connection, table: str, overrides: dict[str, Any],
                                    constraint: str) -> None:
    row = {**VALID_ROWS[table], **overrides}
    row = {column: JSON_NOT_OBJECT if value is None and column in ("metadata", "payload") else value
           for column, value in row.items()}
    with pytest.raises(psycopg.errors.CheckViolation) as caught:
        insert(base, table, row)
    assert caught.value.diag.constraint_name == constraint
    assert constraint in str(caught.value)


def test_tree_capacity_is_two_to_the_depth(base: psycopg.Connection) -> None:
    for depth in (3, 30):
        address = b58(f"tree depth {depth}")
        insert(base, "merkle_trees", tree_row(address, max_depth=depth, canopy_depth=depth,
                                              leaves_minted=2**depth))
        capacity = base.execute("SELECT capacity FROM merkle_trees WHERE tree_address = %s",
                                (address,)).fetchone()[0]
        assert capacity == 2**depth


def test_leaf_holds_one_asset(base: psycopg.Connection) -> None:
    with pytest.raises(psycopg.errors.UniqueViolation) as caught:
        insert(base, "memory_assets", asset_row(b58("asset twin"), 0))
    assert caught.value.diag.constraint_name == "memory_assets_merkle_tree_leaf_index_key"


# --- foreign keys ---------------------------------------------------------------------------

EXPECTED_ON_DELETE = {
    "access_grants_asset_id_fkey": "c",
    "version_history_asset_id_fkey": "c",
    "transfer_history_asset_id_fkey": "r",
    "memory_assets_batch_id_fkey": "r",
    "memory_assets_merkle_tree_fkey": "r",
    "memory_batches_merkle_tree_fkey": "r",
    "cost_tracking_batch_id_fkey": "r",
    "minting_queue_batch_id_fkey": "n",
}


def test_foreign_keys_are_as_designed(schema_db: str) -> None:
    with psycopg.connect(schema_db) as conn:
        rows = conn.execute("""
            SELECT k.conname, k.confdeltype FROM pg_constraint AS k
            JOIN pg_class AS c ON c.oid = k.conrelid
            WHERE k.contype = 'f' AND c.relname = ANY(%s)""", (sorted(TABLES),)).fetchall()
    assert dict(rows) == EXPECTED_ON_DELETE


def test_deleting_an_asset_takes_its_grants_and_versions(base: psycopg.Connection) -> None:
    insert(base, "access_grants", grant_row())
    insert(base, "version_history", VALID_ROWS["version_history"])
    insert(base, "blockchain_audit_logs", VALID_ROWS["blockchain_audit_logs"])
    base.execute("DELETE FROM memory_assets WHERE asset_id = %s", (ASSET,))
    for table in ("access_grants", "version_history"):
        left = base.execute(sql.SQL("SELECT count(*) FROM {} WHERE asset_id = %s").format(sql.Identifier(table)),
                            (ASSET,)).fetchone()[0]
        assert left == 0, table
    # The audit trail has no foreign key: it keeps naming the deleted asset.
    logged = base.execute("SELECT count(*) FROM blockchain_audit_logs WHERE asset_id = %s", (ASSET,)).fetchone()[0]
    assert logged == 1


@pytest.mark.parametrize(("child", "prepare", "delete_sql", "constraint"), [
    ("transfer_history", None, "DELETE FROM memory_assets", "transfer_history_asset_id_fkey"),
    ("cost_tracking", "UPDATE memory_assets SET batch_id = NULL", "DELETE FROM memory_batches",
     "cost_tracking_batch_id_fkey"),
    (None, None, "DELETE FROM memory_batches", "memory_assets_batch_id_fkey"),
    (None, "UPDATE memory_assets SET batch_id = NULL; DELETE FROM memory_batches", "DELETE FROM merkle_trees",
     "memory_assets_merkle_tree_fkey"),
    (None, "DELETE FROM memory_assets", "DELETE FROM merkle_trees", "memory_batches_merkle_tree_fkey"),
], ids=["asset_with_transfers", "batch_with_costs", "batch_with_assets", "tree_with_assets",
        "tree_with_batches"])
def test_delete_is_restricted(base: psycopg.Connection, child: str | None, prepare: str | None,
                              delete_sql: str, constraint: str) -> None:
    if child:
        insert(base, child, VALID_ROWS[child])
    if prepare:
        base.execute(prepare)
    with pytest.raises(psycopg.errors.ForeignKeyViolation) as caught:
        base.execute(delete_sql)
    assert caught.value.diag.constraint_name == constraint


def test_deleting_a_batch_unassigns_its_queue_entries(base: psycopg.Connection) -> None:
    queue_id = insert(base, "minting_queue", VALID_ROWS["minting_queue"], returning="queue_id")
    base.execute("DELETE FROM memory_assets")
    base.execute("DELETE FROM memory_batches WHERE batch_id = %s", (BATCH,))
    batch = base.execute("SELECT batch_id FROM minting_queue WHERE queue_id = %s", (queue_id,)).fetchone()
    assert batch == (None,)


# --- updated_at trigger -------------------------------------------------------------------

UPDATED_AT_TABLES = {
    "memory_assets": ("asset_id", ASSET, "title", "Renamed"),
    "memory_batches": ("batch_id", BATCH, "minted_count", 3),
    "merkle_trees": ("tree_address", TREE, "leaves_minted", 7),
    "access_grants": ("grantee_address", WALLET_B, "revoked_at", datetime(2030, 1, 1, tzinfo=UTC)),
    "minting_queue": ("owner_address", WALLET_A, "priority", 9),
}


def test_every_table_with_updated_at_has_the_trigger(schema_db: str) -> None:
    with psycopg.connect(schema_db) as conn:
        tables = {r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name = 'updated_at' "
            "AND table_name IN (SELECT table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE')")}
        triggered = {r[0] for r in conn.execute("""
            SELECT c.relname FROM pg_trigger AS t
            JOIN pg_class AS c ON c.oid = t.tgrelid
            JOIN pg_proc AS p ON p.oid = t.tgfoid
            WHERE NOT t.tgisinternal AND p.proname = 'set_updated_at'
              AND t.tgtype & 2 = 2 AND t.tgtype & 16 = 16 AND t.tgtype & 1 = 1""")}
    assert tables == set(UPDATED_AT_TABLES)
    assert triggered == tables


@pytest.mark.parametrize("table", sorted(UPDATED_AT_TABLES))
def test_update_moves_updated_at(base: psycopg.Connection, table: str) -> None:
    if table == "access_grants":
        insert(base, "access_grants", grant_row(granted_at=GRANTED_AT))
    if table == "minting_queue":
        insert(base, "minting_queue", VALID_ROWS["minting_queue"])
    key, key_value, column, new_value = UPDATED_AT_TABLES[table]
    where = sql.SQL(" WHERE {} = %s RETURNING updated_at, now()").format(sql.Identifier(key))
    # autocommit: each UPDATE is its own transaction, so now() moves between them.
    long_ago = datetime(2001, 1, 1, tzinfo=UTC)
    first, first_now = base.execute(
        sql.SQL("UPDATE {} SET updated_at = %s").format(sql.Identifier(table)) + where,
        (long_ago, key_value)).fetchone()
    assert first == first_now, "an explicit updated_at is overridden by the trigger"
    second, second_now = base.execute(
        sql.SQL("UPDATE {} SET {} = %s").format(sql.Identifier(table), sql.Identifier(column)) + where,
        (new_value, key_value)).fetchone()
    assert second == second_now
    assert second > first


# --- full-text search --------------------------------------------------------------------

def test_full_text_search_on_title_and_description(base: psycopg.Connection) -> None:
    texts = [("Grandmother's wedding", "Photos from the church in 1962"),
             ("Beach holiday", "Grandmother builds a sandcastle"),
             ("First bicycle", None)]
    for leaf, (title, description) in enumerate(texts, 1):
        insert(base, "memory_assets", asset_row(b58(f"fts {leaf}"), leaf, title=title, description=description))
    query = ("SELECT title FROM memory_assets WHERE search @@ websearch_to_tsquery('simple', %s) "
             "ORDER BY title")
    assert base.execute(query, ("grandmother",)).fetchall() == [("Beach holiday",), ("Grandmother's wedding",)]
    assert base.execute(query, ("grandmother church",)).fetchall() == [("Grandmother's wedding",)]
    assert base.execute(query, ("bicycle -beach",)).fetchall() == [("First bicycle",)]
    # The search column is generated: it follows an update of the title.
    base.execute("UPDATE memory_assets SET title = 'Tricycle' WHERE title = 'First bicycle'")
    assert base.execute(query, ("bicycle",)).fetchall() == []
    with base.transaction():
        base.execute("SET LOCAL enable_seqscan = off")
        plan = base.execute("EXPLAIN (FORMAT JSON) " + query, ("grandmother",)).fetchone()[0]
    assert ("Bitmap Index Scan", "memory_assets_search_idx") in plan_nodes(plan)


# --- views ----------------------------------------------------------------------------

def at(day: int, hour: int) -> datetime:
    return datetime(2024, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def view_data(base: psycopg.Connection) -> psycopg.Connection:
    """A small known data set: two days of batches, assets in every status, grants in every state."""
    conn = base
    conn.execute("DELETE FROM memory_assets")
    conn.execute("DELETE FROM memory_batches")
    batches = [
        # (id, owner, status, asset_count, minted, cost, winston, created, completed)
        (1, WALLET_A, "completed", 10, 10, 1000, 5, at(1, 10), at(1, 12)),
        (2, WALLET_A, "completed", 5, 5, 3000, 7, at(1, 20), at(1, 21)),
        (3, WALLET_B, "failed", 4, 1, 500, 0, at(1, 23), None),
        (4, WALLET_C, "pending", 2, 0, 0, 0, at(2, 1), None),
    ]
    for number, owner, status, count, minted, cost, winston, created, completed in batches:
        insert(conn, "memory_batches", batch_row(
            uuid.UUID(int=number), owner_address=owner, status=status, asset_count=count, minted_count=minted,
            total_cost_lamports=cost, arweave_cost_winston=winston, created_at=created, completed_at=completed))
    assets = [
        # (name, owner, status, batch, created)
        ("active 1", WALLET_A, "active", 1, at(1, 12)),
        ("active 2", WALLET_A, "active", None, at(1, 13)),
        ("archived", WALLET_A, "archived", 2, at(1, 21)),
        ("burned", WALLET_B, "burned", 3, at(1, 23)),
    ]
    for leaf, (name, owner, status, batch, created) in enumerate(assets):
        insert(conn, "memory_assets", asset_row(
            b58(name), leaf, owner_address=owner, status=status, title=name,
            batch_id=uuid.UUID(int=batch) if batch else None, created_at=created))
    now = datetime.now(UTC)
    grants = [
        # in force: no limits; uses left; not yet expired
        {}, {"max_uses": 2, "use_count": 1}, {"expires_at": now + timedelta(days=1)},
        # not in force: revoked, expired, used up, given by someone who is not the owner
        {"revoked_at": now}, {"expires_at": now - timedelta(days=1), "granted_at": now - timedelta(days=2)},
        {"max_uses": 2, "use_count": 2}, {"grantor_address": WALLET_C},
    ]
    for grant in grants:
        insert(conn, "access_grants", grant_row(asset_id=b58("active 1"),
                                                **{"granted_at": now - timedelta(hours=1), **grant}))
    costs = [(WALLET_A, 7000, 5000), (WALLET_A, 9000, 5000), (WALLET_B, 100, 100), (b58("payer only"), 50, 0)]
    for wallet, total, fee in costs:
        insert(conn, "cost_tracking", {"wallet_address": wallet, "operation": "mint", "total_cost_lamports": total,
                                       "solana_fee_lamports": fee, "arweave_cost_winston": 10**20})
    return conn


def test_active_memory_assets(view_data: psycopg.Connection) -> None:
    rows = view_data.execute(
        "SELECT title, batch_status, active_grant_count FROM active_memory_assets ORDER BY title").fetchall()
    assert rows == [("active 1", "completed", 3), ("active 2", None, 0)]


def test_batch_statistics_daily(view_data: psycopg.Connection) -> None:
    rows = view_data.execute("""
        SELECT date, total_batches, pending_batches, processing_batches, completed_batches, failed_batches,
               total_assets_requested, total_assets_minted, unique_wallets, total_cost_lamports,
               avg_cost_lamports, total_arweave_cost_winston, avg_completion_time
        FROM batch_statistics ORDER BY date""").fetchall()
    day1, day2 = at(1, 0).date(), at(2, 0).date()
    assert rows == [
        (day1, 3, 0, 0, 2, 1, 19, 16, 2, 4500, 1500, 12, timedelta(hours=1, minutes=30)),
        (day2, 1, 1, 0, 0, 0, 2, 0, 1, 0, 0, 0, None),
    ]


def test_user_statistics_per_user(view_data: psycopg.Connection) -> None:
    rows = view_data.execute("""
        SELECT owner_address, total_assets, active_assets, total_batches, completed_batches, failed_batches,
               paid_operations, total_cost_lamports, total_solana_fee_lamports, total_arweave_cost_winston,
               first_asset_at, last_asset_at, last_batch_at
        FROM user_statistics""").fetchall()
    by_wallet = {row[0]: row[1:] for row in rows}
    assert by_wallet == {
        WALLET_A: (3, 2, 2, 2, 0, 2, 16000, 10000, 2 * 10**20, at(1, 12), at(1, 21), at(1, 20)),
        WALLET_B: (1, 0, 1, 0, 1, 1, 100, 100, 10**20, at(1, 23), at(1, 23), at(1, 23)),
        WALLET_C: (0, 0, 1, 0, 0, 0, 0, 0, 0, None, None, at(2, 1)),
        b58("payer only"): (0, 0, 0, 0, 0, 1, 50, 0, 10**20, None, None, None),
    }


# --- usage examples of the description ------------------------------------------------------
# The queries themselves are in usage_examples.py (verbatim from the description).

EXAMPLE_INDEX = {
    "user_assets": ("memory_assets", "memory_assets_owner_address_created_at_idx"),
    "batch_statistics": ("memory_batches", "memory_batches_created_date_idx"),
    "active_grants": ("access_grants", "access_grants_grantee_address_active_idx"),
    "costs_over_time": ("cost_tracking", "cost_tracking_wallet_address_timestamp_idx"),
}
INDEX_NODES = {"Index Scan", "Index Only Scan", "Bitmap Index Scan"}


def plan_nodes(explained: Any) -> list[tuple[str, str | None]]:
    """(node type, index name) of every node of an EXPLAIN (FORMAT JSON) plan, subplans included."""
    found: list[tuple[str, str | None]] = []

    def walk(node: dict[str, Any]) -> None:
        found.append((node["Node Type"], node.get("Index Name")))
        if node["Node Type"] == "Seq Scan":
            found.append(("Seq Scan on", node.get("Relation Name")))
        for child in node.get("Plans", ()):
            walk(child)

    walk(explained[0]["Plan"])
    return found


def with_wallet(example: str, wallet: str) -> str:
    """The example with the placeholder filled as a literal, the way the description shows it."""
    assert example.count(PLACEHOLDER) <= 1
    return example.replace(PLACEHOLDER, f"'{wallet}'")


@pytest.mark.parametrize("name", sorted(USAGE_EXAMPLES))
def test_usage_example_runs_unchanged(base: psycopg.Connection, name: str) -> None:
    base.execute(USAGE_EXAMPLES[name]).fetchall()
    filled = with_wallet(USAGE_EXAMPLES[name], WALLET_A)
    rows = base.execute(filled).fetchall()
    if name == "user_assets":
        assert [row[0] for row in rows] == [ASSET]


BULK_WALLET = "'Wxt' || translate(md5((i % 400)::text), '0', 'z')"
BULK_LOAD = [
    """INSERT INTO merkle_trees (tree_address, authority_address, max_depth, max_buffer_size)
       SELECT 'Tree' || translate(md5(t::text), '0', 'z'), 'Auth' || translate(md5(t::text), '0', 'z'), 20, 64
       FROM generate_series(0, 9) AS t""",
    f"""INSERT INTO memory_batches (owner_address, merkle_tree, status, asset_count, minted_count,
                                   created_at, completed_at)
       SELECT {BULK_WALLET}, 'Tree' || translate(md5((i % 10)::text), '0', 'z'), 'completed', 10, 10,
              now() - (i % 730) * INTERVAL '1 day' - INTERVAL '1 hour', now() - (i % 730) * INTERVAL '1 day'
       FROM generate_series(1, 20000) AS i""",
    f"""INSERT INTO memory_assets (asset_id, owner_address, merkle_tree, leaf_index, arweave_tx_id,
                                  content_hash, title, created_at)
       SELECT 'Ast' || translate(md5(i::text), '0', 'z'), {BULK_WALLET},
              'Tree' || translate(md5((i % 10)::text), '0', 'z'), i,
              substr(md5(i::text) || md5(i::text), 1, 43), md5(i::text) || md5(i::text), 'memory ' || i,
              now() - (i % 730) * INTERVAL '1 day'
       FROM generate_series(1, 40000) AS i""",
    f"""INSERT INTO access_grants (asset_id, grantor_address, grantee_address, expires_at, revoked_at)
       SELECT 'Ast' || translate(md5(i::text), '0', 'z'), {BULK_WALLET},
              'Gra' || translate(md5((i % 600)::text), '0', 'z'),
              CASE WHEN i % 3 = 0 THEN now() + INTERVAL '1 day' END, CASE WHEN i % 5 = 0 THEN now() END
       FROM generate_series(1, 40000) AS i""",
    f"""INSERT INTO cost_tracking (wallet_address, operation, solana_fee_lamports, total_cost_lamports,
                                  "timestamp")
       SELECT {BULK_WALLET}, 'mint', 5000, 5000 + i, now() - (i % 730) * INTERVAL '1 day'
       FROM generate_series(1, 40000) AS i""",
    "ANALYZE",
]
EXAMPLE_WALLET_SQL = {
    "user_assets": "SELECT 'Wxt' || translate(md5('7'), '0', 'z')",
    "batch_statistics": "SELECT NULL",
    "active_grants": "SELECT 'Gra' || translate(md5('7'), '0', 'z')",
    "costs_over_time": "SELECT 'Wxt' || translate(md5('7'), '0', 'z')",
}


@pytest.fixture(scope="module")
def loaded_db(live_url: str, schema_source: Source) -> Iterator[str]:
    """A database with schema/ and some 140k rows, shared by the plan tests of this module."""
    dbname = f"sctest_loaded_{secrets.token_hex(4)}"
    with psycopg.connect(live_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    url = with_dbname(live_url, dbname)
    try:
        build_source(schema_source, url)
        with psycopg.connect(url, autocommit=True) as conn:
            for statement in BULK_LOAD:
                conn.execute(statement)
        yield url
    finally:
        with psycopg.connect(live_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))


@pytest.mark.slow
@pytest.mark.parametrize("role", ["owner", "blockchain_service"])
@pytest.mark.parametrize("name", sorted(USAGE_EXAMPLES))
def test_usage_example_uses_an_index(loaded_db: str, name: str, role: str) -> None:
    table, index = EXAMPLE_INDEX[name]
    if role == "blockchain_service" and name == "batch_statistics":
        # Under row-level security the wallet's own batches are the rows: its index serves them.
        index = "memory_batches_owner_address_created_at_idx"
    with psycopg.connect(loaded_db, autocommit=True) as conn:
        wallet = conn.execute(EXAMPLE_WALLET_SQL[name]).fetchone()[0]
        query = with_wallet(USAGE_EXAMPLES[name], wallet) if wallet else USAGE_EXAMPLES[name]
        if role == "blockchain_service":
            # The service acts for one wallet: an owner (for the grants example, the grantor of the
            # grantee's grants: a grantee reads shared assets through shared_with_me() instead).
            acting = wallet if name in ("user_assets", "costs_over_time") else None
            conn.execute("SET ROLE blockchain_service")
            conn.execute("SELECT set_config('app.current_user', %s, false)",
                         (acting or conn.execute(EXAMPLE_WALLET_SQL["user_assets"]).fetchone()[0],))
        assert conn.execute(query).fetchall(), "the example should find rows in the loaded data"
        plan = conn.execute("EXPLAIN (FORMAT JSON) " + query).fetchone()[0]
    nodes = plan_nodes(plan)
    assert any(node in INDEX_NODES and used == index for node, used in nodes), nodes
    assert ("Seq Scan on", table) not in nodes

"""The platform's security model as data: seed rows of two wallets, the statements the matrix runs, and
the outcome each role must get. Shared by tests/test_security.py (and readable as the specification).

Outcomes: "denied" (no privilege, or a read-only session), "rls" (a row-level security policy rejected the
new row), "0"/"1" (no row / some row seen, changed or deleted), "ok" (an insert went through).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58(seed: str, length: int = 44) -> str:
    """A deterministic string of base58 characters (Solana address length by default)."""
    digest = hashlib.sha512(seed.encode()).digest()
    return "".join(BASE58[byte % 58] for byte in digest[:length])


def sig(seed: str) -> str:
    """A deterministic base58 transaction signature (88 characters)."""
    return (b58(seed + "/1", 44) + b58(seed + "/2", 44))[:88]


def arweave(seed: str) -> str:
    """A deterministic 43-character Arweave transaction id."""
    return b58(seed, 43)


def sha256(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


WALLET_A = b58("wallet A")
WALLET_B = b58("wallet B", 43)
GRANTEE_C = b58("grantee C", 40)
TREE_A = b58("tree A")
TREE_B = b58("tree B")
BATCH_A = "00000000-0000-4000-8000-00000000000a"
BATCH_B = "00000000-0000-4000-8000-00000000000b"
ASSET_A = b58("asset A")
ASSET_B = b58("asset B")
WALLETS = {"own": WALLET_A, "other": WALLET_B}


@dataclass(frozen=True)
class Relation:
    """One table or view of the matrix: how to find a wallet's seeded row, and how to write one."""

    name: str
    # SQL selecting the seeded row of a wallet: %(wallet)s is A's or B's address.
    row: str
    insert: str | None = None
    update: str | None = None
    delete: str | None = None


RELATIONS: dict[str, Relation] = {r.name: r for r in (
    Relation("memory_assets", "owner_address = %(wallet)s",
             "INSERT INTO memory_assets (asset_id, owner_address, merkle_tree, leaf_index, arweave_tx_id, "
             "content_hash) VALUES (%(new_asset)s, %(wallet)s, %(tree)s, 7, %(arweave)s, %(hash)s)",
             "UPDATE memory_assets SET title = 'changed' WHERE owner_address = %(wallet)s",
             "DELETE FROM memory_assets WHERE owner_address = %(wallet)s AND asset_id = %(spare_asset)s"),
    Relation("memory_batches", "owner_address = %(wallet)s",
             "INSERT INTO memory_batches (owner_address, asset_count) VALUES (%(wallet)s, 3)",
             "UPDATE memory_batches SET error_message = 'changed' WHERE owner_address = %(wallet)s",
             "DELETE FROM memory_batches WHERE owner_address = %(wallet)s AND asset_count = 9"),
    Relation("access_grants", "grantor_address = %(wallet)s",
             "INSERT INTO access_grants (asset_id, grantor_address, grantee_address) "
             "VALUES (%(asset)s, %(wallet)s, %(grantee)s)",
             "UPDATE access_grants SET revoked_at = now() WHERE grantor_address = %(wallet)s",
             "DELETE FROM access_grants WHERE grantor_address = %(wallet)s"),
    Relation("minting_queue", "owner_address = %(wallet)s",
             "INSERT INTO minting_queue (owner_address, payload) VALUES (%(wallet)s, '{\"title\": \"x\"}')",
             "UPDATE minting_queue SET status = 'cancelled' WHERE owner_address = %(wallet)s",
             "DELETE FROM minting_queue WHERE owner_address = %(wallet)s"),
    Relation("transfer_history", "to_address = %(wallet)s",
             "INSERT INTO transfer_history (asset_id, from_address, to_address, tx_signature) "
             "VALUES (%(asset)s, %(wallet)s, %(grantee)s, %(signature)s)",
             "UPDATE transfer_history SET transferred_at = transferred_at WHERE to_address = %(wallet)s",
             "DELETE FROM transfer_history WHERE to_address = %(wallet)s"),
    Relation("version_history", "asset_id = %(asset)s",
             "INSERT INTO version_history (asset_id, version, arweave_tx_id, content_hash) "
             "VALUES (%(asset)s, 2, %(arweave)s, %(hash)s)",
             "UPDATE version_history SET change_note = 'changed' WHERE asset_id = %(asset)s",
             "DELETE FROM version_history WHERE asset_id = %(asset)s"),
    Relation("blockchain_audit_logs", "actor_address = %(wallet)s",
             "INSERT INTO blockchain_audit_logs (operation, status, actor_address) "
             "VALUES ('mint', 'success', %(wallet)s)",
             "UPDATE blockchain_audit_logs SET status = 'failure' WHERE actor_address = %(wallet)s",
             "DELETE FROM blockchain_audit_logs WHERE actor_address = %(wallet)s"),
    Relation("blockchain_audit_logs_archive", "actor_address = %(wallet)s",
             "INSERT INTO blockchain_audit_logs_archive (log_id, operation, status, actor_address, details, "
             "\"timestamp\") VALUES (%(log_id)s, 'mint', 'success', %(wallet)s, '{}', now())",
             "UPDATE blockchain_audit_logs_archive SET status = 'failure' WHERE actor_address = %(wallet)s",
             "DELETE FROM blockchain_audit_logs_archive WHERE actor_address = %(wallet)s"),
    Relation("cost_tracking", "wallet_address = %(wallet)s",
             "INSERT INTO cost_tracking (wallet_address, operation, total_cost_lamports) "
             "VALUES (%(wallet)s, 'mint', 5000)",
             "UPDATE cost_tracking SET total_cost_lamports = 0 WHERE wallet_address = %(wallet)s",
             "DELETE FROM cost_tracking WHERE wallet_address = %(wallet)s"),
    Relation("merkle_trees", "authority_address = %(wallet)s",
             "INSERT INTO merkle_trees (tree_address, authority_address, max_depth, max_buffer_size) "
             "VALUES (%(new_tree)s, %(wallet)s, 14, 64)",
             "UPDATE merkle_trees SET status = 'full' WHERE authority_address = %(wallet)s",
             "DELETE FROM merkle_trees WHERE authority_address = %(wallet)s AND tree_address = %(spare_tree)s"),
    # Views: security_invoker, so the caller's policies decide; they take no writes.
    Relation("active_memory_assets", "owner_address = %(wallet)s"),
    Relation("user_statistics", "owner_address = %(wallet)s"),
    # Four batches were made today, two of each wallet: only a role that sees both wallets' batches
    # finds a day with four (test_security checks that a wallet's own figure is its two).
    Relation("batch_statistics", "total_batches = 4 AND %(wallet)s::text IS NOT NULL"),
)}

VERBS = ("select", "insert", "update", "delete")
ROLES = ("service", "service_login_member", "worker", "owner", "backup", "service_without_wallet")

# The expected outcome of (role kind, relation, verb) for the own and the other wallet's rows.
# "service" acts for wallet A (app.current_user = A); "own" are A's rows, "other" B's.
_SERVICE: dict[tuple[str, str], tuple[str, str]] = {
    ("memory_assets", "select"): ("1", "0"),
    ("memory_assets", "insert"): ("denied", "denied"),
    ("memory_assets", "update"): ("1", "0"),
    ("memory_assets", "delete"): ("denied", "denied"),
    ("memory_batches", "select"): ("1", "0"),
    ("memory_batches", "insert"): ("ok", "rls"),
    ("memory_batches", "update"): ("denied", "denied"),
    ("memory_batches", "delete"): ("denied", "denied"),
    ("access_grants", "select"): ("1", "0"),
    ("access_grants", "insert"): ("ok", "rls"),
    ("access_grants", "update"): ("1", "0"),
    ("access_grants", "delete"): ("denied", "denied"),
    ("minting_queue", "select"): ("1", "0"),
    ("minting_queue", "insert"): ("ok", "rls"),
    ("minting_queue", "update"): ("1", "0"),
    ("minting_queue", "delete"): ("denied", "denied"),
    ("transfer_history", "select"): ("1", "0"),
    ("transfer_history", "insert"): ("denied", "denied"),
    ("transfer_history", "update"): ("denied", "denied"),
    ("transfer_history", "delete"): ("denied", "denied"),
    ("version_history", "select"): ("1", "0"),
    ("version_history", "insert"): ("ok", "rls"),
    ("version_history", "update"): ("denied", "denied"),
    ("version_history", "delete"): ("denied", "denied"),
    ("blockchain_audit_logs", "select"): ("1", "0"),
    ("blockchain_audit_logs", "insert"): ("ok", "rls"),
    ("blockchain_audit_logs", "update"): ("denied", "denied"),
    ("blockchain_audit_logs", "delete"): ("denied", "denied"),
    ("blockchain_audit_logs_archive", "select"): ("denied", "denied"),
    ("blockchain_audit_logs_archive", "insert"): ("denied", "denied"),
    ("blockchain_audit_logs_archive", "update"): ("denied", "denied"),
    ("blockchain_audit_logs_archive", "delete"): ("denied", "denied"),
    ("cost_tracking", "select"): ("1", "0"),
    ("cost_tracking", "insert"): ("denied", "denied"),
    ("cost_tracking", "update"): ("denied", "denied"),
    ("cost_tracking", "delete"): ("denied", "denied"),
    # Trees are public chain accounts: readable by every wallet, written by none.
    ("merkle_trees", "select"): ("1", "1"),
    ("merkle_trees", "insert"): ("denied", "denied"),
    ("merkle_trees", "update"): ("denied", "denied"),
    ("merkle_trees", "delete"): ("denied", "denied"),
    ("active_memory_assets", "select"): ("1", "0"),
    ("user_statistics", "select"): ("1", "0"),
    # The daily figures count only the caller's batches: never a day with both wallets' four.
    ("batch_statistics", "select"): ("0", "0"),
}

# The worker sees every wallet's rows of the tables it works on; what it may write is column-scoped.
_WORKER: dict[tuple[str, str], tuple[str, str]] = {
    ("memory_assets", "select"): ("1", "1"),
    ("memory_assets", "insert"): ("ok", "ok"),
    ("memory_assets", "update"): ("denied", "denied"),  # title is the owner's, not the worker's
    ("memory_batches", "select"): ("1", "1"),
    ("memory_batches", "insert"): ("denied", "denied"),
    ("memory_batches", "update"): ("1", "1"),
    ("access_grants", "select"): ("denied", "denied"),
    ("access_grants", "insert"): ("denied", "denied"),
    ("access_grants", "update"): ("denied", "denied"),
    ("minting_queue", "select"): ("1", "1"),
    ("minting_queue", "insert"): ("denied", "denied"),
    ("minting_queue", "update"): ("1", "1"),
    ("transfer_history", "select"): ("denied", "denied"),
    ("transfer_history", "insert"): ("denied", "denied"),
    ("transfer_history", "update"): ("denied", "denied"),
    ("version_history", "select"): ("denied", "denied"),
    ("version_history", "insert"): ("denied", "denied"),
    ("version_history", "update"): ("denied", "denied"),
    ("blockchain_audit_logs", "select"): ("1", "1"),
    ("blockchain_audit_logs", "insert"): ("ok", "ok"),
    ("blockchain_audit_logs", "update"): ("denied", "denied"),
    ("blockchain_audit_logs_archive", "select"): ("denied", "denied"),
    ("blockchain_audit_logs_archive", "insert"): ("denied", "denied"),
    ("blockchain_audit_logs_archive", "update"): ("denied", "denied"),
    ("cost_tracking", "select"): ("1", "1"),
    ("cost_tracking", "insert"): ("ok", "ok"),
    ("cost_tracking", "update"): ("denied", "denied"),
    ("merkle_trees", "select"): ("1", "1"),
    ("merkle_trees", "insert"): ("ok", "ok"),
    ("merkle_trees", "update"): ("1", "1"),
    ("active_memory_assets", "select"): ("denied", "denied"),
    ("user_statistics", "select"): ("denied", "denied"),
    ("batch_statistics", "select"): ("denied", "denied"),
}

# The owner role (through memory_deploy's membership) reads and writes everything; the rows it deletes
# are spare rows nothing references.
_OWNER_WRITES = {"insert": ("ok", "ok"), "update": ("1", "1"), "delete": ("1", "1")}


def expected(role: str, relation: str, verb: str) -> tuple[str, str]:
    """The outcome (own wallet's rows, other wallet's rows) the model promises."""
    is_view = RELATIONS[relation].insert is None
    if role in ("service", "service_login_member"):
        return _SERVICE[(relation, verb)]
    if role == "service_without_wallet":
        own_other = _SERVICE[(relation, verb)]
        # No wallet set: nothing is anyone's. Reads see no row of either wallet, except the public
        # trees; writes that a wallet could do are rejected by the policies.
        if relation == "merkle_trees" and verb == "select":
            return own_other
        return tuple("0" if o in ("1",) else "rls" if o == "ok" else o for o in own_other)  # type: ignore[return-value]
    if role == "worker":
        return _WORKER.get((relation, verb), ("denied", "denied"))
    if role == "owner":
        if verb == "select":
            return ("1", "1")
        return ("denied", "denied") if is_view else _OWNER_WRITES[verb]
    if role == "backup":
        return ("1", "1") if verb == "select" else ("denied", "denied")
    raise ValueError(role)


def cases() -> list[tuple[str, str, str]]:
    """Every (role, relation, verb) of the matrix; views take reads only."""
    result = []
    for role in ROLES:
        for relation, spec in RELATIONS.items():
            for verb in VERBS:
                if spec.insert is None and verb != "select":
                    continue
                result.append((role, relation, verb))
    return result

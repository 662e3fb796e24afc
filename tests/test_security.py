"""Wallet isolation and least privilege, tested as an attacker and as the real deployment would.

Two deployments of schema/: "built" (a superuser builds it, as the dev server does) and "deployed" (an
administrator creates the roles and a database owned by memory_owner; the non-superuser memory_deploy runs
`schemactl migrate up`). On each, every role — the API role directly and through a LOGIN member, the worker,
the owner (through memory_deploy), the backup role, and the API role with no wallet set — runs every verb on
every table and view, against its own wallet's rows and another wallet's, and must get exactly the outcome
tests/security_model.py promises.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

from fixtures_db import REPO, SCHEMA_DIR, _fresh
from schemactl.build import build_source, ensure_roles
from schemactl.conninfo import with_user
from schemactl.roles import roles_from_statements
from security_model import (
    ASSET_A,
    ASSET_B,
    BATCH_A,
    BATCH_B,
    GRANTEE_C,
    RELATIONS,
    TREE_A,
    TREE_B,
    WALLET_A,
    WALLET_B,
    WALLETS,
    arweave,
    b58,
    cases,
    expected,
    sha256,
    sig,
)

SERVICE = "blockchain_service"
LOGIN_MEMBER = "sctest_api_login"
ROLE_LOGIN = {
    "service": SERVICE,
    "service_without_wallet": SERVICE,
    "service_login_member": LOGIN_MEMBER,
    "worker": "memory_worker",
    "owner": "memory_deploy",
    "backup": "memory_backup",
}
SPARE = {"own": b58("spare asset A"), "other": b58("spare asset B")}
SPARE_TREE = {"own": b58("spare tree A"), "other": b58("spare tree B")}
OTHER_TREE = {"own": TREE_A, "other": TREE_B}
ASSET = {"own": ASSET_A, "other": ASSET_B}


def as_user(url: str, user: str) -> str:
    """The same server and database, logging in as another role (test servers trust local logins)."""
    return with_user(url, user)  # a socket directory in the query (the embedded server) stays


def _seed(admin: psycopg.Connection) -> None:
    """Two wallets' rows in every table, written by the superuser with every rule checked."""
    with admin.transaction():
        for whose, wallet in WALLETS.items():
            tree = OTHER_TREE[whose]
            admin.execute("INSERT INTO merkle_trees (tree_address, authority_address, max_depth, max_buffer_size) "
                          "VALUES (%s, %s, 14, 64), (%s, %s, 3, 8)", (tree, wallet, SPARE_TREE[whose], wallet))
            batch = BATCH_A if whose == "own" else BATCH_B
            admin.execute("INSERT INTO memory_batches (batch_id, owner_address, merkle_tree, asset_count) "
                          "VALUES (%s, %s, %s, 2)", (batch, wallet, tree))
            admin.execute("INSERT INTO memory_batches (owner_address, asset_count) VALUES (%s, 9)", (wallet,))
            for asset, leaf in ((ASSET[whose], 0), (SPARE[whose], 1)):
                admin.execute(
                    "INSERT INTO memory_assets (asset_id, owner_address, batch_id, merkle_tree, leaf_index, "
                    "arweave_tx_id, content_hash, title) VALUES (%s, %s, %s, %s, %s, %s, %s, 'seeded')",
                    (asset, wallet, batch, tree, leaf, arweave(asset), sha256(asset)))
            admin.execute("INSERT INTO access_grants (asset_id, grantor_address, grantee_address) VALUES (%s, %s, %s)",
                          (ASSET[whose], wallet, GRANTEE_C))
            admin.execute("INSERT INTO minting_queue (owner_address) VALUES (%s)", (wallet,))
            admin.execute("INSERT INTO version_history (asset_id, version, arweave_tx_id, content_hash) "
                          "VALUES (%s, 1, %s, %s)", (ASSET[whose], arweave(ASSET[whose]), sha256(ASSET[whose])))
            admin.execute("INSERT INTO blockchain_audit_logs (operation, status, actor_address) "
                          "VALUES ('mint', 'success', %s)", (wallet,))
            admin.execute("INSERT INTO blockchain_audit_logs_archive (log_id, operation, status, actor_address, "
                          "details, \"timestamp\") VALUES (%s, 'mint', 'success', %s, '{}', now())",
                          (900 + len(whose), wallet))
            admin.execute("INSERT INTO cost_tracking (wallet_address, operation, batch_id, total_cost_lamports) "
                          "VALUES (%s, 'mint', %s, 5000)", (wallet, batch))
            # A transfer into the wallet, recorded as the transfer function would have (from the then owner).
            previous = b58("previous owner " + whose)
            admin.execute("UPDATE memory_assets SET owner_address = %s WHERE asset_id = %s", (previous, ASSET[whose]))
            admin.execute("INSERT INTO transfer_history (asset_id, from_address, to_address, tx_signature) "
                          "VALUES (%s, %s, %s, %s)", (ASSET[whose], previous, wallet, sig("seed " + whose)))
            admin.execute("UPDATE memory_assets SET owner_address = %s WHERE asset_id = %s", (wallet, ASSET[whose]))


def _deploy(admin_url: str, db_url: str) -> None:
    """What a platform team does: an administrator creates the roles and the database owned by
    memory_owner; memory_deploy (no superuser, no CREATEROLE) applies the migration history."""
    roles = roles_from_statements(_schema_source().statements)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        ensure_roles(admin, roles, align=True)
        dbname = urlsplit(db_url).path.lstrip("/")
        admin.execute(sql.SQL("ALTER DATABASE {} OWNER TO memory_owner").format(sql.Identifier(dbname)))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "schemactl", "migrate", "up", "--target", as_user(db_url, "memory_deploy"), "-q"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr + result.stdout


_SOURCE = None


def _schema_source():
    global _SOURCE
    if _SOURCE is None:
        from schemactl.load import load_path, require_parsed  # noqa: PLC0415

        _SOURCE = require_parsed(load_path(SCHEMA_DIR, display_base=REPO))
    return _SOURCE


DRIFT: dict[str, subprocess.CompletedProcess[str]] = {}


def _drift(target: str, dev_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "schemactl", "drift", "-q", "--target", target,
                           "--dev-url", dev_url], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module", params=["built", "deployed"])
def secured(request: pytest.FixtureRequest, live_url: str) -> Iterator[str]:
    """A seeded database of schema/, built by a superuser or deployed by memory_deploy."""
    for url in _fresh(live_url, f"sctest_sec_{request.param}"):
        if request.param == "built":
            build_source(_schema_source(), url, align_roles=True)
        else:
            _deploy(live_url, url)
        # Before the test's own additions: the deployment as it stands must equal schema/.
        DRIFT[request.param] = _drift(as_user(url, "memory_deploy"), live_url)
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(sql.SQL("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {}) THEN "
                                  "CREATE ROLE {} LOGIN; END IF; END $$").format(
                sql.Literal(LOGIN_MEMBER), sql.Identifier(LOGIN_MEMBER)))
            admin.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(SERVICE), sql.Identifier(LOGIN_MEMBER)))
            for role in set(ROLE_LOGIN.values()):
                admin.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                    sql.Identifier(urlsplit(url).path.lstrip("/")), sql.Identifier(role)))
            _seed(admin)
        yield url


@pytest.fixture(scope="module")
def sessions(secured: str) -> Iterator[dict[str, psycopg.Connection]]:
    """One connection per role, each logged in as that role."""
    opened: dict[str, psycopg.Connection] = {}
    try:
        for kind, login in ROLE_LOGIN.items():
            opened[kind] = psycopg.connect(as_user(secured, login), autocommit=True)
        yield opened
    finally:
        for conn in opened.values():
            conn.close()


def _params(whose: str) -> dict[str, object]:
    wallet = WALLETS[whose]
    return {
        "wallet": wallet, "asset": ASSET[whose], "tree": OTHER_TREE[whose], "grantee": GRANTEE_C,
        "new_asset": b58("new asset " + whose), "new_tree": b58("new tree " + whose),
        "spare_asset": SPARE[whose], "spare_tree": SPARE_TREE[whose], "signature": sig("matrix " + whose),
        "arweave": arweave("matrix " + whose), "hash": sha256("matrix " + whose), "log_id": 1000 + len(whose),
    }


def _outcome(conn: psycopg.Connection, relation: str, verb: str, params: dict[str, object]) -> str:
    spec = RELATIONS[relation]
    if verb == "select":
        statement = f"SELECT count(*) FROM {relation} WHERE {spec.row}"  # relation names come from the model
    else:
        statement = getattr(spec, verb)
    try:
        cursor = conn.execute(statement, params)
    except psycopg.errors.InsufficientPrivilege as exc:
        return "rls" if "row-level security" in str(exc) else "denied"
    except psycopg.errors.ReadOnlySqlTransaction:
        return "denied"
    if verb == "select":
        return "1" if cursor.fetchone()[0] > 0 else "0"
    if verb == "insert":
        return "ok"
    return "1" if cursor.rowcount > 0 else "0"


@pytest.mark.parametrize("whose", ["own", "other"])
@pytest.mark.parametrize(("role", "relation", "verb"), cases())
def test_matrix(sessions: dict[str, psycopg.Connection], role: str, relation: str, verb: str, whose: str) -> None:
    conn = sessions[role]
    with conn.transaction(force_rollback=True):
        if role != "service_without_wallet":
            conn.execute("SELECT set_config('app.current_user', %s, true)", (WALLET_A,))
        got = _outcome(conn, relation, verb, _params(whose))
    own, other = expected(role, relation, verb)
    assert got == (own if whose == "own" else other), f"{role} {verb} on {relation} ({whose} wallet's rows)"


# --- targeted attacks ------------------------------------------------------------------------------

def _as_wallet(conn: psycopg.Connection, wallet: str | None) -> None:
    conn.execute("SELECT set_config('app.current_user', %s, true)", (wallet or "",))


def _fails(conn: psycopg.Connection, statement: str, params: object = None, *, match: str) -> None:
    with conn.transaction(force_rollback=True):
        _as_wallet(conn, WALLET_A)
        with pytest.raises(psycopg.Error, match=match):
            conn.execute(statement, params)


@pytest.mark.parametrize(("role", "statement"), [
    ("service", "INSERT INTO blockchain_audit_logs (log_id, operation, status, actor_address) "
                "OVERRIDING SYSTEM VALUE VALUES (1, 'mint', 'success', %(wallet)s)"),
    ("worker", "INSERT INTO blockchain_audit_logs (log_id, operation, status, actor_address) "
               "OVERRIDING SYSTEM VALUE VALUES (1, 'mint', 'success', %(wallet)s)"),
    ("service", "INSERT INTO access_grants (grant_id, asset_id, grantor_address, grantee_address) "
                "OVERRIDING SYSTEM VALUE VALUES (999999, %(asset)s, %(wallet)s, %(grantee)s)"),
    ("service", "INSERT INTO blockchain_audit_logs (operation, status, actor_address, \"timestamp\") "
                "VALUES ('mint', 'success', %(wallet)s, now() - interval '1 year')"),
    ("worker", "INSERT INTO blockchain_audit_logs (operation, status, actor_address, \"timestamp\") "
               "VALUES ('mint', 'success', %(wallet)s, now() - interval '1 year')"),
    ("worker", "INSERT INTO cost_tracking (wallet_address, operation, total_cost_lamports, \"timestamp\") "
               "VALUES (%(wallet)s, 'mint', 1, now() - interval '1 year')"),
    ("service", "INSERT INTO access_grants (asset_id, grantor_address, grantee_address, granted_at) "
                "VALUES (%(asset)s, %(wallet)s, %(grantee)s, now() - interval '1 year')"),
    ("service", "INSERT INTO memory_batches (owner_address, asset_count, status) VALUES (%(wallet)s, 1, 'completed')"),
    ("service", "INSERT INTO minting_queue (owner_address, priority) VALUES (%(wallet)s, 1000)"),
])
def test_identity_values_and_timestamps_are_not_the_callers(sessions, role: str, statement: str) -> None:
    _fails(sessions[role], statement, _params("own"), match="permission denied")


@pytest.mark.parametrize("column", ["asset_id", "owner_address", "merkle_tree", "leaf_index", "content_hash",
                                    "arweave_tx_id", "mint_signature", "created_at", "batch_id"])
def test_owner_wallet_cannot_rewrite_chain_facts(sessions, column: str) -> None:
    statement = sql.SQL("UPDATE memory_assets SET {c} = {c} WHERE asset_id = %s").format(c=sql.Identifier(column))
    _fails(sessions["service"], statement.as_string(sessions["service"]), (ASSET_A,), match="permission denied")


@pytest.mark.parametrize("assignment", ["leaf_index = leaf_index + 100", "merkle_tree = %(other_tree)s",
                                        "created_at = created_at - interval '1 day'", "asset_id = %(other)s"])
def test_chain_facts_are_fixed_even_for_the_owner_role(sessions, assignment: str) -> None:
    statement = f"UPDATE memory_assets SET {assignment} WHERE asset_id = %(asset)s"
    _fails(sessions["owner"], statement, {"asset": ASSET_A, "other_tree": TREE_B, "other": b58("renamed")},
           match="chain facts")


def test_nothing_comes_back_from_burned(sessions) -> None:
    worker = sessions["worker"]
    with worker.transaction(force_rollback=True):
        worker.execute("UPDATE memory_assets SET status = 'burned' WHERE asset_id = %s", (ASSET_A,))
        with pytest.raises(psycopg.errors.CheckViolation, match="burned"):
            worker.execute("UPDATE memory_assets SET status = 'active' WHERE asset_id = %s", (ASSET_A,))
    service = sessions["service"]
    with service.transaction(force_rollback=True):
        _as_wallet(service, WALLET_A)
        # The owner may archive and re-activate, but cannot declare its asset burned or pending.
        assert service.execute("UPDATE memory_assets SET status = 'archived' WHERE asset_id = %s",
                               (ASSET_A,)).rowcount == 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            service.execute("UPDATE memory_assets SET status = 'burned' WHERE asset_id = %s", (ASSET_A,))


def test_a_pending_asset_cannot_be_activated_by_its_owner(sessions) -> None:
    worker, service = sessions["worker"], sessions["service"]
    pending = b58("pending asset")
    with worker.transaction():
        worker.execute("INSERT INTO memory_assets (asset_id, owner_address, merkle_tree, leaf_index, arweave_tx_id, "
                       "content_hash, status) VALUES (%s, %s, %s, 9, %s, %s, 'pending')",
                       (pending, WALLET_A, TREE_A, arweave(pending), sha256(pending)))
    try:
        with service.transaction(force_rollback=True):
            _as_wallet(service, WALLET_A)
            assert service.execute("SELECT count(*) FROM memory_assets WHERE asset_id = %s",
                                   (pending,)).fetchone()[0] == 1
            assert service.execute("UPDATE memory_assets SET status = 'active' WHERE asset_id = %s",
                                   (pending,)).rowcount == 0
    finally:
        sessions["owner"].execute("DELETE FROM memory_assets WHERE asset_id = %s", (pending,))


@pytest.mark.parametrize(("statement", "match"), [
    # A leaf beyond the tree's capacity (2^14).
    ("INSERT INTO memory_assets (asset_id, owner_address, merkle_tree, leaf_index, arweave_tx_id, content_hash) "
     "VALUES (%(new)s, %(a)s, %(tree_a)s, 16384, %(ar)s, %(h)s)", "capacity"),
    # An asset of A in B's batch.
    ("INSERT INTO memory_assets (asset_id, owner_address, batch_id, merkle_tree, leaf_index, arweave_tx_id, "
     "content_hash) VALUES (%(new)s, %(a)s, %(batch_b)s, %(tree_b)s, 5, %(ar)s, %(h)s)", "different owners"),
    # An asset in another tree than its batch's.
    ("INSERT INTO memory_assets (asset_id, owner_address, batch_id, merkle_tree, leaf_index, arweave_tx_id, "
     "content_hash) VALUES (%(new)s, %(a)s, %(batch_a)s, %(tree_b)s, 5, %(ar)s, %(h)s)", "its batch"),
    # A third asset in a batch of two.
    ("INSERT INTO memory_assets (asset_id, owner_address, batch_id, merkle_tree, leaf_index, arweave_tx_id, "
     "content_hash) VALUES (%(new)s, %(a)s, %(batch_a)s, %(tree_a)s, 5, %(ar)s, %(h)s)", "already holds"),
    # A queue entry of A naming B's batch.
    ("INSERT INTO minting_queue (owner_address, batch_id) VALUES (%(a)s, %(batch_b)s)", "does not belong"),
])
def test_cross_row_rules(sessions, statement: str, match: str) -> None:
    params = {"new": b58("rule asset"), "a": WALLET_A, "tree_a": TREE_A, "tree_b": TREE_B, "batch_a": BATCH_A,
              "batch_b": BATCH_B, "ar": arweave("rule"), "h": sha256("rule")}
    role = "service" if statement.startswith("INSERT INTO minting_queue") else "worker"
    _fails(sessions[role], statement, params, match=match)


def test_versions_are_contiguous(sessions) -> None:
    service = sessions["service"]
    insert = ("INSERT INTO version_history (asset_id, version, arweave_tx_id, content_hash) "
              "VALUES (%s, %s, %s, %s) RETURNING created_by_address")
    _fails(service, insert, (ASSET_A, 5, arweave("v5"), sha256("v5")), match="next version")
    with service.transaction(force_rollback=True):
        _as_wallet(service, WALLET_A)
        author = service.execute(insert, (ASSET_A, 2, arweave("v2"), sha256("v2"))).fetchone()[0]
        assert author == WALLET_A
        with pytest.raises(psycopg.errors.CheckViolation, match="next version"):
            service.execute(insert, (ASSET_A, 2, arweave("v2b"), sha256("v2b")))


def test_transfers_end_to_end(sessions) -> None:
    service = sessions["service"]
    receiver = GRANTEE_C
    friend = b58("friend of A")
    with service.transaction(force_rollback=True):
        _as_wallet(service, WALLET_A)
        service.execute("INSERT INTO access_grants (asset_id, grantor_address, grantee_address) VALUES (%s, %s, %s)",
                        (ASSET_A, WALLET_A, friend))
        _as_wallet(service, friend)
        assert [r[0] for r in service.execute("SELECT asset_id FROM shared_with_me()")] == [ASSET_A]
        # B cannot move A's asset, and neither can a session without a wallet.
        for wallet in (WALLET_B, None):
            _as_wallet(service, wallet)
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="not owned"):
                with service.transaction():
                    service.execute("SELECT transfer_asset(%s, %s, %s)", (ASSET_A, receiver, sig("t")))
        _as_wallet(service, WALLET_A)
        transfer_id = service.execute("SELECT transfer_asset(%s, %s, %s)",
                                      (ASSET_A, receiver, sig("transfer 1"))).fetchone()[0]
        assert transfer_id > 0
        assert service.execute("SELECT count(*) FROM memory_assets WHERE asset_id = %s", (ASSET_A,)).fetchone()[0] == 0
        # The old owner still sees the transfer it made; the new owner sees the asset and its provenance.
        assert service.execute("SELECT to_address FROM transfer_history WHERE transfer_id = %s",
                               (transfer_id,)).fetchone()[0] == receiver
        _as_wallet(service, receiver)
        assert service.execute("SELECT owner_address FROM memory_assets WHERE asset_id = %s",
                               (ASSET_A,)).fetchone()[0] == receiver
        assert service.execute("SELECT count(*) FROM transfer_history WHERE asset_id = %s",
                               (ASSET_A,)).fetchone()[0] == 2
        # The previous owner's grants stop applying.
        _as_wallet(service, friend)
        assert service.execute("SELECT count(*) FROM shared_with_me()").fetchone()[0] == 0
        # The old owner cannot move it back.
        _as_wallet(service, WALLET_A)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="not owned"):
            with service.transaction():
                service.execute("SELECT transfer_asset(%s, %s, %s)", (ASSET_A, WALLET_A, sig("back")))


def test_direct_ownership_change_and_forged_transfers_are_refused(sessions) -> None:
    _fails(sessions["service"], "UPDATE memory_assets SET owner_address = %s WHERE asset_id = %s",
           (WALLET_B, ASSET_A), match="permission denied")
    # Even the owner role cannot record a transfer that does not leave the current owner.
    _fails(sessions["owner"], "INSERT INTO transfer_history (asset_id, from_address, to_address, tx_signature) "
           "VALUES (%s, %s, %s, %s)", (ASSET_A, WALLET_B, GRANTEE_C, sig("forged")), match="not owned")


def test_shared_assets_and_grant_uses(sessions) -> None:
    service = sessions["service"]
    outsider = b58("outsider")
    with service.transaction(force_rollback=True):
        # A names itself grantor on B's asset for an outsider: its policy lets it write the row,
        # but a grant opens an asset only when its grantor owns the asset.
        _as_wallet(service, WALLET_A)
        forged = service.execute("INSERT INTO access_grants (asset_id, grantor_address, grantee_address) "
                                 "VALUES (%s, %s, %s) RETURNING grant_id", (ASSET_B, WALLET_A, outsider)).fetchone()[0]
        _as_wallet(service, outsider)
        assert service.execute("SELECT count(*) FROM shared_with_me()").fetchone()[0] == 0
        assert service.execute("SELECT record_grant_use(%s)", (forged,)).fetchone()[0] is False
        # C holds grants from A and B: both assets are shared with it, read only.
        _as_wallet(service, GRANTEE_C)
        assert {r[0] for r in service.execute("SELECT asset_id FROM shared_with_me()")} == {ASSET_A, ASSET_B}
        assert service.execute("SELECT count(*) FROM memory_assets").fetchone()[0] == 0
        grant_b = service.execute("SELECT grant_id FROM access_grants WHERE grantor_address = %s",
                                  (WALLET_B,)).fetchone()[0]
        assert service.execute("SELECT record_grant_use(%s)", (grant_b,)).fetchone()[0] is True
        assert service.execute("SELECT use_count FROM access_grants WHERE grant_id = %s", (grant_b,)).fetchone()[0] == 1
        # C cannot reset the count or lift anything itself.
        assert service.execute("UPDATE access_grants SET revoked_at = NULL WHERE grant_id = %s",
                               (grant_b,)).rowcount == 0
        # B revokes: the asset closes and uses are no longer counted.
        _as_wallet(service, WALLET_B)
        assert service.execute("UPDATE access_grants SET revoked_at = now() WHERE grant_id = %s",
                               (grant_b,)).rowcount == 1
        _as_wallet(service, GRANTEE_C)
        assert {r[0] for r in service.execute("SELECT asset_id FROM shared_with_me()")} == {ASSET_A}
        assert service.execute("SELECT record_grant_use(%s)", (grant_b,)).fetchone()[0] is False


def test_wallet_sees_only_its_own_figures(sessions) -> None:
    service = sessions["service"]
    with service.transaction(force_rollback=True):
        _as_wallet(service, WALLET_A)
        assert service.execute("SELECT sum(total_batches) FROM batch_statistics").fetchone()[0] == 2
        rows = service.execute("SELECT owner_address, total_assets, total_batches, paid_operations "
                               "FROM user_statistics").fetchall()
        assert rows == [(WALLET_A, 2, 2, 1)]


def test_worker_completes_batches_only_through_the_function(sessions) -> None:
    worker, service = sessions["worker"], sessions["service"]
    with worker.transaction(force_rollback=True):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            with worker.transaction():
                worker.execute("UPDATE memory_batches SET status = 'completed', completed_at = now(), "
                               "minted_count = 2 WHERE batch_id = %s", (BATCH_A,))
        minted = worker.execute("SELECT complete_batch(%s, %s, %s, 1000, 7)",
                                (BATCH_A, sig("batch a"), [sig("batch a")])).fetchone()[0]
        assert minted == 2
        with pytest.raises(psycopg.errors.CheckViolation, match="not pending or processing"):
            worker.execute("SELECT complete_batch(%s, %s, %s, 1000, 7)", (BATCH_A, sig("again"), []))
    with service.transaction(force_rollback=True):
        _as_wallet(service, WALLET_A)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for function"):
            service.execute("SELECT complete_batch(%s, %s, %s, 0, 0)", (BATCH_A, sig("x"), []))


@pytest.mark.parametrize("role", ["service", "worker", "backup"])
def test_app_roles_cannot_lock_tables_exclusively(sessions, role: str) -> None:
    _fails(sessions[role], "LOCK TABLE memory_assets IN ACCESS EXCLUSIVE MODE", match="permission denied")


_ESCAPES = [
    "SET row_security = off; SELECT count(*) FROM memory_assets",
    "ALTER TABLE memory_assets DISABLE ROW LEVEL SECURITY",
    "CREATE TABLE public.intruder (id int)",
    "CREATE FUNCTION intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "CREATE SCHEMA intruder",
    "SELECT cleanup_minting_queue()",
    "SELECT archive_audit_logs()",
]


# memory_backup has BYPASSRLS on purpose (it reads every row for backups), so row_security = off is
# no escape for it to test.
@pytest.mark.parametrize(("role", "statement"), [
    (role, statement) for role in ("service", "worker", "backup") for statement in _ESCAPES
    if not (role == "backup" and statement.startswith("SET row_security"))
])
def test_no_way_around_it(sessions, role: str, statement: str) -> None:
    _fails(sessions[role], statement, match="permission denied|must be owner|read-only|row-level security")


def test_arweave_cost_must_be_whole_winston(sessions) -> None:
    _fails(sessions["worker"], "INSERT INTO cost_tracking (wallet_address, operation, total_cost_lamports, "
           "arweave_cost_winston) VALUES (%s, 'upload', 0, 1.5)", (WALLET_A,), match="winston_whole")


# --- the catalog says the same -------------------------------------------------------------------

EXPECTED_ROLES = {
    # name: (login, superuser, createrole, createdb, bypassrls, member of)
    "memory_owner": (False, False, False, False, False, set()),
    "memory_deploy": (True, False, False, False, False, {"memory_owner"}),
    "blockchain_service": (True, False, False, False, False, set()),
    "memory_worker": (True, False, False, False, False, set()),
    "memory_backup": (True, False, False, False, True, {"pg_read_all_data"}),
}


def test_the_deployment_has_no_drift(secured: str) -> None:
    """schemactl drift, run by memory_deploy, finds the database equal to schema/ by both checks."""
    kind = "built" if "sctest_sec_built" in secured else "deployed"
    result = DRIFT[kind]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_roles_are_as_declared(secured: str) -> None:
    with psycopg.connect(secured) as conn:
        rows = conn.execute("""
            SELECT r.rolname, r.rolcanlogin, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls,
                   array(SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                         WHERE m.member = r.oid)
            FROM pg_roles r WHERE r.rolname = ANY(%s)""", (list(EXPECTED_ROLES),)).fetchall()
    found = {name: (*flags, set(members)) for name, *flags, members in rows}
    assert found == EXPECTED_ROLES


def test_every_table_forces_row_level_security(secured: str) -> None:
    with psycopg.connect(secured) as conn:
        rows = conn.execute("""
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')""").fetchall()
    assert len(rows) == 10
    assert all(enabled and forced for _, enabled, forced in rows), rows


def test_every_object_is_owned_by_the_owner_role(secured: str) -> None:
    with psycopg.connect(secured) as conn:
        rows = conn.execute("""
            SELECT 'relation ' || c.relname, pg_get_userbyid(c.relowner) FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'monitoring')
            UNION ALL
            SELECT 'function ' || p.proname, pg_get_userbyid(p.proowner) FROM pg_proc p
            JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('public', 'monitoring')
            UNION ALL
            SELECT 'schema monitoring', pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'monitoring'
            """).fetchall()
    assert len(rows) > 60
    assert {owner for _, owner in rows} == {"memory_owner"}, [r for r in rows if r[1] != "memory_owner"]


def test_security_definer_functions_pin_search_path_and_execute_only_for_their_roles(secured: str) -> None:
    with psycopg.connect(secured) as conn:
        rows = conn.execute("""
            SELECT p.proname, p.proconfig,
                   array(SELECT DISTINCT pg_get_userbyid(a.grantee) FROM aclexplode(p.proacl) a
                         WHERE a.privilege_type = 'EXECUTE' AND a.grantee <> p.proowner ORDER BY 1)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' AND p.prosecdef""").fetchall()
    found = {name: (config, grantees) for name, config, grantees in rows}
    assert {name: grantees for name, (_, grantees) in found.items()} == {
        "transfer_asset": ["blockchain_service"], "record_grant_use": ["blockchain_service"],
        "shared_with_me": ["blockchain_service"], "complete_batch": ["memory_worker"],
        "memory_assets_rules": [], "version_history_rules": [], "transfer_history_rules": [],
        "minting_queue_rules": [],
    }
    assert all(config and any(c.startswith("search_path=") for c in config) for config, _ in found.values())


def test_backup_role_dumps_every_wallets_rows(secured: str, live_url: str) -> None:
    from schemactl.devserver import client_bindir  # noqa: PLC0415

    with psycopg.connect(live_url) as conn:
        major = conn.info.server_version // 10000
    bindir = client_bindir(major)
    pg_dump = str(bindir / "pg_dump") if bindir else "pg_dump"
    result = subprocess.run([pg_dump, "--data-only", "--table=memory_assets", "--dbname",
                             as_user(secured, "memory_backup")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert ASSET_A in result.stdout and ASSET_B in result.stdout
    # The owner's members are bound by forced row-level security: pg_dump refuses rather than dump a subset.
    result = subprocess.run([pg_dump, "--data-only", "--table=memory_assets", "--dbname",
                             as_user(secured, "memory_deploy")], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "row-level security" in result.stderr


def test_the_model_covers_every_table_and_domain_view(secured: str) -> None:
    with psycopg.connect(secured) as conn:
        relations = {r[0] for r in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v')")}
    assert relations == set(RELATIONS)


def _plan_nodes(plan: dict) -> list[dict]:
    stack, nodes = [plan], []
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.get("Plans", []))
    return nodes


def test_a_wallets_newest_page_is_one_index_range_scan(secured: str) -> None:
    """The owner policy is one comparison: the page reads 20 index entries, whatever the wallet's size."""
    with psycopg.connect(secured) as owner, owner.transaction(force_rollback=True):
        big_tree = b58("big tree")
        owner.execute("INSERT INTO merkle_trees (tree_address, authority_address, max_depth, max_buffer_size) "
                      "VALUES (%s, %s, 20, 64)", (big_tree, WALLET_B))
        # Wallet A's 500 assets among 40,000 of 100 other wallets, interleaved in time.
        owner.execute(
            "INSERT INTO memory_assets (asset_id, owner_address, merkle_tree, leaf_index, arweave_tx_id, "
            "content_hash, created_at) SELECT 'Bxk' || translate(md5(n::text), '0', 'z'), "
            "CASE WHEN n %% 80 = 0 THEN %s ELSE 'Wxk' || translate(md5((n %% 100)::text), '0', 'z') END, "
            "%s, n, substr(md5(n::text) || md5(n::text), 1, 43), md5(n::text) || md5(n::text), "
            "now() - n * interval '1 minute' FROM generate_series(1, 40000) AS n", (WALLET_A, big_tree))
        owner.execute("ANALYZE memory_assets")
        query = ("EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM memory_assets "
                 "WHERE owner_address = %s ORDER BY created_at DESC LIMIT 20")
        unrestricted = owner.execute(query, (WALLET_A,)).fetchone()[0][0]["Plan"]
        # Explain within the loading transaction (rolled back), acting as the service role.
        owner.execute("SET LOCAL ROLE blockchain_service")
        _as_wallet(owner, WALLET_A)
        plan = owner.execute(query, (WALLET_A,)).fetchone()[0][0]["Plan"]
    scans = [n for n in _plan_nodes(plan) if n.get("Relation Name") == "memory_assets"]
    assert [n["Node Type"] for n in scans] == ["Index Scan"], plan
    assert scans[0]["Index Name"] == "memory_assets_owner_address_created_at_idx"
    assert scans[0]["Actual Rows"] == 20 and "Rows Removed by Filter" not in scans[0], scans[0]
    # The same scan as a superuser's, to whom no policy applies (the policy's comparison with the
    # setting becomes a one-time filter above it, not a filter on rows).
    assert [(n["Node Type"], n.get("Index Name"), n.get("Filter")) for n in scans] == [
        (n["Node Type"], n.get("Index Name"), n.get("Filter")) for n in _plan_nodes(unrestricted)
        if n.get("Relation Name") == "memory_assets"]


@pytest.mark.parametrize(("role", "expected_settings"), [
    ("service", {"statement_timeout": "5s", "lock_timeout": "2s", "idle_in_transaction_session_timeout": "30s"}),
    ("worker", {"statement_timeout": "1min", "lock_timeout": "5s", "idle_in_transaction_session_timeout": "1min"}),
    ("backup", {"statement_timeout": "10min", "idle_in_transaction_session_timeout": "10min",
                "default_transaction_read_only": "on"}),
])
def test_app_roles_log_in_with_guardrails(sessions, role: str, expected_settings: dict[str, str]) -> None:
    conn = sessions[role]
    assert {name: conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(name))).fetchone()[0]
            for name in expected_settings} == expected_settings


def test_a_runaway_api_statement_is_cut_off(sessions) -> None:
    _fails(sessions["service"], "SELECT pg_sleep(6)", match="statement timeout")


def test_public_may_neither_connect_nor_create_temporary_tables(secured: str, sessions) -> None:
    stranger = "sctest_stranger"
    with psycopg.connect(secured, autocommit=True) as admin:
        admin.execute(sql.SQL("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {}) THEN "
                              "CREATE ROLE {} LOGIN; END IF; END $$").format(
            sql.Literal(stranger), sql.Identifier(stranger)))
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        psycopg.connect(as_user(secured, stranger)).close()
    for role in ("service", "worker", "backup"):
        conn = sessions[role]
        assert conn.execute("SELECT has_database_privilege(current_database(), 'TEMPORARY')").fetchone()[0] is False
        _fails(conn, "CREATE TEMPORARY TABLE scratch (id int)", match="permission denied|read-only transaction")


def test_new_functions_of_the_owner_are_not_executable_by_public(sessions) -> None:
    owner = sessions["owner"]
    with owner.transaction(force_rollback=True):
        owner.execute("SET LOCAL ROLE memory_owner")
        owner.execute("CREATE FUNCTION monitoring.added_later() RETURNS int LANGUAGE sql AS 'SELECT 1'")
        assert owner.execute("SELECT has_function_privilege('blockchain_service', 'monitoring.added_later()', "
                             "'EXECUTE')").fetchone()[0] is False

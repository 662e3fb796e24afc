"""Benchmark: the description's Usage Examples and the views on realistic data volumes.

Creates a database (default `schemactl_bench` on postgresql://postgres@127.0.0.1:5432),
builds schema/ into it, loads >= 1M memory_assets, 1M access_grants, 2M cost_tracking and
5M blockchain_audit_logs rows (at --scale 1) that satisfy every CHECK, runs ANALYZE, and
prints median / p95 latency and index use for each query. Targets (point queries < 2 ms,
per-wallet daily costs < 50 ms) are reported, not asserted.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from schemactl.build import build_source
from schemactl.conninfo import mask, with_dbname
from schemactl.load import load_path, require_parsed

REPO = Path(__file__).resolve().parent.parent

# The four Usage Examples of the description, verbatim (shared with the schema tests).
sys.path.insert(0, str(REPO / "tests"))
from usage_examples import USAGE_EXAMPLES  # noqa: E402

DEFAULT_URL = os.environ.get("SCHEMACTL_BENCH_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DBNAME = "schemactl_bench"

# Full-scale row counts; --scale multiplies them.
ASSETS = 1_000_000
GRANTS = 1_000_000
COSTS = 2_000_000
AUDIT_LOGS = 5_000_000
QUEUE = 100_000
WALLETS = 50_000
BATCH_SIZE = 20          # assets per memory batch
TREE_DEPTH = 14          # 16384 leaves per Merkle tree

# Deterministic generators: every value is a function of (salt, n), so related rows agree
# without joins (the owner of asset n, the batch of asset n, ...). Digests are base64-encoded
# and the characters base58 lacks (0 O I l + / =) are translated away; lengths follow Solana
# (addresses 43-44, signatures 87-88; base64 of 64 bytes breaks the line after 76
# characters, the newline is deleted) and Arweave (43 characters of base64url).
# They are macros, expanded into the load statements before they run: called as SQL
# functions they would not be inlined (an argument used twice), and a function call per
# value costs more than the value.
MACROS = {
    # Uniform [0, 1) from a hash.
    "u": "(('x' || substr(md5($1 || ($2)::text), 1, 8))::bit(32)::bigint / 4294967296.0::float8)",
    "addr": "left(translate(encode(sha256(($1 || ($2)::text)::bytea), 'base64'), '0OIl+/=', '123456z'), "
            "44 - ((($2) %% 5) = 0)::integer)",
    "sig": "left(translate(encode(sha512(($1 || ($2)::text)::bytea), 'base64'), E'0OIl+/=\\n', '123456z'), "
           "88 - (($2) %% 2)::integer)",
    "arweave": "left(translate(encode(sha256(('ar' || ($1)::text)::bytea), 'base64'), '+/', '-_'), 43)",
    # A wallet number with a long tail: a few wallets are very active, most are not.
    "wallet": "floor(power(bench_gen.u($1, $2), 2.5) * ($3))::integer",
    "batch_uuid": "md5('b' || ($1)::text)::uuid",
    # Batch k of n: spread evenly over the year before t0.
    "batch_created": "(($3)::timestamptz - (1 - (($1) + 0.5) / ($2)) * interval '365 days')",
    # Batches younger than an hour (1/8760 of the year) are in flight; of the rest 8 %% failed.
    "batch_status": "CASE WHEN (1 - (($1) + 0.5) / ($2)) * 8760 < 1 "
                    "THEN CASE WHEN ($1) %% 2 = 0 THEN 'pending' ELSE 'processing' END "
                    "WHEN bench_gen.u('bs', $1) < 0.08 THEN 'failed' ELSE 'completed' END",
    # The wallet owning asset n: its batch's wallet, or (3 %%) the wallet it was transferred to.
    "asset_owner": f"CASE WHEN bench_gen.u('tr', $1) < 0.03 THEN bench_gen.wallet('tw', $1, $2) "
                   f"ELSE bench_gen.wallet('bw', ($1) / {BATCH_SIZE}, $2) END",
}
_MACRO_CALL = re.compile(r"bench_gen\.(\w+)\(")


def _split_args(text: str) -> list[str]:
    args, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and ch == "," and depth == 0:
            args.append(text[start:i].strip())
            start = i + 1
    args.append(text[start:].strip())
    return args


def expand(text: str) -> str:
    """Replace every bench_gen.name(args) by its macro body, innermost arguments first."""
    while match := _MACRO_CALL.search(text):
        depth, end = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        args = [expand(a) for a in _split_args(text[match.end():end - 1])]
        body = re.sub(r"\$(\d)", lambda m: args[int(m.group(1)) - 1], MACROS[match.group(1)])
        text = text[:match.start()] + "(" + body + ")" + text[end:]
    return text


# OFFSET 0 keeps each LATERAL subquery a per-row computation: flattened, its expressions
# would be copied (and evaluated again) into every place that uses them.
LOADS: dict[str, str] = {
    "merkle_trees": """
INSERT INTO merkle_trees (tree_address, authority_address, max_depth, max_buffer_size, canopy_depth,
                          leaves_minted, is_public, status, creation_signature, creation_cost_lamports,
                          created_at, updated_at)
SELECT bench_gen.addr('t', t), bench_gen.addr('auth', t %% 3), %(depth)s, 64, 10,
       least(%(capacity)s, %(assets)s - t * %(capacity)s),
       t %% 4 = 0,
       CASE WHEN %(assets)s - t * %(capacity)s >= %(capacity)s THEN 'full' ELSE 'active' END,
       bench_gen.sig('tc', t), 1500000000 + t * 1000,
       %(t0)s::timestamptz - interval '400 days' + t * interval '5 days', %(t0)s::timestamptz
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS t
""",
    "memory_batches": """
INSERT INTO memory_batches (batch_id, owner_address, merkle_tree, status, asset_count, minted_count,
                            primary_signature, tx_signatures, total_cost_lamports, arweave_cost_winston,
                            error_message, created_at, updated_at, completed_at)
SELECT bench_gen.batch_uuid(k), bench_gen.addr('w', bench_gen.wallet('bw', k, %(wallets)s)),
       bench_gen.addr('t', k * %(batch)s / %(capacity)s), s.status, %(batch)s,
       CASE s.status WHEN 'completed' THEN %(batch)s WHEN 'failed' THEN (k %% %(batch)s)::integer ELSE 0 END,
       CASE WHEN s.status IN ('completed', 'failed') THEN bench_gen.sig('bp', k) END,
       CASE WHEN s.status IN ('completed', 'failed')
            THEN ARRAY[bench_gen.sig('bp', k)] || CASE WHEN k %% 3 = 0 THEN ARRAY[bench_gen.sig('bx', k)]
                                                       ELSE '{}'::text[] END
            ELSE '{}'::text[] END,
       CASE WHEN s.status IN ('completed', 'failed') THEN 5000 * %(batch)s + floor(bench_gen.u('bc', k) * 200000)::bigint
            ELSE 0 END,
       floor(bench_gen.u('bw2', k) * 5e11)::numeric,
       CASE s.status WHEN 'failed' THEN 'Transaction simulation failed: Blockhash not found' END,
       s.created_at, s.created_at,
       CASE s.status WHEN 'completed' THEN s.created_at + (30 + floor(bench_gen.u('bd', k) * 570)) * interval '1 second' END
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS k,
     LATERAL (SELECT bench_gen.batch_status(k, %(batches)s) AS status,
                     bench_gen.batch_created(k, %(batches)s, %(t0)s) AS created_at OFFSET 0) AS s
""",
    "memory_assets": """
INSERT INTO memory_assets (asset_id, owner_address, batch_id, merkle_tree, leaf_index, mint_signature,
                           arweave_tx_id, content_hash, title, description, tags, metadata, status,
                           created_at, updated_at)
SELECT bench_gen.addr('as', n), bench_gen.addr('w', bench_gen.asset_owner(n, %(wallets)s)),
       bench_gen.batch_uuid(n / %(batch)s), bench_gen.addr('t', n / %(capacity)s), n %% %(capacity)s,
       CASE WHEN s.batch_status = 'completed' THEN bench_gen.sig('ms', n) END,
       bench_gen.arweave(n), encode(sha256(n::text::bytea), 'hex'),
       'Memory ' || n, CASE WHEN n %% 3 = 0 THEN 'Family trip, day ' || (n %% 30 + 1) END,
       CASE n %% 5 WHEN 0 THEN ARRAY['family'] WHEN 1 THEN ARRAY['travel', 'family']
                   WHEN 2 THEN ARRAY['graduation'] WHEN 3 THEN '{}'::text[] ELSE ARRAY['pets'] END,
       jsonb_build_object('mime', CASE WHEN n %% 4 = 0 THEN 'video/mp4' ELSE 'image/jpeg' END,
                          'bytes', 100000 + n %% 5000000),
       CASE WHEN s.batch_status <> 'completed' THEN 'pending'
            WHEN bench_gen.u('st', n) < 0.03 THEN 'archived'
            WHEN bench_gen.u('st', n) < 0.04 THEN 'burned'
            ELSE 'active' END,
       s.created_at, s.created_at
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS n,
     LATERAL (SELECT bench_gen.batch_status(n / %(batch)s, %(batches)s) AS batch_status,
                     bench_gen.batch_created(n / %(batch)s, %(batches)s, %(t0)s)
                     + (n %% %(batch)s) * interval '1 second' AS created_at OFFSET 0) AS s
""",
    "access_grants": """
INSERT INTO access_grants (asset_id, grantor_address, grantee_address, permission, max_uses, use_count,
                           granted_at, expires_at, revoked_at, last_used_at, updated_at)
SELECT bench_gen.addr('as', a.n), bench_gen.addr('w', a.grantor),
       bench_gen.addr('w', CASE WHEN a.grantee = a.grantor THEN (a.grantee + 1) %% %(wallets)s ELSE a.grantee END),
       CASE WHEN bench_gen.u('gp', g) < 0.8 THEN 'view' ELSE 'download' END,
       a.max_uses,
       CASE WHEN a.max_uses IS NULL THEN floor(bench_gen.u('gc', g) * 20)::integer
            ELSE floor(bench_gen.u('gc', g) * (a.max_uses + 1))::integer END,
       a.granted_at,
       CASE WHEN bench_gen.u('ge', g) < 0.5 THEN a.granted_at + (1 + floor(bench_gen.u('gd', g) * 365)) * interval '1 day' END,
       CASE WHEN bench_gen.u('gr', g) < 0.1 THEN a.granted_at + (%(t0)s::timestamptz - a.granted_at) * bench_gen.u('gq', g) END,
       CASE WHEN a.max_uses IS NULL OR bench_gen.u('gc', g) >= 1.0 / (a.max_uses + 1)
            THEN a.granted_at + (%(t0)s::timestamptz - a.granted_at) * bench_gen.u('gl', g) END,
       a.granted_at
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS g,
     LATERAL (SELECT floor(bench_gen.u('ga', g) * %(assets)s)::bigint AS n) AS pick,
     LATERAL (SELECT pick.n,
                     bench_gen.asset_owner(pick.n, %(wallets)s) AS grantor,
                     floor(power(bench_gen.u('gg', g), 1.5) * %(wallets)s)::integer AS grantee,
                     CASE WHEN bench_gen.u('gm', g) < 0.3 THEN 1 + floor(bench_gen.u('gx', g) * 100)::integer END AS max_uses,
                     bench_gen.batch_created(pick.n / %(batch)s, %(batches)s, %(t0)s)
                     + (%(t0)s::timestamptz - bench_gen.batch_created(pick.n / %(batch)s, %(batches)s, %(t0)s))
                       * bench_gen.u('gt', g) AS granted_at OFFSET 0) AS a
""",
    "cost_tracking": """
INSERT INTO cost_tracking (wallet_address, operation, batch_id, tx_signature, solana_fee_lamports,
                           rent_lamports, arweave_cost_winston, total_cost_lamports, "timestamp")
SELECT bench_gen.addr('w', bench_gen.wallet('cw', c, %(wallets)s)), o.operation,
       CASE WHEN o.operation = 'batch_mint' THEN bench_gen.batch_uuid(floor(bench_gen.u('cb', c) * %(batches)s)::bigint) END,
       CASE WHEN o.operation <> 'upload' THEN bench_gen.sig('ct', c) END,
       o.fee, o.rent, o.winston, o.fee + o.rent + floor(o.winston / 1000)::bigint,
       %(t0)s::timestamptz - bench_gen.u('cs', c) * interval '365 days'
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS c,
     LATERAL (SELECT k.operation,
                     CASE WHEN k.operation = 'upload' THEN 0 ELSE 5000 + floor(bench_gen.u('cf', c) * 20000)::bigint END AS fee,
                     CASE k.operation WHEN 'tree_create' THEN 1500000000 WHEN 'mint' THEN 0
                                      ELSE floor(bench_gen.u('cr', c) * 2000000)::bigint END AS rent,
                     CASE WHEN k.operation IN ('upload', 'batch_mint')
                          THEN floor(bench_gen.u('cx', c) * 1e10)::numeric ELSE 0 END AS winston
              FROM (SELECT CASE WHEN bench_gen.u('co', c) < 0.4 THEN 'mint'
                                WHEN bench_gen.u('co', c) < 0.6 THEN 'batch_mint'
                                WHEN bench_gen.u('co', c) < 0.9 THEN 'upload'
                                WHEN bench_gen.u('co', c) < 0.98 THEN 'transfer'
                                ELSE 'tree_create' END AS operation) AS k OFFSET 0) AS o
""",
    "blockchain_audit_logs": """
INSERT INTO blockchain_audit_logs (operation, status, actor_address, asset_id, batch_id, tx_signature,
                                   details, "timestamp")
SELECT o.operation, o.status,
       CASE WHEN bench_gen.u('la', l) < 0.9 THEN bench_gen.addr('w', bench_gen.wallet('lw', l, %(wallets)s)) END,
       CASE WHEN bench_gen.u('lx', l) < 0.6 THEN bench_gen.addr('as', floor(bench_gen.u('ln', l) * %(assets)s)::bigint) END,
       CASE WHEN o.operation = 'batch_mint' THEN bench_gen.batch_uuid(floor(bench_gen.u('lb', l) * %(batches)s)::bigint) END,
       CASE WHEN o.status = 'success' AND o.operation <> 'upload' THEN bench_gen.sig('ls', l) END,
       CASE WHEN o.status = 'success' THEN jsonb_build_object('slot', 250000000 + l, 'fee_lamports', 5000)
            ELSE jsonb_build_object('error', 'Blockhash not found', 'attempt', 1 + l %% 3) END,
       %(t0)s::timestamptz - bench_gen.u('lt', l) * interval '180 days'
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS l,
     LATERAL (SELECT (ARRAY['mint', 'mint', 'batch_mint', 'transfer', 'grant_access', 'revoke_access',
                            'upload', 'upload'])[1 + floor(bench_gen.u('lo', l) * 8)::integer] AS operation,
                     CASE WHEN bench_gen.u('lf', l) < 0.03 THEN 'failure' ELSE 'success' END AS status OFFSET 0) AS o
""",
    "minting_queue": """
INSERT INTO minting_queue (owner_address, batch_id, arweave_tx_id, payload, status, priority, attempts,
                           scheduled_at, started_at, completed_at, last_error, created_at, updated_at)
SELECT bench_gen.addr('w', bench_gen.wallet('qw', q, %(wallets)s)),
       CASE WHEN s.status <> 'pending' THEN bench_gen.batch_uuid(floor(bench_gen.u('qb', q) * %(batches)s)::bigint) END,
       bench_gen.arweave(q + 100000000), jsonb_build_object('title', 'Memory upload ' || q),
       s.status, (q %% 3)::integer, CASE s.status WHEN 'pending' THEN 0 WHEN 'failed' THEN 5 ELSE 1 END,
       s.created_at, CASE WHEN s.status <> 'pending' THEN s.created_at + interval '5 seconds' END,
       CASE WHEN s.status = 'completed' THEN s.created_at + interval '40 seconds' END,
       CASE WHEN s.status = 'failed' THEN 'Transaction simulation failed' END,
       s.created_at, s.created_at
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS q,
     LATERAL (SELECT %(t0)s::timestamptz - bench_gen.u('qt', q) * interval '30 days' AS created_at,
                     CASE WHEN bench_gen.u('qs', q) < 0.9 THEN 'completed'
                          WHEN bench_gen.u('qs', q) < 0.95 THEN 'pending'
                          WHEN bench_gen.u('qs', q) < 0.98 THEN 'failed'
                          ELSE 'processing' END AS status OFFSET 0) AS s
""",
}



@dataclass(frozen=True)
class Case:
    """One measured query: a label, its SQL, the role it runs as, and the target it has."""

    label: str
    query: str
    target_ms: float | None = None
    wallet: str | None = None      # set as app.current_user when running as blockchain_service
    as_service: bool = False
    repeat: int | None = None


@dataclass(frozen=True)
class Measurement:
    case: Case
    rows: int
    median_ms: float
    p95_ms: float
    indexes: tuple[str, ...]
    seq_scans: tuple[str, ...]


class Progress:
    """One progress line on stderr for the load streams running side by side."""

    def __init__(self, totals: dict[str, int]) -> None:
        self.totals = totals
        self.done = dict.fromkeys(totals, 0)
        self.started = time.monotonic()
        self.lock = threading.Lock()

    def add(self, table: str, rows: int) -> None:
        with self.lock:
            self.done[table] += rows
            self.draw()

    def draw(self, end: str = "") -> None:
        total, done = sum(self.totals.values()), sum(self.done.values())
        width = 30
        filled = width * done // total
        elapsed = time.monotonic() - self.started
        busy = [t for t in self.totals if 0 < self.done[t] < self.totals[t]]
        print(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done:>10,}/{total:,} rows "
              f"{elapsed:6.1f}s {done / max(elapsed, 1e-9):>8,.0f} rows/s  {' + '.join(busy):50}",
              end=end, file=sys.stderr, flush=True)


def chunks(lo: int, hi: int, size: int) -> Iterator[tuple[int, int]]:
    """Inclusive [lo, hi] ranges of at most size numbers covering lo .. hi - 1."""
    for start in range(lo, hi, size):
        yield start, min(hi, start + size) - 1


Step = tuple[str, int, int, int]  # table, first number, end (exclusive), rows per statement


def _load_stream(url: str, steps: list[Step], params: dict[str, object],
                 progress: Progress, seconds: dict[str, float], failures: list[BaseException]) -> None:
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET synchronous_commit = off")
            # A bulk load as an administrator, as pg_restore --disable-triggers does: the generated
            # rows stand for an already indexed chain (the generator keeps foreign keys by
            # construction), so the row-rule triggers are not run once per row.
            conn.execute("SET session_replication_role = replica")
            for table, first, end, size in steps:
                started = time.monotonic()
                statement = expand(LOADS[table])
                for lo, hi in chunks(first, end, size):
                    conn.execute(statement, {**params, "lo": lo, "hi": hi})
                    progress.add(table, hi - lo + 1)
                with progress.lock:
                    seconds[table] = seconds.get(table, 0.0) + time.monotonic() - started
    except BaseException as exc:  # reported by the main thread
        failures.append(exc)


def load(url: str, scale: float) -> dict[str, float]:
    """Build schema/ and load every table; returns seconds spent per step."""
    assets = max(BATCH_SIZE, int(ASSETS * scale) // BATCH_SIZE * BATCH_SIZE)
    capacity = 1 << TREE_DEPTH
    batches = assets // BATCH_SIZE
    params: dict[str, object] = {"assets": assets, "wallets": max(100, int(WALLETS * scale)),
                                 "batch": BATCH_SIZE, "batches": batches, "capacity": capacity,
                                 "depth": TREE_DEPTH}
    rows = {"merkle_trees": math.ceil(assets / capacity), "memory_batches": batches, "memory_assets": assets,
            "access_grants": max(1, int(GRANTS * scale)), "minting_queue": max(1, int(QUEUE * scale)),
            "cost_tracking": max(1, int(COSTS * scale)), "blockchain_audit_logs": max(1, int(AUDIT_LOGS * scale))}
    first: list[Step] = [("merkle_trees", 0, rows["merkle_trees"], 1000),
                         ("memory_batches", 0, batches, 25_000)]
    # Two streams, one per core, of about equal work. The first loads the tables that point
    # at memory_assets; the second needs only memory_batches (cost_tracking's foreign key).
    # The audit log, the largest table, is split between them.
    split = rows["blockchain_audit_logs"] * 2 // 5
    streams: list[list[Step]] = [
        [("memory_assets", 0, assets, 50_000), ("access_grants", 0, rows["access_grants"], 100_000),
         ("minting_queue", 0, rows["minting_queue"], 50_000), ("blockchain_audit_logs", 0, split, 250_000)],
        [("cost_tracking", 0, rows["cost_tracking"], 100_000),
         ("blockchain_audit_logs", split, rows["blockchain_audit_logs"], 250_000)],
    ]
    seconds: dict[str, float] = {}
    started = time.monotonic()
    build_source(require_parsed(load_path(REPO / "schema", display_base=REPO)), url)
    seconds["build schema/"] = time.monotonic() - started
    with psycopg.connect(url) as conn:
        params["t0"] = conn.execute("SELECT date_trunc('second', now())").fetchone()[0]  # type: ignore[index]
    progress = Progress(rows)
    failures: list[BaseException] = []
    _load_stream(url, first, params, progress, seconds, failures)
    threads = [threading.Thread(target=_load_stream, args=(url, steps, params, progress, seconds, failures))
               for steps in streams] if not failures else []
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    progress.draw(end="\n")
    if failures:
        raise failures[0]
    seconds["load, 2 streams"] = time.monotonic() - progress.started
    started = time.monotonic()
    print("  VACUUM (ANALYZE) ...", file=sys.stderr, flush=True)
    with psycopg.connect(url, autocommit=True) as conn:
        # VACUUM also sets the visibility map, which index-only scans rely on.
        conn.execute("VACUUM (ANALYZE)")
    seconds["VACUUM (ANALYZE)"] = time.monotonic() - started
    return seconds


def pick_wallets(conn: psycopg.Connection) -> dict[str, str]:
    """A typical (median) and the busiest wallet for each per-wallet query."""
    picks: dict[str, str] = {}
    # Owners are picked among active assets, so the active_memory_assets case has rows.
    for key, table, column, condition in (
            ("owner", "memory_assets", "owner_address", sql.SQL("status = 'active'")),
            ("grantee", "access_grants", "grantee_address", sql.SQL("TRUE")),
            ("payer", "cost_tracking", "wallet_address", sql.SQL("TRUE"))):
        query = sql.SQL(
            "WITH per AS (SELECT {col} AS wallet, count(*) AS n FROM {tbl} WHERE {cond} GROUP BY {col}) "
            "SELECT (SELECT wallet FROM per ORDER BY n, wallet OFFSET (SELECT count(*) / 2 FROM per) LIMIT 1), "
            "(SELECT wallet FROM per ORDER BY n DESC, wallet LIMIT 1)"
        ).format(col=sql.Identifier(column), tbl=sql.Identifier(table), cond=condition)
        typical, busiest = conn.execute(query).fetchone()  # type: ignore[misc]
        picks[key], picks[key + "_busiest"] = typical, busiest
    return picks


def with_wallet(query: str, wallet: str) -> str:
    literal = sql.Literal(wallet).as_string()
    return query.replace("'wallet_address_here'", literal)


def cases(picks: dict[str, str]) -> list[Case]:
    owner, grantee, payer = picks["owner"], picks["grantee"], picks["payer"]
    examples = USAGE_EXAMPLES
    return [
        Case("1 user's memory assets (typical wallet)", with_wallet(examples["user_assets"], owner), 2.0),
        Case("1 user's memory assets (busiest wallet)",
             with_wallet(examples["user_assets"], picks["owner_busiest"])),
        Case("1 same, as blockchain_service (RLS)", with_wallet(examples["user_assets"], owner), 2.0,
             wallet=owner, as_service=True),
        Case("1 busiest wallet's newest 20, as blockchain_service (RLS)",
             with_wallet(examples["user_assets"].rstrip(";") + " LIMIT 20", picks["owner_busiest"]), 2.0,
             wallet=picks["owner_busiest"], as_service=True),
        Case("2 batch statistics, last 30 days", examples["batch_statistics"]),
        Case("3 active access grants (typical grantee)", with_wallet(examples["active_grants"], grantee),
             2.0),
        Case("3 active access grants (busiest grantee)",
             with_wallet(examples["active_grants"], picks["grantee_busiest"])),
        Case("3 shared_with_me(), as blockchain_service (typical grantee)",
             "SELECT * FROM shared_with_me()", 2.0, wallet=grantee, as_service=True),
        Case("3 shared_with_me(), as blockchain_service (busiest grantee)",
             "SELECT * FROM shared_with_me()", wallet=picks["grantee_busiest"], as_service=True),
        Case("4 costs per day (typical wallet)", with_wallet(examples["costs_over_time"], payer),
             50.0),
        Case("4 costs per day (busiest wallet)",
             with_wallet(examples["costs_over_time"], picks["payer_busiest"]), 50.0),
        Case("view active_memory_assets, one owner",
             with_wallet("SELECT * FROM active_memory_assets WHERE owner_address = 'wallet_address_here'"
                         " ORDER BY created_at DESC", owner)),
        Case("view user_statistics, one wallet",
             with_wallet("SELECT * FROM user_statistics WHERE owner_address = 'wallet_address_here'", owner)),
        Case("view user_statistics, top 20 by cost (all wallets)",
             "SELECT * FROM user_statistics ORDER BY total_cost_lamports DESC LIMIT 20", repeat=3),
        Case("view batch_statistics, whole year", "SELECT * FROM batch_statistics ORDER BY date DESC"),
        Case("monitoring.table_sizes (public)", "SELECT * FROM monitoring.table_sizes WHERE schemaname = 'public'"),
        Case("monitoring.index_usage (unused)", "SELECT * FROM monitoring.index_usage WHERE unused"),
        Case("monitoring.connection_counts", "SELECT * FROM monitoring.connection_counts"),
    ]


def plan_scans(plan: dict) -> tuple[list[str], list[str]]:
    """Index names and sequentially scanned tables anywhere in an EXPLAIN JSON plan."""
    indexes: list[str] = []
    seq: list[str] = []
    stack = [plan]
    while stack:
        node = stack.pop()
        kind = node.get("Node Type", "")
        if "Index" in kind and node.get("Index Name"):
            indexes.append(node["Index Name"])
        if kind == "Seq Scan":
            seq.append(node.get("Relation Name", "?"))
        stack.extend(node.get("Plans", []))
    return sorted(set(indexes)), sorted(set(seq))


def measure(conn: psycopg.Connection, case: Case, repeat: int) -> Measurement:
    if case.as_service:
        conn.execute("SET ROLE blockchain_service")
        conn.execute("SELECT set_config('app.current_user', %s, false)", (case.wallet,))
    try:
        plan = conn.execute(sql.SQL("EXPLAIN (FORMAT JSON) ") + sql.SQL(case.query)).fetchone()[0]  # type: ignore[index]
        indexes, seq = plan_scans(plan[0]["Plan"])
        rows = 0
        for _ in range(2):  # warm the cache and the catalog
            rows = len(conn.execute(case.query).fetchall())
        samples = []
        for _ in range(case.repeat or repeat):
            start = time.perf_counter()
            conn.execute(case.query).fetchall()
            samples.append((time.perf_counter() - start) * 1000)
    finally:
        if case.as_service:
            conn.execute("RESET ROLE")
            conn.execute("RESET app.\"current_user\"")
    samples.sort()
    p95 = samples[min(len(samples) - 1, math.ceil(0.95 * len(samples)) - 1)]
    return Measurement(case=case, rows=rows, median_ms=statistics.median(samples), p95_ms=p95,
                       indexes=tuple(indexes), seq_scans=tuple(seq))


def print_table(results: list[Measurement]) -> None:
    head = f"{'query':52} {'rows':>7} {'median ms':>10} {'p95 ms':>9} {'target':>8}  index used (seq scans)"
    print(head)
    print("-" * len(head))
    for m in results:
        target = "" if m.case.target_ms is None else (
            f"<{m.case.target_ms:g} " + ("ok" if m.median_ms < m.case.target_ms else "MISS"))
        uses = ", ".join(m.indexes) if m.indexes else "no"
        if m.seq_scans:
            uses += f" (seq: {', '.join(m.seq_scans)})"
        print(f"{m.case.label:52} {m.rows:>7} {m.median_ms:>10.3f} {m.p95_ms:>9.3f} {target:>8}  {uses}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=DEFAULT_URL, help="admin URL of the server (default %(default)s)")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full row counts (default 1)")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per query (default 30)")
    parser.add_argument("--dbname", default=DBNAME, help="database to create (default %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure an existing (kept) database, no load")
    args = parser.parse_args(argv)
    target = with_dbname(args.url, args.dbname)
    admin = psycopg.connect(args.url, autocommit=True)
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(args.dbname))
    try:
        if not args.reuse:
            admin.execute(drop)
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(args.dbname)))
            print(f"loading {mask(target)} at scale {args.scale:g}", file=sys.stderr)
            seconds = load(target, args.scale)
            print("load times: " + ", ".join(f"{k} {v:.1f}s" for k, v in seconds.items()))
        with psycopg.connect(target, autocommit=True) as conn:
            conn.prepare_threshold = None  # plain statements, as psql sends them
            sizes = conn.execute(
                "SELECT tablename, row_estimate, total_size FROM monitoring.table_sizes "
                "WHERE schemaname = 'public' ORDER BY total_bytes DESC").fetchall()
            print("tables: " + ", ".join(f"{t} {r:,} rows {s}" for t, r, s in sizes))
            picks = pick_wallets(conn)
            results = [measure(conn, case, args.repeat) for case in cases(picks)]
        print()
        print(f"PostgreSQL {admin.info.server_version // 10000}, {args.repeat} runs each after 2 warm-ups; "
              "client-side wall time including fetching all rows")
        print_table(results)
    finally:
        if not args.keep:
            admin.execute(drop)
        admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

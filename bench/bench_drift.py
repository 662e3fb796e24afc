"""Benchmark: `schemactl drift` (warm and cold cache) next to raw migra, and fleet drift.

Every figure is process to process, as a user or CI waits for it, from one run:
- `schemactl drift --target URL` with the desired state cached (warm: cache hit) and with one
  source byte changed (cold: cache miss, so the template is built, inspected and dumped);
- raw `migra --unsafe --with-privileges` between the same target and a ready database holding
  the same schema;
for schema/ and generated schemas of 500, 1,000 and 2,000 tables (a view and a function per
four tables, one index per table besides its primary key); then `schemactl drift --targets`
over a fleet of databases with --jobs 1 and --jobs 4. Targets are reported, not asserted.
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from schemactl.build import build_source
from schemactl.conninfo import with_dbname
from schemactl.database_privileges import database_grant_sql, is_database_grant
from schemactl.load import load_path, require_parsed

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCHEMACTL = str(BIN / "schemactl")
MIGRA = str(BIN / "migra")


def generated_schema(tables: int, *, views: int | None = None, functions: int | None = None) -> str:
    """A synthetic schema: tables chained by foreign keys, an index and a comment each,
    a view and a SQL function per four tables (by default)."""
    views = tables // 4 if views is None else views
    functions = tables // 4 if functions is None else functions
    parts = []
    for n in range(tables):
        fk = f",\n    parent_id bigint REFERENCES t{n - 1:04d} (id) ON DELETE CASCADE" if n else ""
        parts.append(
            f"CREATE TABLE t{n:04d} (\n    id bigint PRIMARY KEY,\n    owner_address text NOT NULL,\n"
            f"    amount_lamports bigint NOT NULL DEFAULT 0 CHECK (amount_lamports >= 0),\n"
            f"    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),\n"
            f"    created_at timestamptz NOT NULL DEFAULT now(),\n    payload jsonb{fk}\n);\n"
            f"CREATE INDEX t{n:04d}_owner ON t{n:04d} (owner_address, created_at DESC);\n"
            f"COMMENT ON TABLE t{n:04d} IS 'synthetic table {n}';\n"
        )
    for n in range(views):
        table = f"t{(n * tables // max(views, 1)):04d}"
        parts.append(f"CREATE VIEW v{n:04d} AS SELECT owner_address, count(*) AS n, sum(amount_lamports) AS total\n"
                     f"    FROM {table} GROUP BY owner_address;\n")
    for n in range(functions):
        table = f"t{(n * tables // max(functions, 1)):04d}"
        parts.append(f"CREATE FUNCTION f{n:04d}(wallet text) RETURNS bigint LANGUAGE sql STABLE\n"
                     f"    AS $$SELECT coalesce(sum(amount_lamports), 0)::bigint FROM {table} "
                     f"WHERE owner_address = wallet$$;\n")
    return "".join(parts)


Timing = tuple[float, float]


def _seconds(args: list[str], *, expect: tuple[int, ...] = (0,), stdin: str | None = None) -> Timing:
    """Wall time, and CPU time of the process and its children (pg_dump), of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, input=stdin, timeout=3600)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in expect:
        raise SystemExit(f"{' '.join(args[:2])} exited {result.returncode}: {result.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def _median(samples: list[Timing]) -> Timing:
    return statistics.median(w for w, _ in samples), statistics.median(c for _, c in samples)


@contextmanager
def _databases(admin: str, count: int, template: str | None = None) -> Iterator[list[str]]:
    names = [f"schemactl_bench_{secrets.token_hex(3)}_{n}" for n in range(count)]
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            if template:
                conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name),
                                                                               sql.Identifier(template)))
            else:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield names
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in names:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _build_in_steps(source, url: str, step: int = 1000) -> None:
    """A generated schema built a thousand statements a transaction: in one transaction its
    locks would outgrow a server left at the default max_locks_per_transaction (64)."""
    statements = [s.sql for s in source.statements]
    with psycopg.connect(url) as conn:
        for start in range(0, len(statements), step):
            with conn.transaction():
                for text in statements[start:start + step]:
                    conn.execute(text)


def measure(label: str, schema_dir: Path, admin: str, runs: int, cold_runs: int) -> list[tuple[str, Timing]]:
    """Warm and cold `schemactl drift` and raw migra on one target / ready-database pair."""
    source = require_parsed(load_path(schema_dir))
    with _databases(admin, 1) as (target_name,):
        target = with_dbname(admin, target_name)
        if len(source.statements) > 2000:
            _build_in_steps(source, target)
        else:
            build_source(source, target, align_roles=True)
        with _databases(admin, 1, template=target_name) as (ready_name,):
            ready = with_dbname(admin, ready_name)
            with tempfile.TemporaryDirectory() as tmp:
                # A copy of the sources whose last file changes by one byte for every cold run.
                copy = Path(tmp) / "schema"
                shutil.copytree(schema_dir, copy)
                nonce = copy / "zz_bench_nonce.sql"
                drift = [SCHEMACTL, "drift", "-q", "--target", target, "--schema-dir", str(copy)]
                cold = []
                for _ in range(cold_runs):
                    nonce.write_text(f"-- {secrets.token_hex(8)}\n")
                    cold.append(_seconds(drift))
                warm: list[Timing] = []
                raw: list[Timing] = []
                migra = [MIGRA, "--unsafe", "--with-privileges", target, ready]
                for _ in range(runs):
                    # Interleaved, so both see the same machine load.
                    warm.append(_seconds(drift))
                    raw.append(_seconds(migra))
    warm_m, raw_m = _median(warm), _median(raw)
    rows = [(f"{label}: schemactl drift, warm (cache hit)", warm_m),
            (f"{label}: schemactl drift, cold (cache miss)", _median(cold)),
            (f"{label}: raw migra, ready databases", raw_m),
            (f"{label}: ratio warm drift / raw migra", (warm_m[0] / raw_m[0], warm_m[1] / raw_m[1]))]
    for name, value in rows:
        print(_line(name, value), flush=True)
    return rows


def _grant_database_privileges(source, admin: str, names: list[str]) -> None:
    """A copy made from a template does not inherit the database's own ACL: give each copy
    schema/'s GRANT/REVOKE ... ON DATABASE, as a build would."""
    grants = [s.node for s in source.statements if is_database_grant(s.node)]
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            for node in grants:
                conn.execute(database_grant_sql(node, sql.Identifier(name)))


def measure_fleet(admin: str, count: int, runs: int) -> list[tuple[str, Timing]]:
    """`schemactl drift --targets` over count copies of schema/, with --jobs 1 and 4 (warm cache)."""
    source = require_parsed(load_path(REPO / "schema"))
    with _databases(admin, 1) as (model,):
        build_source(source, with_dbname(admin, model), align_roles=True)
        with _databases(admin, count, template=model) as names:
            _grant_database_privileges(source, admin, names)
            targets = "".join(f"db{n:02d}={with_dbname(admin, name)}\n" for n, name in enumerate(names))
            args = [SCHEMACTL, "drift", "-q", "--targets", "-", "--schema-dir", str(REPO / "schema")]
            _seconds(args, stdin=targets)  # the desired state is cached from here on
            rows = []
            for jobs in (1, 4):
                samples = [_seconds([*args, "--jobs", str(jobs)], stdin=targets) for _ in range(runs)]
                rows.append((f"fleet of {count} (schema/): schemactl drift --targets, --jobs {jobs}",
                             _median(samples)))
                print(_line(*rows[-1]), flush=True)
    return rows


def _line(name: str, value: Timing) -> str:
    unit = "x" if "ratio" in name else "s"
    return f"{name:<76} {value[0]:7.2f} {unit}  {value[1]:7.2f} {unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--live-url", default=os.environ.get("SCHEMACTL_TEST_LIVE_URL",
                                                             "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--sizes", default="500,1000,2000", help="generated schema sizes, in tables")
    parser.add_argument("--runs", type=int, default=3, help="warm runs (median)")
    parser.add_argument("--cold-runs", type=int, default=1, help="cold runs (median)")
    parser.add_argument("--fleet", type=int, default=50, help="databases in the fleet (0: skip)")
    parser.add_argument("--fleet-runs", type=int, default=1, help="runs of each fleet measurement (median)")
    args = parser.parse_args()
    print(f"{'process to process, median of runs':<76} {'wall':>9}  {'cpu':>9}", flush=True)
    rows = measure("schema/", REPO / "schema", args.live_url, args.runs, max(args.cold_runs, 3))
    with tempfile.TemporaryDirectory() as tmp:
        for tables in (int(s) for s in args.sizes.split(",") if s):
            folder = Path(tmp) / f"t{tables}"
            folder.mkdir()
            (folder / "generated.sql").write_text(generated_schema(tables))
            rows += measure(f"{tables} tables ({tables // 4} views, {tables // 4} functions, {tables} indexes)",
                            folder, args.live_url, args.runs, args.cold_runs)
    if args.fleet:
        rows += measure_fleet(args.live_url, args.fleet, args.fleet_runs)


if __name__ == "__main__":
    main()

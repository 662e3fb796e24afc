"""Benchmark: `schemactl drift` next to raw migra between the same two ready databases.

Prints one table; targets (issue: this schema's warm drift < 3 s; ours <= 1.5x raw migra
between ready databases) are reported, not asserted.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql

from schemactl.apply import converge
from schemactl.conninfo import with_dbname
from schemactl.diff import differences, migra_statements
from schemactl.drift import check_drift
from schemactl.engine import Workspace, zero_drift

REPO = Path(__file__).resolve().parent.parent


def generated_schema(tables: int) -> str:
    """A synthetic schema: tables chained by foreign keys, indexes, comments, a view per ten tables."""
    parts = []
    for n in range(tables):
        fk = f",\n    parent_id bigint REFERENCES t{n - 1:04d} (id) ON DELETE CASCADE" if n else ""
        parts.append(
            f"CREATE TABLE t{n:04d} (\n    id bigint PRIMARY KEY,\n    owner_address text NOT NULL,\n"
            f"    amount_lamports bigint NOT NULL DEFAULT 0 CHECK (amount_lamports >= 0),\n"
            f"    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),\n"
            f"    created_at timestamptz NOT NULL DEFAULT now(),\n    payload jsonb{fk}\n);\n"
            f"CREATE INDEX t{n:04d}_owner ON t{n:04d} (owner_address, created_at DESC);\n"
            + (f"CREATE INDEX t{n:04d}_parent ON t{n:04d} (parent_id);\n" if n else "")
            + f"COMMENT ON TABLE t{n:04d} IS 'synthetic table {n}';\n"
        )
        if n % 10 == 9:
            parts.append(f"CREATE VIEW v{n:04d} AS SELECT owner_address, count(*) AS n FROM t{n:04d} GROUP BY 1;\n")
    return "".join(parts)


def timed(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def measure(label: str, schema_dir: Path, live_admin: str, runs: int) -> list[tuple[str, float]]:
    dbname = f"schemactl_bench_{secrets.token_hex(3)}"
    with psycopg.connect(live_admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    target = with_dbname(live_admin, dbname)
    rows: list[tuple[str, float]] = []
    try:
        with Workspace() as ws:
            major = ws.live_major(target)
            ws.dev(major)
            desired = ws.open(str(schema_dir), label="desired", want_major=major)
            start = time.perf_counter()
            converge(ws, target, desired, allow_destructive=True)
            rows.append((f"{label}: first apply (plan, rehearse, apply, verify)", time.perf_counter() - start))
            dev_url = ws.dev().url
            # Warm: the embedded server is running; each drift run builds, diffs and dumps.
            check_drift(target, schema_dir, dev_url=dev_url)
            drift_time, result = timed(lambda: check_drift(target, schema_dir, dev_url=dev_url), runs)
            assert result.zero, "benchmark target drifted"
            rows.append((f"{label}: schemactl drift, warm (build + both checks)", drift_time))
            actual = ws.open(target, label="target", declared_roles=desired.roles)
            raw_time, _ = timed(lambda: migra_statements(target, desired.url), runs)
            rows.append((f"{label}: raw migra, ready databases", raw_time))
            ours_time, _ = timed(lambda: differences(actual, desired), runs)
            rows.append((f"{label}: schemactl diff engine, ready databases", ours_time))
            both_time, _ = timed(lambda: zero_drift(ws, actual, desired), runs)
            rows.append((f"{label}: both zero-drift checks, ready databases", both_time))
            rows.append((f"{label}: ratio engine / raw migra", ours_time / raw_time))
    finally:
        with psycopg.connect(live_admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--live-url", default=os.environ.get("SCHEMACTL_TEST_LIVE_URL",
                                                             "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--tables", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = measure("schema/", REPO / "schema", args.live_url, args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "generated.sql").write_text(generated_schema(args.tables))
        rows += measure(f"{args.tables}-table schema", Path(tmp), args.live_url, args.runs)
    width = max(len(name) for name, _ in rows)
    print(f"{'measurement':<{width}}  median of {args.runs}")
    for name, value in rows:
        shown = f"{value:8.2f}x" if "ratio" in name else f"{value:8.3f} s"
        print(f"{name:<{width}}  {shown}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

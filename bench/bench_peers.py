"""Round-trip migra's own fixture pairs through schemactl, both ways, and count the outcomes.

Usage: bench_peers.py MIGRA_CHECKOUT [--server URL] [--dev-url URL] [--only NAME ...]

MIGRA_CHECKOUT is a checkout of djrobstep/migra (its tests/FIXTURES/<case>/{a,b}.sql are
read from there, never copied here). For each pair and direction, both files are loaded
into fresh databases on --server; schemactl plans source -> target (rehearsed), the plan is
applied to the source, and both zero-drift checks compare it with the target. Outcomes:
converged (both checks zero), refused (schemactl declined, with its reason), wrong (the
plan applied but drift remains, the plan failed to apply, or the engine crashed).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg
from psycopg import sql

from schemactl.conninfo import connect, mask, server_major, with_dbname
from schemactl.engine import Workspace, apply_changes, make_plan, zero_drift
from schemactl.errors import SchemactlError

# Fixtures that test a migra command-line flag (a schema filter, extension versions): skipped.
FLAG_SPECIFIC = frozenset({"singleschema", "excludeschema", "singleschema_ext", "extversions"})
# Roles the fixtures name (migra's test suite creates them first).
FIXTURE_ROLES = ("schemainspect_test_role", "postgres")


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("migra_path", type=Path, help="a checkout of djrobstep/migra")
    parser.add_argument("--server", default=os.environ.get("SCHEMACTL_BENCH_URL")
                        or os.environ.get("SCHEMACTL_TEST_LIVE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres",
                        help="server for the fixture databases (default: SCHEMACTL_BENCH_URL, "
                             "SCHEMACTL_TEST_LIVE_URL, else 127.0.0.1:5432)")
    parser.add_argument("--dev-url", default=os.environ.get("SCHEMACTL_DEV_URL"),
                        help="dev server for scratch databases (default: SCHEMACTL_DEV_URL, else embedded)")
    parser.add_argument("--only", nargs="*", default=None, help="fixture names to run")
    return parser.parse_args(argv)


def _fixtures(root: Path, only: list[str] | None) -> list[Path]:
    folder = root / "tests" / "FIXTURES"
    if not folder.is_dir():
        raise SystemExit(f"{root}: not a checkout of djrobstep/migra (no tests/FIXTURES); fetch it and pass its path")
    found = sorted(p for p in folder.iterdir() if (p / "a.sql").is_file() and (p / "b.sql").is_file())
    return [p for p in found if p.name not in FLAG_SPECIFIC and (only is None or p.name in only)]


class _Database:
    """A fresh database on the server holding one fixture file, dropped on exit."""

    def __init__(self, server: str, sql_file: Path) -> None:
        self.server = server
        self.name = f"peers_{sql_file.parent.name}_{sql_file.stem}_{secrets.token_hex(3)}"
        self.sql_file = sql_file
        self.url = with_dbname(server, self.name)

    def __enter__(self) -> str:
        with connect(self.server, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        with connect(self.url, autocommit=True) as conn:
            conn.execute(self.sql_file.read_text(), prepare=False)
        return self.url

    def __exit__(self, *exc: object) -> None:
        with connect(self.server, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))


def _one_line(text: str, limit: int = 600) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def round_trip(server: str, dev_url: str | None, source_file: Path, target_file: Path) -> tuple[str, str, int]:
    """(outcome, reason, number of changes) for one direction of one fixture pair."""
    with _Database(server, source_file) as source_url, _Database(server, target_file) as target_url, \
            Workspace(dev_url=dev_url) as ws:
        ws.dev(ws.live_major(source_url))
        target = ws.open(target_url, label=f"{target_file.parent.name}/{target_file.name}")
        source = ws.open(source_url, label=f"{source_file.parent.name}/{source_file.name}",
                         declared_roles=target.roles)
        try:
            plan = make_plan(ws, source, target)
        except SchemactlError as exc:
            return "refused", _one_line(exc), 0
        try:
            apply_changes(source_url, plan.changes)
        except psycopg.Error as exc:
            return "wrong", "the verified plan failed on the real source: " + _one_line(exc), len(plan.changes)
        after = zero_drift(ws, ws.open(source_url, label="applied", declared_roles=target.roles), target)
        if not after.zero:
            remaining = [c.sql.splitlines()[0] for c in after.changes[:3]] + list(after.dump_lines[:3])
            return "wrong", "drift after applying: " + _one_line("; ".join(remaining)), len(plan.changes)
        return "converged", "", len(plan.changes)


def _ensure_roles(server: str) -> None:
    with connect(server, autocommit=True) as conn:
        for role in FIXTURE_ROLES:
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is None:
                conn.execute(sql.SQL("CREATE ROLE {}").format(sql.Identifier(role)))


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    fixtures = _fixtures(args.migra_path, args.only)
    _ensure_roles(args.server)
    with connect(args.server, autocommit=True) as conn:
        major = server_major(conn)
    print(f"migra fixture round trips on PostgreSQL {major} at {mask(args.server)}: "
          f"{len(fixtures)} pairs x 2 directions ({', '.join(sorted(FLAG_SPECIFIC))} skipped: flag-specific)")
    totals: Counter[str] = Counter()
    for fixture in fixtures:
        for name, (a, b) in (("a->b", ("a.sql", "b.sql")), ("b->a", ("b.sql", "a.sql"))):
            started = time.perf_counter()
            try:
                outcome, reason, count = round_trip(args.server, args.dev_url, fixture / a, fixture / b)
            except psycopg.Error as exc:
                outcome, reason, count = "wrong", "the fixture did not load: " + _one_line(exc), 0
            except Exception as exc:  # noqa: BLE001  (a crash is a result of the benchmark, counted as wrong)
                outcome, reason, count = "wrong", f"crash: {type(exc).__name__}: {_one_line(exc)}", 0
            totals[outcome] += 1
            seconds = time.perf_counter() - started
            print(f"{fixture.name:18} {name}  {outcome:9} {count:3} changes {seconds:6.1f}s  {reason}", flush=True)
    runs = sum(totals.values())
    print(f"total: {runs} round trips: converged {totals['converged']}, refused {totals['refused']}, "
          f"wrong {totals['wrong']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

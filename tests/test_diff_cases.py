"""Every diff case: before → after reaches zero drift on the live server, and the rollback returns."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import psycopg
import pytest

from schemactl.apply import converge, run_changes
from schemactl.cli import parse_args, run
from schemactl.conninfo import connect
from schemactl.engine import Workspace, apply_changes, make_plan, zero_drift
from schemactl.errors import EXIT_DIFFERENCES, EXIT_ERROR, EXIT_REFUSED, SchemactlError
from schemactl.plan import HAZARDS

CASES_DIR = Path(__file__).parent / "cases" / "diff"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir()) if CASES_DIR.is_dir() else []


def _meta(case: str) -> dict:
    path = CASES_DIR / case / "case.json"
    return json.loads(path.read_text()) if path.exists() else {}


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40, f"only {len(CASES)} diff cases in {CASES_DIR}"


def _skip_unless_extensions_available(folder: Path, *urls: str) -> None:
    """A case that needs a contrib extension runs only where the server ships it (pgserver has none)."""
    text = " ".join(p.read_text() for p in folder.glob("*.sql"))
    wanted = sorted(set(re.findall(r"(?i)CREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?\"?(\w+)", text)))
    for url in urls if wanted else ():
        with connect(url, autocommit=True) as conn:
            available = {r[0] for r in conn.execute("SELECT name FROM pg_available_extensions")}
            version = conn.info.server_version
        missing = [name for name in wanted if name not in available]
        if missing:
            pytest.skip(f"the server at {url.split('@')[-1]} (PostgreSQL {version}) does not ship the "
                        f"extension(s) {', '.join(missing)} this case needs")


@pytest.mark.parametrize("case", CASES)
def test_case_round_trip(case: str, fresh_db: str, dev_server) -> None:
    folder = CASES_DIR / case
    meta = _meta(case)
    _skip_unless_extensions_available(folder, fresh_db, dev_server.url)
    with Workspace(dev_url=dev_server.url) as ws:
        before = ws.open(str(folder / "before.sql"), label="before")
        after = ws.open(str(folder / "after.sql"), label="after")
        # The live database starts at `before`, reached by the engine's own plan from nothing (not
        # rehearsed: this is the setup). That it reached `before` is proved at the end: the
        # rollback must return the live database to `before` by both checks, which a setup that
        # fell short fails too.
        empty = ws.open(fresh_db, label="live", declared_roles=before.roles)
        apply_changes(fresh_db, make_plan(ws, empty, before, verify=False).changes)
        data = meta.get("data")
        if data:
            # Rows are written as an application would, in its own session (unpinned search_path).
            with psycopg.connect(fresh_db, autocommit=True) as conn:
                conn.execute(data["before"])

        if "refused" in meta:
            # PostgreSQL cannot make this change in place: exit 2, one line saying what and why.
            with pytest.raises(SchemactlError) as refusal:
                converge(ws, fresh_db, after, allow_destructive=True)
            assert refusal.value.exit_code == EXIT_ERROR
            message = str(refusal.value)
            assert "\n" not in message and meta["refused"] in message, message
            report = zero_drift(ws, ws.open(fresh_db, label="live", declared_roles=before.roles), before)
            assert report.zero, ("the setup, or the refused attempt, left the live database away from before",
                                 report.changes, report.dump_lines)
            return
        plan = converge(ws, fresh_db, after, allow_destructive=True)
        assert not plan.empty, "the case changes nothing"
        forward = "\n".join(c.sql for c in plan.changes)
        for pattern in meta.get("statements", []):
            assert re.search(pattern, forward), f"no statement matches {pattern!r} in:\n{forward}"
        if "changes" in meta:
            assert len(plan.changes) == meta["changes"], forward
        assert plan.verified
        assert plan.destructive == meta.get("destructive", False), plan.hazards
        statements = "\n".join(change.sql for change in plan.changes)
        for wanted in meta.get("plan_contains", []):
            assert wanted in statements, statements
        for unwanted in meta.get("plan_lacks", []):
            assert unwanted.lower() not in statements.lower(), statements
        if data:
            with psycopg.connect(fresh_db, autocommit=True) as conn:
                assert [list(row) for row in conn.execute(data["after"])] == data["expect"]
        for hazard in meta.get("hazards", []):
            assert hazard in HAZARDS
            assert hazard in plan.hazards, f"expected hazard {hazard}, got {plan.hazards}"
        # converge proved zero drift to `after` on the live database by both checks (it raises
        # "applied, but drift remains" otherwise); the rollback is proved here.
        with connect(fresh_db, autocommit=True) as conn:
            run_changes(conn, plan.rollback, ())
        report = zero_drift(ws, ws.open(fresh_db, label="live", declared_roles=before.roles), before)
        assert report.zero, ("the setup from nothing or the rollback does not return to before",
                             report.changes, report.dump_lines)


@pytest.mark.parametrize("case", [c for c in CASES if _meta(c).get("destructive")])
def test_destructive_case_is_refused_without_flag(case: str, dev_server) -> None:
    folder = CASES_DIR / case
    out, err = io.StringIO(), io.StringIO()
    args = parse_args(["diff", "-q", "--from", str(folder / "before.sql"), "--to", str(folder / "after.sql"),
                       "--dev-url", dev_server.url])
    assert run(args, out, err) == EXIT_REFUSED, err.getvalue()
    assert "--allow-destructive" in err.getvalue()
    for wanted in _meta(case).get("refusal_mentions", []):
        assert wanted in err.getvalue()
    args = parse_args(["diff", "-q", "--from", str(folder / "before.sql"), "--to", str(folder / "after.sql"),
                       "--dev-url", dev_server.url, "--allow-destructive"])
    assert run(args, io.StringIO(), io.StringIO()) == EXIT_DIFFERENCES

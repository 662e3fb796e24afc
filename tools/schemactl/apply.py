"""Apply stage: plan under the schema lock, one transaction, then prove zero drift."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg
from psycopg import sql

from schemactl.conninfo import connect, mask
from schemactl.diff import Side
from schemactl.engine import Workspace, make_plan, zero_drift
from schemactl.errors import Refused, SchemactlError
from schemactl.plan import Change, Plan, destructive_refusal
from schemactl.project import configured_drift_exclusions
from schemactl.render import LOCK_TIMEOUT, STATEMENT_TIMEOUT
from schemactl.privilege import (
    AdminStep,
    Deployer,
    admin_step,
    adopt_tracking,
    configured_deploy_role,
    deployer,
    prepare_roles,
    run_admin_step,
)
from schemactl.schemalock import ensure_tracking, schema_lock
from schemactl.validate.gate import load_declarative
from schemactl.waits import watch_waits

__all__ = ["ApplyOutcome", "apply_schema", "converge", "drop_indexes_built", "run_changes"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ApplyOutcome:
    plan: Plan


def run_changes(conn: psycopg.Connection, changes: tuple[Change, ...], rollback: tuple[Change, ...]) -> None:
    """Transactional changes in one transaction, then the online ones.

    If an online step fails, the transactional part is undone with the verified rollback,
    so the target ends as it was.
    """
    conn.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
    conn.execute(sql.SQL("SET statement_timeout = {}").format(sql.Literal(STATEMENT_TIMEOUT)))
    inside = [c for c in changes if c.transactional]
    outside = [c for c in changes if not c.transactional]
    with conn.transaction():
        for change in inside:
            conn.execute(change.sql, prepare=False)
    for number, change in enumerate(outside):
        try:
            conn.execute(change.sql, prepare=False)
        except psycopg.Error as exc:
            drop_indexes_built(conn, (_parse(c.sql) for c in outside[:number + 1]))
            with conn.transaction():
                for undo in rollback:
                    if undo.transactional:
                        conn.execute(undo.sql, prepare=False)
            raise SchemactlError(f"online step failed and was rolled back: {change.sql.strip()}: {exc}") from None


def _parse(text: str) -> object:
    from pglast import parse_sql  # noqa: PLC0415

    return parse_sql(text)[0].stmt


def drop_indexes_built(conn: psycopg.Connection, online_steps: Iterable[object]) -> None:
    """After an online step failed: drop the indexes the online steps (parsed) were building.

    A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind; IF EXISTS covers the
    steps that never ran.
    """
    from pglast import ast  # noqa: PLC0415

    for node in reversed(list(online_steps)):
        if isinstance(node, ast.IndexStmt) and node.idxname:
            schema = node.relation.schemaname or "public"
            conn.execute(sql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {}.{}").format(
                sql.Identifier(schema), sql.Identifier(node.idxname)))


def converge(ws: Workspace, target: str, desired: Side, *, dry_run: bool = False,
             allow_destructive: bool = False, progress: Progress = lambda _: None,
             excluded: tuple[str, ...] = (), deploy_role: str | None = None) -> Plan:
    """Bring the live database at target to the desired side, under the schema lock.

    excluded: schemas managed elsewhere (drift-exclude-schemas), neither compared nor changed.
    deploy_role: reached as a superuser, the plan's statements run as this role (see privilege.py); the
    roles the desired side declares are created first (checked), and the lock is taken as it.
    """
    with connect(target, autocommit=True) as conn, contextlib.ExitStack() as stack:
        deploy = deployer(target, conn, deploy_role, progress) if not dry_run else Deployer(target, None)
        if deploy.switching:
            assert deploy.role is not None
            prepare_roles(conn, desired.roles)
            deploy.check_ready(conn)
            ensure_tracking(conn)
            adopt_tracking(conn, deploy.role)
        stack.enter_context(schema_lock(deploy.url(), progress=progress))
        progress(f"holding the schema lock on {mask(target)}")
        # What the deploy role owns counts as "whoever applies the schema", as the reading user's own does.
        owners = (_session_user(conn), deploy.role) if deploy.role is not None else None

        def live() -> Side:
            side = replace(ws.open(target, label="target", declared_roles=desired.roles), excluded=excluded)
            return replace(side, default_owner=owners) if owners else side

        actual = live()
        plan = make_plan(ws, actual, desired)
        if plan.destructive and not allow_destructive:
            raise Refused(destructive_refusal(plan, outcome="; nothing was changed"))
        if dry_run or plan.empty:
            return plan
        if plan.irreversible and any(not c.transactional for c in plan.changes):
            # Online steps run after the commit; without a rollback a failed one could not be undone.
            raise SchemactlError(f"the plan has online steps but no verified rollback to undo them if one fails: "
                                 f"{plan.irreversible}")
        changes, rollback = plan.changes, plan.rollback
        before: list[tuple[Change, AdminStep]] = []
        after: list[tuple[Change, AdminStep]] = []
        session = conn
        if deploy.switching:
            deploy.check_can_deploy(conn)
            changes, before, after = _split_admin(plan.changes)
            rollback = _split_admin(plan.rollback)[0]
            _run_admin(conn, before)
            session = stack.enter_context(deploy.session())
        progress(f"applying {len(plan.changes)} changes")
        waits = stack.enter_context(watch_waits(target, session.info.backend_pid, progress))
        try:
            run_changes(session, changes, rollback)
        except psycopg.Error as exc:
            # After a lock timeout, say whose lock it was (the watch saw it while the statement waited).
            blocked = f" ({waits.last})" if isinstance(exc, psycopg.errors.LockNotAvailable) and waits.last else ""
            raise SchemactlError(f"apply failed, nothing was changed: {' '.join(str(exc).split())}{blocked}") from None
        _run_admin(conn, after)
        result = zero_drift(ws, live(), desired)
        if not result.zero:
            remaining = [c.object for c in result.changes] + [f"{t.kind} {t.name}" for t in result.tool_schema]
            remaining += list(result.dump_lines[:3])
            raise SchemactlError("applied, but drift remains: " + "; ".join(remaining))
        return plan


def _session_user(conn: psycopg.Connection) -> str:
    return conn.execute("SELECT session_user").fetchone()[0]


def _split_admin(changes: tuple[Change, ...]) -> tuple[tuple[Change, ...], list[tuple[Change, AdminStep]],
                                                         list[tuple[Change, AdminStep]]]:
    """The changes the deploy role runs, and the role / database-privilege ones the tool runs before and after."""
    rest: list[Change] = []
    before: list[tuple[Change, AdminStep]] = []
    after: list[tuple[Change, AdminStep]] = []
    for change in changes:
        found = admin_step(change.sql) if change.transactional else None
        if found is None:
            rest.append(change)
        else:
            (after if found.after else before).append((change, found))
    return tuple(rest), before, after


def _run_admin(conn: psycopg.Connection, steps: list[tuple[Change, AdminStep]]) -> None:
    if not steps:
        return
    with conn.transaction():
        for change, step in steps:
            run_admin_step(conn, step, change.object)


def apply_schema(target: str, schema_dir: Path, *, dev_url: str | None = None, dry_run: bool = False,
                 allow_destructive: bool = False, progress: Progress = lambda _: None) -> ApplyOutcome:
    """Bring target to schema_dir; refuse data loss unless allowed; verify afterwards."""
    load_declarative(schema_dir)  # refused before any server is touched
    excluded = configured_drift_exclusions(schema_dir)
    with Workspace(dev_url=dev_url, progress=progress) as ws:
        major = ws.live_major(target)
        ws.dev(major)
        desired = ws.open(str(schema_dir), label="desired", want_major=major)
        plan = converge(ws, target, desired, dry_run=dry_run, allow_destructive=allow_destructive,
                        progress=progress, excluded=excluded, deploy_role=configured_deploy_role(schema_dir))
        return ApplyOutcome(plan=plan)

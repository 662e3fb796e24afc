"""Drift: does a live database still match schema/? Reported per object, with the fix."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from schemactl.conninfo import mask
from schemactl.desired import DesiredState, desired_state, require_declarative_cached
from schemactl.diff import Side
from schemactl.engine import Reads, Workspace, make_plan, read_database, zero_drift
from schemactl.errors import VerificationFailed
from schemactl.plan import Change, Plan
from schemactl.preload import import_diff_modules
from schemactl.render import script

__all__ = ["DriftItem", "DriftResult", "check_drift", "check_target", "desired_for", "drift_document",
           "render_drift"]

Progress = Callable[[str], None]

_STATE = {"create": "missing", "drop": "extra"}


@dataclass(frozen=True)
class DriftItem:
    """One drifted object: what it is, how it differs, and the SQL that fixes it."""

    kind: str
    name: str
    state: str
    how: str
    fix: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name, "state": self.state, "how": self.how, "fix": self.fix}


@dataclass(frozen=True)
class DriftResult:
    """The verdict for one target."""

    target: str
    items: tuple[DriftItem, ...]
    plan: Plan | None
    dump_lines: tuple[str, ...]
    note: str = ""

    @property
    def zero(self) -> bool:
        return not self.items and not self.dump_lines


def _item(change: Change) -> DriftItem:
    kind, _, name = change.object.partition(" ")
    if kind == "materialized":
        more, _, name = name.partition(" ")
        kind = f"{kind} {more}"
    state = _STATE.get(change.action, "changed")
    first = change.sql.strip().splitlines()[0]
    how = f"{change.action}: {first[:120]}"
    return DriftItem(kind=kind, name=name, state=state, how=how, fix=change.sql.strip())


def desired_for(ws: Workspace, schema_dir: Path, major: int, *, use_cache: bool = True) -> DesiredState:
    """The desired state of schema_dir on a dev server of this major, built at most once."""
    dev = ws.dev(major)
    return desired_state(dev, schema_dir, label=str(schema_dir), progress=ws.progress, use_cache=use_cache)


def _read_target(target: str, major: int, reads: Reads) -> None:
    # The right pg_dump is chosen by the target's major, whatever the dev server is.
    inspection, text = read_database(Side(url=target, label=mask(target), live=True), None, major=major)
    reads.inspections[target] = inspection
    reads.dumps[target] = text


def _compare(ws: Workspace, target: str, desired: DesiredState, reads: Reads) -> DriftResult:
    reads.inspections[desired.url] = desired.inspection
    reads.normalized[desired.url] = list(desired.dump)
    wanted = desired.side()
    actual = ws.open(target, label="target", declared_roles=desired.roles)
    ws.progress("comparing")
    report = zero_drift(ws, actual, wanted, reads=reads)
    if report.zero:
        return DriftResult(target=mask(target), items=(), plan=None, dump_lines=())
    items = tuple(_item(c) for c in report.changes)
    note = ""
    plan: Plan | None = None
    if report.changes:
        try:
            plan = make_plan(ws, actual, wanted, reads=reads)
        except VerificationFailed as exc:
            note = f"the fix below could not be verified on a scratch copy: {exc}"
            plan = Plan(changes=report.changes, source=mask(target), target=desired.label)
    else:
        note = ("migra and the catalog checks find nothing, but the normalized pg_dump differs: "
                "a difference the engine cannot express; fix by hand")
    return DriftResult(target=mask(target), items=items, plan=plan, dump_lines=report.dump_lines, note=note)


def check_drift(target: str, schema_dir: Path, *, dev_url: str | None = None,
                progress: Progress = lambda _: None, use_cache: bool = True) -> DriftResult:
    """Compare target with schema_dir by both zero-drift checks; plan the fix if they differ.

    The desired state comes from the cache (or is built into it) while the target is read:
    one catalog inspection and one pg_dump, concurrently.
    """
    require_declarative_cached(schema_dir)  # refused before anything runs, even when a cached build exists
    import_diff_modules()
    with Workspace(dev_url=dev_url, progress=progress) as ws:
        major = ws.live_major(target)
        reads = Reads()
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(desired_for, ws, schema_dir, major, use_cache=use_cache)
            _read_target(target, major, reads)
            desired = pending.result()
        return _compare(ws, target, desired, reads)


def check_target(target: str, desired_of: Callable[[int], DesiredState], *,
                 progress: Progress = lambda _: None) -> DriftResult:
    """Compare one target with the desired state for its server major, built once elsewhere (fleet drift)."""
    with Workspace(progress=progress) as ws:
        major = ws.live_major(target)
        desired = desired_of(major)
        ws.use_dev(desired.dev)
        reads = Reads()
        _read_target(target, major, reads)
        return _compare(ws, target, desired, reads)


def drift_document(result: DriftResult) -> dict:
    """The JSON form of one target's verdict."""
    return {
        "target": result.target,
        "drift": not result.zero,
        "items": [i.as_dict() for i in result.items],
        "dump_differences": list(result.dump_lines),
        "fix": script(result.plan.changes, title="fix drift") if result.plan else "",
        "note": result.note,
    }


def render_drift(result: DriftResult, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(drift_document(result), indent=2) + "\n"
    if fmt == "markdown":
        if result.zero:
            return f"### Drift\n\nNo drift: `{result.target}` matches `schema/`.\n"
        lines = ["### Drift", "", f"`{result.target}` differs from `schema/` in {len(result.items)} objects.", "",
                 "| kind | object | state | how |", "| --- | --- | --- | --- |"]
        lines += [f"| {i.kind} | `{i.name}` | {i.state} | `{i.how.replace('|', '/')}` |" for i in result.items]
        if result.dump_lines:
            lines += ["", "Normalized `pg_dump` differences:", "", "```diff", *result.dump_lines[:200], "```"]
        if result.note:
            lines += ["", f"> {result.note}"]
        if result.plan:
            lines += ["", "To fix, run (`schemactl apply` does this under a lock):", "", "```sql",
                      script(result.plan.changes, title="fix drift").rstrip(), "```"]
        return "\n".join(lines) + "\n"
    if result.zero:
        return f"no drift: {result.target} matches schema/\n"
    lines = [f"drift: {result.target} differs from schema/ in {len(result.items)} objects"]
    for item in result.items:
        lines.append(f"  {item.state:8} {item.kind} {item.name}: {item.how}")
    if result.dump_lines:
        lines.append("  normalized pg_dump differs:")
        lines += [f"    {line}" for line in result.dump_lines[:50]]
    if result.note:
        lines.append(f"note: {result.note}")
    if result.plan:
        lines += ["", "fix:", script(result.plan.changes, title="fix drift")]
    return "\n".join(lines) + "\n"

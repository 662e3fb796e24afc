"""Drift: does a live database still match schema/? Reported per object, with the fix."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from schemactl.conninfo import mask
from schemactl.engine import Workspace, make_plan, zero_drift
from schemactl.errors import VerificationFailed
from schemactl.plan import Change, Plan
from schemactl.render import script

__all__ = ["DriftItem", "DriftResult", "check_drift", "render_drift"]

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


def check_drift(target: str, schema_dir: Path, *, dev_url: str | None = None,
                progress: Progress = lambda _: None) -> DriftResult:
    """Compare target with schema_dir by both zero-drift checks; plan the fix if they differ."""
    with Workspace(dev_url=dev_url, progress=progress) as ws:
        major = ws.live_major(target)
        ws.dev(major)
        desired = ws.open(str(schema_dir), label="desired", want_major=major)
        actual = ws.open(target, label="target", declared_roles=desired.roles)
        progress("comparing")
        report = zero_drift(ws, actual, desired)
        if report.zero:
            return DriftResult(target=mask(target), items=(), plan=None, dump_lines=())
        items = tuple(_item(c) for c in report.changes)
        note = ""
        plan: Plan | None = None
        if report.changes:
            try:
                plan = make_plan(ws, actual, desired)
            except VerificationFailed as exc:
                note = f"the fix below could not be verified on a scratch copy: {exc}"
                plan = Plan(changes=report.changes, source=mask(target), target=str(schema_dir))
        else:
            note = ("migra and the catalog checks find nothing, but the normalized pg_dump differs: "
                    "a difference the engine cannot express; fix by hand")
        return DriftResult(target=mask(target), items=items, plan=plan, dump_lines=report.dump_lines, note=note)


def render_drift(result: DriftResult, fmt: str) -> str:
    if fmt == "json":
        return json.dumps({
            "target": result.target,
            "drift": not result.zero,
            "items": [i.as_dict() for i in result.items],
            "dump_differences": list(result.dump_lines),
            "fix": script(result.plan.changes, title="fix drift") if result.plan else "",
            "note": result.note,
        }, indent=2) + "\n"
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

"""Drift: does a live database still match schema/? Reported per object, with the fix."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from schemactl.conninfo import mask
from schemactl.desired import DesiredState, desired_state, require_declarative_cached
from schemactl.diff import Side, inspect
from schemactl.engine import Reads, Workspace, dump_schema, make_plan, read_database, zero_drift
from schemactl.errors import InputError, VerificationFailed
from schemactl.identity import CHANGE, CREATE, DROP, identify, name_of_object, quote_name
from schemactl.markdown import cell, fence, inline
from schemactl.plan import Change, Plan
from schemactl.preload import import_diff_modules
from schemactl.project import DRIFT_EXCLUDE_KEY, configured_drift_exclusions
from schemactl.render import script
from schemactl.toolschema import ToolSchemaDrift

__all__ = ["DriftItem", "DriftResult", "FORMAT_VERSION", "check_drift", "check_target", "desired_for",
           "drift_document", "drift_items", "existing_replaceable", "item_line", "json_schema",
           "render_drift"]

Progress = Callable[[str], None]

# The version of the JSON documents (drift and fleet drift); schemas/drift.schema.json describes it.
FORMAT_VERSION = 1


@dataclass(frozen=True)
class DriftItem:
    """One drifted object: what it is, how it differs, what fixing it risks, and the SQL that fixes it."""

    kind: str
    name: str
    state: str
    how: str
    fix: str
    hazards: tuple[str, ...] = ()
    statements: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "name": self.name, "state": self.state, "hazards": list(self.hazards),
                "how": self.how, "statements": list(self.statements), "fix": self.fix}


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


# Kinds written CREATE OR REPLACE, whether the target has them or not.
_REPLACEABLE = {"view", "function", "procedure", "materialized view"}


def _state(effects: set[str]) -> str:
    """missing (the fix creates it), extra (the fix drops it) or changed (anything else)."""
    if CREATE in effects and DROP not in effects:
        return "missing"
    if DROP in effects and CREATE not in effects:
        return "extra"
    return "changed"


def drift_items(changes: Iterable[Change], *, database: str = "", major: int | None = None,
                existing: frozenset[tuple[str, str]] | None = None) -> tuple[DriftItem, ...]:
    """The changes grouped by the object they change: one item an object, in plan order.

    A statement that changes no object (a session SET before a function body) makes no item;
    it stays in the fix script. The index of a constraint belongs to the constraint's item, and
    the columns, constraints, indexes, triggers and policies of a table that is created or
    dropped whole belong to the table's. database names the target's database for its
    privileges; major is the target server's (its keywords decide which names are quoted);
    existing holds the (kind, name) of the target's views and functions, so that CREATE OR
    REPLACE of one it lacks (a new overload of a function it has) reads as missing.
    """
    groups: dict[tuple[str, str], list[tuple[int, Change, str]]] = {}
    tables: dict[tuple[str, str], str] = {}
    for number, change in enumerate(changes):
        found = identify(change.sql, engine_object=change.object, database=database, major=major)
        if found is None:
            continue
        effect = found.effect
        if effect == CHANGE and (change.action == "create" or (
                found.kind in _REPLACEABLE and existing is not None and (found.kind, found.name) not in existing)):
            effect = CREATE  # CREATE OR REPLACE of what the target lacks, a role's create block
        elif effect == CHANGE and change.action == "drop" and found.kind == "role":
            effect = DROP
        key = (found.kind, found.name)
        groups.setdefault(key, []).append((number, change, effect))
        if found.table:
            tables.setdefault(key, found.table)
    own = {key: [c for _, c, _ in members] for key, members in groups.items()}
    for key, owner in _owners(groups, tables).items():
        groups[owner].extend(groups.pop(key))
    items = []
    for (kind, name), members in sorted(groups.items(), key=lambda g: min(m[0] for m in g[1])):
        members.sort(key=lambda m: m[0])
        statements = tuple(c.sql.strip() for _, c, _ in members)
        # How the object itself differs: its own statements, not those of the parts that go with it.
        actions = ", ".join(dict.fromkeys(c.action for c in own[(kind, name)]))
        first = own[(kind, name)][0].sql.strip().splitlines()[0]
        items.append(DriftItem(
            kind=kind, name=name, state=_state({e for _, _, e in members}),
            how=f"{actions}: {first[:120]}", fix="\n".join(statements),
            hazards=tuple(sorted({h for _, c, _ in members for h in c.hazards})), statements=statements))
    return tuple(items)


def existing_replaceable(owners: Iterable[tuple[str, str]], *, major: int | None = None) -> frozenset[tuple[str, str]]:
    """(kind, name) of the views and functions among a catalog snapshot's owned objects."""
    found = set()
    for kind, identity in owners:
        word = kind.lower()
        if word in ("function", "procedure"):
            # The catalog's identity (quote_ident'd name, pg_get_function_identity_arguments) is
            # parsed, never run, to spell it as the items do.
            obj = identify(f"DROP {kind} {identity};", major=major)
        elif word in ("view", "materialized view"):
            obj = name_of_object(f"{word} {identity}", major=major)
        else:
            continue
        if obj is not None:
            found.add((obj.kind, obj.name))
    return frozenset(found)


def _owners(groups: dict[tuple[str, str], list[tuple[int, Change, str]]],
            tables: dict[tuple[str, str], str]) -> dict[tuple[str, str], tuple[str, str]]:
    """The item each part-object's changes move into (the constraint of an index, a whole table)."""
    def state(key: tuple[str, str]) -> str:
        return _state({e for _, _, e in groups[key]})

    whole = {name for kind, name in groups if kind == "table" and state(("table", name)) != "changed"}
    owners: dict[tuple[str, str], tuple[str, str]] = {}
    for key in groups:
        kind, name = key
        if kind == "index":
            schema, _, index = name.partition(".")
            # A primary key or unique constraint and its index share a name (and the schema); a
            # constraint dropped while an index of its name is made stays apart from that index.
            constraint = next((k for k in groups if k[0] == "constraint" and k[1].startswith(f"{index} on {schema}.")
                               and (key not in tables or k[1] == f"{index} on {tables[key]}")
                               and state(k) == state(key)), None)
            if constraint is not None:
                owners[key] = constraint
                continue
        if kind in ("column", "constraint", "index", "trigger", "policy") and tables.get(key) in whole:
            owners[key] = ("table", tables[key])
    # An index whose constraint moves into its table moves there too.
    return {key: owners.get(owner, owner) for key, owner in owners.items()}


def desired_for(ws: Workspace, schema_dir: Path, major: int, *, use_cache: bool = True) -> DesiredState:
    """The desired state of schema_dir on a dev server of this major, built at most once."""
    dev = ws.dev(major)
    return desired_state(dev, schema_dir, label=str(schema_dir), progress=ws.progress, use_cache=use_cache)


def _read_target(target: str, major: int, reads: Reads, excluded: tuple[str, ...]) -> None:
    # The right pg_dump is chosen by the target's major, whatever the dev server is.
    side = Side(url=target, label=mask(target), live=True, excluded=excluded)
    inspection, text = read_database(side, None, major=major)
    reads.inspections[target] = inspection
    reads.dumps[target] = text


def _excluded_note(excluded: tuple[str, ...]) -> str:
    if not excluded:
        return ""
    return (f"left out by {DRIFT_EXCLUDE_KEY}: schema" + ("s " if len(excluded) > 1 else " ")
            + ", ".join(quote_name(name) for name in excluded))


def _compare(ws: Workspace, target: str, desired: DesiredState, reads: Reads, major: int,
             excluded: tuple[str, ...] = ()) -> DriftResult:
    reads.inspections[desired.url] = desired.inspection
    reads.normalized[desired.url] = list(desired.dump)
    declared = sorted(set(excluded) & set(getattr(desired.inspection.inspector, "schemas", {})))
    if declared:
        raise InputError(f"{DRIFT_EXCLUDE_KEY} leaves out schema {declared[0]}, which {desired.label} declares: "
                         "a schema is either managed here or excluded")
    wanted = desired.side()
    actual = replace(ws.open(target, label="target", declared_roles=desired.roles), excluded=excluded)
    ws.progress("comparing")
    report = zero_drift(ws, actual, wanted, reads=reads)
    left_out = _excluded_note(excluded)
    if report.zero:
        return DriftResult(target=mask(target), items=(), plan=None, dump_lines=(), note=left_out)
    existing = existing_replaceable(reads.inspections[target].snapshot.owners, major=major) \
        if target in reads.inspections else None
    items = drift_items(report.changes, database=_dbname(target), major=major, existing=existing)
    items += tuple(_tool_item(found) for found in report.tool_schema)
    note = ""
    plan: Plan | None = None
    if report.changes or report.tool_schema:
        try:
            plan = make_plan(ws, actual, wanted, reads=reads)
        except VerificationFailed as exc:
            note = f"the fix below could not be verified on a scratch copy: {exc}"
            plan = Plan(changes=report.changes, source=mask(target), target=desired.label)
    else:
        note = ("migra and the catalog checks find nothing, but the normalized pg_dump differs: "
                "a difference the engine cannot express; fix by hand")
    note = "; ".join(n for n in (note, left_out) if n)
    return DriftResult(target=mask(target), items=items, plan=plan, dump_lines=report.dump_lines, note=note)


def _tool_item(found: ToolSchemaDrift) -> DriftItem:
    """An object in the tool's own schema that the migration runner did not make, as a report item."""
    return DriftItem(kind=found.kind, name=found.name, state=found.state, how=found.how,
                     fix="\n".join(found.statements), hazards=tuple(sorted(found.hazards)),
                     statements=found.statements)


def _dbname(url: str) -> str:
    import psycopg  # noqa: PLC0415

    try:
        return str(psycopg.conninfo.conninfo_to_dict(url).get("dbname") or "")
    except psycopg.Error:
        return ""


def check_drift(target: str, schema_dir: Path, *, dev_url: str | None = None,
                progress: Progress = lambda _: None, use_cache: bool = True) -> DriftResult:
    """Compare target with schema_dir by both zero-drift checks; plan the fix if they differ.

    The desired state comes from the cache (or is built into it) while the target is read:
    one catalog inspection and one pg_dump, concurrently.
    """
    require_declarative_cached(schema_dir)  # refused before anything runs, even when a cached build exists
    excluded = configured_drift_exclusions(schema_dir)
    with Workspace(dev_url=dev_url, progress=progress) as ws:
        major = ws.live_major(target)
        reads = Reads()
        with ThreadPoolExecutor(max_workers=2) as pool:
            # pg_dump of the target is another process: it runs while this one imports the diff
            # modules, reads the cached desired state and inspects the target's catalog.
            dumped = pool.submit(dump_schema, target, None, owners=False, create=True, major=major, excluded=excluded)
            import_diff_modules()
            pending = pool.submit(desired_for, ws, schema_dir, major, use_cache=use_cache)
            try:
                reads.inspections[target] = inspect(Side(url=target, label=mask(target), live=True,
                                                         excluded=excluded))
            finally:
                reads.dumps[target] = dumped.result()
            desired = pending.result()
        return _compare(ws, target, desired, reads, major, excluded)


def check_target(target: str, desired_of: Callable[[int], DesiredState], *,
                 progress: Progress = lambda _: None, excluded: tuple[str, ...] = ()) -> DriftResult:
    """Compare one target with the desired state for its server major, built once elsewhere (fleet drift).

    excluded: schemas left out (drift-exclude-schemas), named in the verdict's note.
    """
    with Workspace(progress=progress) as ws:
        major = ws.live_major(target)
        desired = desired_of(major)
        ws.use_dev(desired.dev)
        reads = Reads()
        _read_target(target, major, reads, excluded)
        return _compare(ws, target, desired, reads, major, excluded)


def drift_document(result: DriftResult) -> dict:
    """The JSON form of one target's verdict (schemas/drift.schema.json, `#/$defs/target`)."""
    return {
        "format_version": FORMAT_VERSION,
        "target": result.target,
        "drift": not result.zero,
        "items": [i.as_dict() for i in result.items],
        "dump_differences": list(result.dump_lines),
        "fix": script(result.plan.changes, title="fix drift") if result.plan else "",
        "note": result.note,
    }


def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of the drift and fleet drift documents, shipped with the package."""
    from importlib.resources import files  # noqa: PLC0415

    return json.loads(files("schemactl").joinpath("schemas/drift.schema.json").read_text(encoding="utf-8"))


def _objects(items: tuple[DriftItem, ...]) -> str:
    return f"{len(items)} object" + ("" if len(items) == 1 else "s")


def item_line(item: DriftItem | dict) -> str:
    """One item as a line of the text report: state, kind, name, hazards, how."""
    data = item.as_dict() if isinstance(item, DriftItem) else item
    hazards = f" [{', '.join(data['hazards'])}]" if data.get("hazards") else ""
    return f"  {data['state']:8} {data['kind']} {data['name']}{hazards}: {data['how']}"


def render_drift(result: DriftResult, fmt: str) -> str:
    """The verdict as text, Markdown or the JSON document."""
    if fmt == "json":
        return json.dumps(drift_document(result), indent=2) + "\n"
    if fmt == "markdown":
        if result.zero:
            left_out = f"\n> {cell(result.note)}\n" if result.note else ""
            return f"### Drift\n\nNo drift: {inline(result.target)} matches `schema/`.\n{left_out}"
        lines = ["### Drift", "", f"{inline(result.target)} differs from `schema/` in {_objects(result.items)}.", "",
                 "| kind | object | state | hazards | how |", "| --- | --- | --- | --- | --- |"]
        lines += [f"| {cell(i.kind)} | {cell(i.name, code=True)} | {cell(i.state)} "
                  f"| {', '.join(cell(h, code=True) for h in i.hazards) or '–'} | {cell(i.how, code=True)} |"
                  for i in result.items]
        if result.dump_lines:
            lines += ["", "Normalized `pg_dump` differences:", "", fence("\n".join(result.dump_lines[:200]), "diff")]
        if result.note:
            lines += ["", f"> {cell(result.note)}"]
        if result.plan:
            lines += ["", "To fix, run (`schemactl apply` does this under a lock):", "",
                      fence(script(result.plan.changes, title="fix drift"))]
        return "\n".join(lines) + "\n"
    if result.zero:
        return f"no drift: {result.target} matches schema/\n" + (f"note: {result.note}\n" if result.note else "")
    lines = [f"drift: {result.target} differs from schema/ in {_objects(result.items)}"]
    lines += [item_line(item) for item in result.items]
    if result.dump_lines:
        lines.append("  normalized pg_dump differs:")
        lines += [f"    {line}" for line in result.dump_lines[:50]]
    if result.note:
        lines.append(f"note: {result.note}")
    if result.plan:
        lines += ["", "fix:", script(result.plan.changes, title="fix drift")]
    return "\n".join(lines) + "\n"

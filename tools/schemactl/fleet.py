"""Fleet drift: many targets checked against one desired state, built once, a few at a time.

A targets file holds one target a line, `name=URL` or a bare URL (`#` starts a comment;
`$VAR` / `${VAR}` are taken from the environment, so CI secrets need not be written down).
`--shard I/N` keeps every N-th target starting with the I-th, so N machines split a fleet;
their JSON documents merge into one with `merge_documents`.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from schemactl.conninfo import mask
from schemactl.desired import DesiredState, require_declarative_cached
from schemactl.drift import FORMAT_VERSION, DriftResult, check_target, desired_for, drift_document, item_line
from schemactl.engine import Workspace
from schemactl.errors import EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK, InputError, SchemactlError
from schemactl.markdown import cell, fence, html_text
from schemactl.preload import import_diff_modules
from schemactl.project import configured_drift_exclusions

__all__ = ["FleetTarget", "TargetResult", "parse_targets", "parse_shard", "shard_of", "check_fleet",
           "render_fleet", "fleet_document", "merge_documents", "fleet_exit_code"]

Progress = Callable[[str], None]

_URL = re.compile(r"^postgres(ql)?://")
# Drifted objects listed per target in the text summary.
_SHOWN = 20
_NAME = re.compile(r"^[A-Za-z0-9_.:@/-]+$")


@dataclass(frozen=True)
class FleetTarget:
    """One line of a targets file: a name and a connection URL (never shown unmasked)."""

    index: int
    name: str
    url: str


@dataclass(frozen=True)
class TargetResult:
    """The verdict for one fleet target: clean, drift, or error (could not be checked)."""

    target: FleetTarget
    status: str
    drift: DriftResult | None = None
    error: str = ""

    @property
    def objects(self) -> int | None:
        return len(self.drift.items) if self.drift is not None else None


def _expand(text: str, env: dict[str, str], where: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in env:
            raise InputError(f"{where}: environment variable {name} is not set")
        return env[name]

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", value, text)


def parse_targets(text: str, *, origin: str = "targets", env: dict[str, str] | None = None) -> list[FleetTarget]:
    """Targets from a file's text: `name=URL` or `URL` a line; `#` comments; $VAR expanded."""
    env = dict(os.environ) if env is None else env
    targets: list[FleetTarget] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        # A comment starts a line or follows whitespace; a '#' inside a URL (a password) stays.
        line = re.split(r"(?:^|\s)#", raw, maxsplit=1)[0].strip()
        if not line:
            continue
        where = f"{origin}:{number}"
        if _URL.match(line):
            name, url = "", line
        elif "=" in line:
            name, url = (part.strip() for part in line.split("=", 1))
            if not _NAME.match(name):
                raise InputError(f"{where}: target name {name!r} may hold only letters, digits and _ . : @ / -")
        else:
            raise InputError(f"{where}: expected `name=postgresql://...` or a postgresql:// URL")
        url = _expand(url, env, where)
        if not _URL.match(url):
            raise InputError(f"{where}: not a postgresql:// URL: {mask(url)}")
        name = name or mask(url)
        if name in seen:
            raise InputError(f"{where}: target name {name!r} is also on line {seen[name]}")
        seen[name] = number
        targets.append(FleetTarget(index=len(targets), name=name, url=url))
    if not targets:
        raise InputError(f"{origin}: no targets")
    return targets


def read_targets(path: str) -> list[FleetTarget]:
    """Targets from a file, or from standard input when path is '-'."""
    import sys  # noqa: PLC0415

    if path == "-":
        return parse_targets(sys.stdin.read(), origin="<stdin>")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_targets(text, origin=path)


def parse_shard(text: str) -> tuple[int, int]:
    """'I/N' (1 <= I <= N) as a pair."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise InputError(f"--shard {text!r}: expected I/N with 1 <= I <= N, e.g. 2/4")
    return int(match.group(1)), int(match.group(2))


def shard_of(targets: list[FleetTarget], index: int, count: int) -> list[FleetTarget]:
    """Every count-th target, starting with the index-th (1-based), in file order."""
    return [t for t in targets if t.index % count == index - 1]


def check_fleet(targets: Iterable[FleetTarget], schema_dir: Path, *, dev_url: str | None = None, jobs: int = 4,
                progress: Progress = lambda _: None) -> list[TargetResult]:
    """Check every target, jobs at a time; the desired state is built once per server major."""
    require_declarative_cached(schema_dir)  # refused before any target is read
    excluded = configured_drift_exclusions(schema_dir)
    import_diff_modules()
    lock = threading.Lock()
    built: dict[int, DesiredState] = {}
    major_locks: dict[int, threading.Lock] = {}

    def desired(major: int) -> DesiredState:
        with lock:
            major_lock = major_locks.setdefault(major, threading.Lock())
        # One build per major (on a dev server of that major); the other workers of it wait.
        with major_lock:
            if major not in built:
                with Workspace(dev_url=dev_url, progress=progress) as ws:
                    built[major] = desired_for(ws, schema_dir, major)
            return built[major]

    def one(target: FleetTarget) -> TargetResult:
        try:
            result = check_target(target.url, desired, excluded=excluded)
        except SchemactlError as exc:
            progress(f"{target.name}: could not be checked")
            return TargetResult(target=target, status="error", error=mask(str(exc)))
        except Exception as exc:  # noqa: BLE001  (one target's surprise must not hide the others' verdicts)
            progress(f"{target.name}: could not be checked")
            detail = " ".join(str(exc).split())
            return TargetResult(target=target, status="error", error=mask(f"unexpected {type(exc).__name__}: {detail}"))
        progress(f"{target.name}: {'clean' if result.zero else 'drift'}")
        return TargetResult(target=target, status="clean" if result.zero else "drift", drift=result)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(one, t) for t in targets]
        try:
            return [f.result() for f in futures]
        except BaseException:
            # Ctrl-C: targets not started are dropped; running ones finish and clean up.
            for future in futures:
                future.cancel()
            raise


def fleet_exit_code(results: Iterable[TargetResult | dict]) -> int:
    """2 if any target could not be checked, else 1 if any drifted, else 0."""
    statuses = {r["status"] if isinstance(r, dict) else r.status for r in results}
    if "error" in statuses:
        return EXIT_ERROR
    return EXIT_DIFFERENCES if "drift" in statuses else EXIT_OK


def _entry(result: TargetResult) -> dict:
    entry: dict = {"index": result.target.index, "name": result.target.name, "target": mask(result.target.url),
                   "status": result.status}
    if result.drift is not None:
        # A drift entry carries every field of the single-target document, under the same names.
        entry.update({k: v for k, v in drift_document(result.drift).items() if k != "format_version"})
    if result.error:
        entry["error"] = result.error
    return entry


def fleet_document(results: list[TargetResult], *, total: int, shard: tuple[int, int] | None = None) -> dict:
    """One JSON-ready document: a result per target, the counts, and which shard it covers."""
    entries = [_entry(r) for r in results]
    return {"format_version": FORMAT_VERSION, "shard": {"index": shard[0], "count": shard[1]} if shard else None,
            "total_targets": total, "summary": _summary(entries), "results": entries}


def _summary(entries: list[dict]) -> dict:
    counts = {status: sum(1 for e in entries if e["status"] == status) for status in ("clean", "drift", "error")}
    return {"targets": len(entries), **counts, "exit_code": fleet_exit_code(entries)}


def merge_documents(documents: list[dict]) -> dict:
    """The shards' documents as one, in targets-file order; every shard exactly once."""
    if not documents:
        raise InputError("nothing to merge")
    shards = [d.get("shard") for d in documents]
    if any(s is None for s in shards):
        if len(documents) > 1:
            raise InputError("only sharded results (--shard I/N) can be merged; one document has no shard")
        return documents[0]
    counts = {s["count"] for s in shards}
    if len(counts) != 1:
        raise InputError(f"the documents come from different shardings: {sorted(counts)} shards")
    count = counts.pop()
    indexes = sorted(s["index"] for s in shards)
    if indexes != list(range(1, count + 1)):
        missing = sorted(set(range(1, count + 1)) - set(indexes))
        doubled = sorted({i for i in indexes if indexes.count(i) > 1})
        raise InputError(f"shards missing: {missing or 'none'}; given twice: {doubled or 'none'}")
    totals = {d["total_targets"] for d in documents}
    if len(totals) != 1:
        raise InputError("the shards were cut from different targets files")
    entries = sorted((e for d in documents for e in d["results"]), key=lambda e: e["index"])
    versions = {d.get("format_version", FORMAT_VERSION) for d in documents}
    if versions != {FORMAT_VERSION}:
        raise InputError(f"the documents have format versions {sorted(versions)}; this schemactl reads "
                         f"{FORMAT_VERSION}: run every shard with the same schemactl")
    return {"format_version": FORMAT_VERSION, "shard": None, "total_targets": totals.pop(),
            "summary": _summary(entries), "results": entries}


def _detail(entry: dict) -> str:
    if entry["status"] == "error":
        return entry.get("error", "")
    if entry["status"] == "clean":
        return ""
    items = entry.get("items", [])
    shown = "; ".join(f"{i['state']} {i['kind']} {i['name']}" for i in items[:3])
    more = f" (+{len(items) - 3} more)" if len(items) > 3 else ""
    if not items and entry.get("dump_differences"):
        shown = "normalized pg_dump differs"
    return shown + more


def render_fleet(document: dict, fmt: str) -> str:
    """The fleet as text (a table, then each drift), Markdown, or the JSON document."""
    if fmt == "json":
        return json.dumps(document, indent=2) + "\n"
    entries = document["results"]
    summary = document["summary"]
    shard = document.get("shard")
    scope = f" (shard {shard['index']}/{shard['count']} of {document['total_targets']})" if shard else ""
    line = (f"{summary['targets']} targets{scope}: {summary['clean']} clean, {summary['drift']} drifted, "
            f"{summary['error']} could not be checked")
    objects = [str(len(e.get("items", []))) if e["status"] == "drift" else ("0" if e["status"] == "clean" else "-")
               for e in entries]
    if fmt == "markdown":
        lines = ["### Fleet drift", "", line, "", "| target | status | objects | detail |", "| --- | --- | ---: | --- |"]
        lines += [f"| {cell(e['name'], code=True)} | {cell(e['status'])} | {n} | {cell(_detail(e))} |"
                  for e, n in zip(entries, objects)]
        for e in entries:
            if e["status"] == "drift" and e.get("fix"):
                lines += ["", f"<details><summary>fix for <code>{html_text(e['name'])}</code></summary>", "",
                          fence(e["fix"]), "", "</details>"]
        return "\n".join(lines) + "\n"
    width = max([len("target"), *(len(e["name"]) for e in entries)])
    lines = [f"{'target':<{width}}  status  objects  detail"]
    lines += [f"{e['name']:<{width}}  {e['status']:<6}  {n:>7}  {_detail(e)}".rstrip() for e, n in zip(entries, objects)]
    lines += ["", line]
    for e in entries:
        if e["status"] == "drift":
            lines += ["", f"{e['name']} ({e['target']}):"]
            items = e.get("items", [])
            lines += [item_line(i) for i in items[:_SHOWN]]
            if len(items) > _SHOWN:
                lines.append(f"  ... and {len(items) - _SHOWN} more (--format json lists every one)")
            if not e.get("items") and e.get("dump_differences"):
                lines += [f"    {d}" for d in e["dump_differences"][:20]]
    return "\n".join(lines) + "\n"

"""Orchestration of the pipeline: sources → databases → plan → rehearsal → zero-drift proof."""

from __future__ import annotations

import contextlib
import difflib
import re
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import psycopg
from psycopg import sql

from schemactl.build import build_source, execute_as_author
from schemactl.catalog import MANAGED_EXCLUDED_SCHEMAS, QUERIES
from schemactl.database_privileges import current_database_entry_sql
from schemactl.conninfo import child_environment, connect, dbname_of, mask, server_major, with_dbname
from schemactl.copies import client_tool, copy_live
from schemactl.devserver import (
    BUILDER_ROLE,
    DevServer,
    admin_execute,
    get_dev_server,
    grant_builder,
    scratch_database,
)
from schemactl.diff import Inspection, InspectionCache, Side, differences, inspect
from schemactl.errors import ConnectionFailed, InputError, SchemactlError, VerificationFailed
from schemactl.load import Source
from schemactl.plan import Change, Plan
from schemactl.progress import warn
from schemactl.project import configured_major
from schemactl.renames import applicable, hints, rename_changes
from schemactl.quoting import ident
from schemactl.roles import roles_from_catalog, roles_from_statements
from schemactl.toolschema import TOOL_SCHEMA, ToolSchemaDrift, tool_schema_changes
from schemactl.validate.gate import load_declarative

__all__ = [
    "Workspace",
    "is_url",
    "make_plan",
    "dump_schema",
    "normalized_dump",
    "apply_changes",
    "zero_drift",
    "DriftReport",
    "Reads",
    "read_database",
    "UnexpressedDifference",
]

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def is_url(src: str) -> bool:
    return src.startswith(("postgresql://", "postgres://"))


class Workspace:
    """Resolves sources into databases; owns the scratch databases it makes."""

    def __init__(self, *, dev_url: str | None = None, progress: Progress = _quiet,
                 project: Path | None = None) -> None:
        self.dev_url = dev_url
        # Where [tool.schemactl] is looked up (pyproject.toml at or above it, else above the
        # working directory): its postgres-major is the dev server's when no live side fixes one.
        self.project = project or Path.cwd()
        self.progress = progress
        self._stack = contextlib.ExitStack()
        self._dev: DevServer | None = None
        self._sources: dict[str, Source] = {}
        # Scratch databases built from SQL sources: nothing changes them while the workspace
        # lives, so what is read of them (inspection, schema dump) is read once for all its plans.
        self._unchanging: set[str] = set()
        self._remembered = Reads()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def dev(self, want_major: int | None = None) -> DevServer:
        """The dev server, started or connected once; its major must match a live side."""
        if self._dev is None:
            prefer = configured_major(self.project) if want_major is None else None
            self._dev = get_dev_server(dev_url=self.dev_url, want_major=want_major, prefer_major=prefer,
                                       progress=self.progress)
            self.progress(f"dev server: {self._dev.shown}")
            if self._dev.note:
                warn(self.progress, self._dev.note)
        elif want_major is not None and self._dev.major != want_major:
            raise InputError(f"sources need PostgreSQL {want_major} but the dev server is {self._dev.major}")
        return self._dev

    def use_dev(self, dev: DevServer) -> None:
        """Work on a dev server another workspace already resolved (fleet drift shares one)."""
        self._dev = dev

    def source(self, path: str) -> Source:
        if path not in self._sources:
            self._sources[path] = load_declarative(path)
        return self._sources[path]

    def scratch(self, label: str) -> str:
        assert self._dev is not None
        return self._stack.enter_context(scratch_database(self._dev, label))

    def live_major(self, url: str) -> int:
        with connect(url, autocommit=True) as conn:
            return server_major(conn)

    def open(self, src: str, *, label: str, declared_roles: dict | None = None, want_major: int | None = None) -> Side:
        """A Side for a URL (as is) or for SQL files (built into a scratch database)."""
        if is_url(src):
            with connect(src, autocommit=True) as conn:
                roles = roles_from_catalog(conn, (declared_roles or {}).keys())
            return Side(url=src, roles=roles, label=mask(src), live=True)
        source = self.source(src)
        dev = self.dev(want_major)
        url = self.scratch(label)
        self.progress(f"building {src} ({len(source.statements)} statements)")
        build_source(source, url, admin_url=dev.url)
        self._unchanging.add(url)
        return Side(url=url, roles=roles_from_statements(source.statements), label=src, live=False,
                    renames=hints(source.statements))

    def reads(self) -> Reads:
        """A new Reads for one plan or check that starts with, and keeps, what is known of the
        workspace's unchanging databases."""
        known = self._remembered
        return Reads(inspections=_Remembering(known.inspections, self._unchanging),
                     dumps=_Remembering(known.dumps, self._unchanging),
                     normalized=_Remembering(known.normalized, self._unchanging))

    def copy_of(self, side: Side, label: str, reads: Reads | None = None) -> Side:
        """An empty-of-data copy of side's schema on the dev server, to rehearse a plan on."""
        dev = self.dev()
        url = self.scratch(label)
        if not side.live:
            # A scratch build is recreated from its own database as template.
            self._clone_scratch(side.url, url)
            return replace(side, url=url, label=f"copy of {side.shown}")
        live_owner = side.default_owner
        owners = live_owner if isinstance(live_owner, tuple) else ((live_owner,) if live_owner else ())
        # Owners are kept: a schema that declares its owner (ALTER ... OWNER TO) must find it on
        # the copy. What the live applying role owns, and what the rehearsal creates as the dev
        # server's user, both count as "whoever applies the schema". (The run's cached read of
        # the target has no owners, so this copy dumps again.)
        made = copy_live(side.url, url, dev=dev, live_owners=owners, excluded=side.excluded,
                         admin_url=with_dbname(dev.url, dbname_of(url)))
        grant_builder(dev.url, list(side.roles))
        _copy_database_acl(side.url, url)
        return Side(url=url, roles=side.roles, label=f"copy of {side.shown}",
                    default_owner=tuple(dict.fromkeys((*made.live_owners, made.copy_user))), live=False)

    def clone(self, side: Side, label: str) -> Side:
        """A scratch database made from side's scratch database as template (fast, exact)."""
        url = self.scratch(label)
        self._clone_scratch(side.url, url)
        return replace(side, url=url, label=f"copy of {side.shown}")

    def _clone_scratch(self, template_url: str, url: str) -> None:
        dev = self.dev()
        from schemactl.conninfo import dbname_of  # noqa: PLC0415

        target, template = dbname_of(url), dbname_of(template_url)
        admin_execute(dev.url, sql.SQL("DROP DATABASE {}").format(sql.Identifier(target)))
        admin_execute(dev.url, sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE {}").format(
            sql.Identifier(target), sql.Identifier(BUILDER_ROLE), sql.Identifier(template)))
        # A template gives its objects, not its own privileges.
        _copy_database_acl(template_url, url)


def _default_privileges_for_applying_role(text: str, user: str) -> str:
    """pg_dump's default privileges of `user` (who applies the schema) made those of whoever restores the text.

    --no-owner leaves `FOR ROLE user` in place; a copy restored by another role must
    apply them to itself, as the original applies them to the role that applies it.
    """
    clause = "FOR ROLE " + sql.Identifier(user).as_string(None) + " "
    bare = "FOR ROLE " + user + " "
    lines = []
    for line in text.splitlines():
        if line.startswith("ALTER DEFAULT PRIVILEGES "):
            line = line.replace(clause, "", 1).replace(bare, "", 1) if clause in line or bare in line else line
        lines.append(line)
    return "\n".join(lines)


_DATABASE_ACL_BY_NAME = """
SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type, a.is_grantable
FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
WHERE d.datname = %s AND a.grantee <> d.datdba
"""


def _copy_database_acl(from_url: str, to_url: str) -> None:
    """Give the copy the privileges the original has on itself (neither pg_dump nor TEMPLATE copies them)."""
    from schemactl.conninfo import dbname_of  # noqa: PLC0415

    same_server = with_dbname(from_url, "postgres") == with_dbname(to_url, "postgres")
    if not same_server:
        with connect(from_url, autocommit=True) as conn:
            entries = conn.execute(QUERIES["database_acl"], prepare=False).fetchall()
    with connect(to_url, autocommit=True) as conn:
        if same_server:
            # Read the original by name from the copy (a template may refuse connections).
            entries = conn.execute(_DATABASE_ACL_BY_NAME, (dbname_of(from_url),)).fetchall()
        with conn.transaction():
            conn.execute(current_database_entry_sql(False, "PUBLIC", "ALL", False))
            for grantee, privilege, grantable in entries:
                conn.execute(current_database_entry_sql(True, grantee, privilege, bool(grantable)))


def dump_schema(url: str, dev: DevServer | None, *, owners: bool = True, create: bool = False,
                major: int | None = None, excluded: tuple[str, ...] = ()) -> str:
    """pg_dump --schema-only of a database (the tool's own schema left out); create adds the database's own ACL.

    major: the server's major version, when the caller knows it already; excluded: more schemas to leave out.
    """
    if major is None:
        with connect(url, autocommit=True) as conn:
            major = server_major(conn)
    # --exclude-schema takes a pattern: each name is quoted, so it matches itself only.
    args = [client_tool("pg_dump", major, dev), "--schema-only",
            *(f"--exclude-schema={s}" for s in MANAGED_EXCLUDED_SCHEMAS),
            *(f"--exclude-schema={ident(s)}" for s in excluded), "--dbname", url]
    if not owners:
        args.insert(1, "--no-owner")
    if create:
        args.insert(1, "--create")
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, env=child_environment(url))
    if result.returncode != 0:
        raise ConnectionFailed(f"pg_dump of {mask(url)} failed: {mask(result.stderr.strip())}")
    # psql meta-commands (\restrict) are not SQL. The text feeds comparisons only: nothing
    # executes a dump's text (copies are restored from an archive, see copies.py).
    return "\n".join(line for line in result.stdout.splitlines() if not line.startswith("\\"))


def normalized_dump(text: str) -> list[str]:
    """A pg_dump made comparable: no settings or owners; columns, comments and grants as sets.

    A column re-added by a rollback comes back at the end of its table, and pg_dump prints
    columns, their comments and their privileges in column order: none of that is a
    difference, so column lists are sorted, COMMENT statements are compared as a set and
    runs of GRANT/REVOKE are sorted.
    """
    out: list[str] = []
    comments: list[str] = []
    defaults: list[str] = []
    pending: str | None = None
    block: list[str] | None = None
    for raw in text.splitlines():
        line = raw.rstrip()
        if pending is not None:
            # A comment literal may span lines: the statement ends at a ';' outside quotes.
            pending += "\n" + raw
            if _complete(pending):
                comments.append(pending)
                pending = None
            continue
        if not line or line.startswith("--") or line.startswith("\\") or line.startswith("SET "):
            continue
        if line.startswith("SELECT pg_catalog.set_config"):
            continue
        if line.startswith("COMMENT ON "):
            if _complete(line):
                comments.append(line)
            else:
                pending = line
            continue
        if block is not None:
            if line.startswith(")"):
                out.extend(sorted(block))
                out.append(line)
                block = None
            else:
                block.append(line.rstrip(","))
            continue
        if line.startswith("ALTER DEFAULT PRIVILEGES "):
            # pg_dump orders these by catalog position, which is creation order: the set matters.
            defaults.append(line)
            continue
        out.append(line)
        if line.startswith("CREATE TABLE ") and line.endswith("("):
            block = []
    return _sorted_acl_runs(out) + sorted(comments) + sorted(defaults)


def _complete(statement: str) -> bool:
    """True when statement ends with ';' outside a string literal ('' escapes a quote)."""
    return statement.rstrip().endswith(";") and statement.count("'") % 2 == 0


def _sorted_acl_runs(lines: list[str]) -> list[str]:
    # pg_dump prints an object's privileges in aclitem order, which is the order they were
    # granted in; the set matters, not the order.
    out: list[str] = []
    run: list[str] = []
    for line in [*lines, ""]:
        if line.startswith(("GRANT ", "REVOKE ")):
            run.append(line)
            continue
        out.extend(sorted(run))
        run = []
        if line:
            out.append(line)
    return out


class _Remembering(dict):  # type: ignore[type-arg]
    """One operation's reads, which also keeps what it reads of the unchanging databases for the
    workspace; forgetting such a database (someone changed it) makes it an ordinary one."""

    def __init__(self, remembered: dict, unchanging: set[str]) -> None:  # type: ignore[type-arg]
        super().__init__({url: value for url, value in remembered.items() if url in unchanging})
        self._remembered = remembered
        self._unchanging = unchanging

    def __setitem__(self, url: str, value: object) -> None:
        super().__setitem__(url, value)
        if url in self._unchanging:
            self._remembered[url] = value

    def pop(self, url: str, *default: object) -> object:
        self._unchanging.discard(url)
        self._remembered.pop(url, None)
        return super().pop(url, *default)


@dataclass
class Reads:
    """What was read from databases while they stay unchanged: inspections and schema dumps.

    Each database is inspected and dumped once however many comparisons use it; whoever
    changes a database forgets it here.
    """

    inspections: InspectionCache = field(default_factory=dict)
    # url -> pg_dump --schema-only --no-owner --create text
    dumps: dict[str, str] = field(default_factory=dict)
    # url -> its normalized dump
    normalized: dict[str, list[str]] = field(default_factory=dict)
    # url -> the schemas its dump leaves out besides the tool's own (a Side's excluded)
    excluded: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def normalized_dump(self, url: str, dev: DevServer | None) -> list[str]:
        if url not in self.normalized:
            context = dump_context(url)
            if url not in self.dumps:
                self.dumps[url] = dump_schema(url, dev, owners=False, create=True, major=context.major,
                                              excluded=self.excluded.get(url, ()))
            self.normalized[url] = normalized_dump(applying_role_neutral(url, self.dumps[url], context))
        return self.normalized[url]

    def forget(self, url: str) -> None:
        for known in (self.inspections, self.dumps, self.normalized):
            known.pop(url, None)


def read_database(side: Side, dev: DevServer | None, *, major: int | None = None) -> tuple[Inspection, str]:
    """One catalog inspection and one schema dump of a database, run concurrently."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        # pg_dump is another process: it works while this one inspects the catalog.
        # --create: pg_dump prints the database's own privileges only with it; they are compared too.
        dumped = pool.submit(dump_schema, side.url, dev, owners=False, create=True, major=major)
        try:
            inspection = inspect(side)
        finally:
            text = dumped.result()
    return inspection, text


@dataclass(frozen=True)
class DumpContext:
    """What comparing a database's schema dump needs besides the dump, read in one connection:
    the server's major (which pg_dump) and who applies, where, and who owns the database."""

    major: int
    user: str
    database: str
    owner: str


def dump_context(url: str) -> DumpContext:
    with connect(url, autocommit=True) as conn:
        user, database, owner = conn.execute(
            "SELECT current_user, current_database(), pg_get_userbyid(datdba) FROM pg_database "
            "WHERE datname = current_database()").fetchone()
        return DumpContext(major=server_major(conn), user=user, database=database, owner=owner)


def applying_role_neutral(url: str, text: str, context: DumpContext | None = None) -> str:
    """A dump comparable across databases and applying roles.

    Default privileges of the session user read as those of "the applying role" (as owners
    are). Of the database itself (pg_dump --create) only its privileges stay, under a neutral
    name and without the owner's own entries: two databases of one schema differ in name and owner.
    context: the database's DumpContext, when the caller read it already.
    """
    context = context if context is not None else dump_context(url)
    user, database, owner = context.user, context.database, context.owner
    names = {database, sql.Identifier(database).as_string(None)}
    owners = {owner, sql.Identifier(owner).as_string(None)}
    lines = []
    for line in _default_privileges_for_applying_role(text, user).splitlines():
        if line.startswith(_DATABASE_LINES):
            continue
        if line.startswith(("GRANT ", "REVOKE ")) and " ON DATABASE " in line:
            if any(line.endswith((f" TO {o};", f" FROM {o};")) for o in owners):
                continue
            for name in sorted(names, key=len, reverse=True):
                line = line.replace(f" ON DATABASE {name} ", " ON DATABASE (current database) ", 1)
        lines.append(line)
    return "\n".join(lines)


_DATABASE_LINES = ("CREATE DATABASE ", "ALTER DATABASE ", "COMMENT ON DATABASE ")


def dump_difference(a_url: str, b_url: str, dev: DevServer | None, reads: Reads | None = None) -> list[str]:
    """Lines that differ between the two normalized schema dumps (empty: equal)."""
    reads = reads if reads is not None else Reads()
    a = reads.normalized_dump(a_url, dev)
    b = reads.normalized_dump(b_url, dev)
    if a == b:
        return []
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        out += [_located("-", a, i) for i in range(i1, i2)] + [_located("+", b, j) for j in range(j1, j2)]
    return out


def _located(sign: str, lines: list[str], index: int) -> str:
    """A differing dump line; a line inside a statement names the statement it belongs to."""
    line = lines[index]
    if not line[:1].isspace() and not line.startswith(")"):
        return sign + line
    head = next((lines[i] for i in range(index - 1, -1, -1) if not lines[i][:1].isspace()
                 and not lines[i].startswith(")")), "")
    return f"{sign}{line}  (in: {head.rstrip('(').strip()})"


def apply_changes(url: str, changes: tuple[Change, ...] | list[Change], *, skip_roles: bool = False,
                  lock_timeout: str = "5s", statement_timeout: str = "0") -> None:
    """Run changes: transactional ones in one transaction, then the online ones in order."""
    inside = [c for c in changes if c.transactional and not (skip_roles and c.object.startswith("role "))]
    outside = [c for c in changes if not c.transactional]
    with connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(lock_timeout)))
        conn.execute(sql.SQL("SET statement_timeout = {}").format(sql.Literal(statement_timeout)))
        with conn.transaction():
            for change in inside:
                execute_as_author(conn, change.sql)
        for change in outside:
            execute_as_author(conn, change.sql)


@dataclass(frozen=True)
class DriftReport:
    """The outcome of the two independent zero-drift checks, and of the tool-schema check on a live database."""

    changes: tuple[Change, ...]
    dump_lines: tuple[str, ...]
    tool_schema: tuple[ToolSchemaDrift, ...] = ()

    @property
    def zero(self) -> bool:
        return not self.changes and not self.dump_lines and not self.tool_schema


def zero_drift(ws: Workspace, actual: Side, desired: Side, *, reads: Reads | None = None) -> DriftReport:
    """Both checks of DESIGN.md: migra (with the extras) and normalized pg_dump.

    Both leave the tool's own schema out; on a live database it is checked on its own
    (toolschema.py): it may hold only what the migration runner creates.
    """
    reads = reads if reads is not None else ws.reads()
    _note_exclusions(reads, actual, desired)
    found = differences(actual, desired, cache=reads.inspections)
    dump = dump_difference(actual.url, desired.url, ws._dev, reads)
    tool = tool_schema_changes(actual.url) if actual.live else ()
    return DriftReport(changes=found.changes, dump_lines=tuple(dump), tool_schema=tool)


def _note_exclusions(reads: Reads, *sides: Side) -> None:
    """The dumps of these sides leave out what their comparison leaves out."""
    for side in sides:
        if side.excluded:
            reads.excluded[side.url] = side.excluded


def _describe(report: DriftReport) -> str:
    parts = [c.sql.splitlines()[0] for c in report.changes[:5]]
    parts += list(report.dump_lines[:5])
    return "; ".join(parts)


class UnexpressedDifference(VerificationFailed):
    """The engine finds no change but the schema dumps differ: never reported as "no changes"."""

    def __init__(self, source: str, target: str, lines: list[str]) -> None:
        self.lines = tuple(lines)
        shown = "; ".join(line.strip() for line in lines[:10]) + (f"; ... {len(lines) - 10} more" if len(lines) > 10 else "")
        super().__init__(f"the engine finds no changes from {source} to {target}, but their normalized pg_dump "
                         f"differs in {', '.join(_dump_objects(lines))}: {shown}")


def _dump_objects(lines: list[str]) -> list[str]:
    """The objects named by differing dump lines (the statement's object, as pg_dump writes it)."""
    found: list[str] = []
    for line in lines:
        line = line.split("  (in: ", 1)[-1] if "  (in: " in line else line
        line = line if line[:1] in "-+" else "+" + line
        match = re.match(r"^[-+]\s*(?:CREATE|ALTER|COMMENT ON|GRANT|REVOKE)\s+(?:\w+\s+)*?"
                         r"(?:TABLE|SEQUENCE|VIEW|FUNCTION|PROCEDURE|INDEX|TYPE|SCHEMA|POLICY|TRIGGER|COLUMN|"
                         r"CONSTRAINT|EXTENSION)\s+(?:ONLY\s+)?([^\s(]+)", line)
        name = match.group(1) if match else None
        if name and name not in found:
            found.append(name)
    return found or ["lines the engine does not model"]


def make_plan(ws: Workspace, source: Side, target: Side, *, verify: bool = True, reads: Reads | None = None) -> Plan:
    """Plan source → target; rehearse it and its rollback on a scratch copy first.

    reads: what is already known of databases that stay unchanged (a drift check's target and
    desired state), so they are not read again. A live source's tool schema is brought back to
    what the migration runner creates by statements after the plan's (DROP, REVOKE); copies
    leave that schema out, so those are not rehearsed, and the plan says so.
    """
    plan = _plan(ws, source, target, verify=verify, reads=reads)
    if not source.live:
        return plan
    tool = tuple(c for item in tool_schema_changes(source.url) for c in item.changes())
    if not tool:
        return plan
    return replace(plan, changes=plan.changes + tool, notes=(*plan.notes, TOOL_SCHEMA_NOTE))


# Said of a plan that brings the tool's own schema back to the runner's objects.
TOOL_SCHEMA_NOTE = (f"the statements on the tool's own schema {TOOL_SCHEMA} run last and are not rehearsed "
                    "(copies leave that schema out)")


def _plan(ws: Workspace, source: Side, target: Side, *, verify: bool, reads: Reads | None) -> Plan:
    """make_plan without the tool schema."""
    reads = reads if reads is not None else ws.reads()
    _note_exclusions(reads, source, target)
    cache = reads.inspections
    first, last, start = _renamed(ws, source, target)
    found = differences(start, target, cache=cache)
    if found.empty and not first:
        # "No changes" is an answer too: the second, independent check must agree.
        lines = dump_difference(source.url, target.url, ws._dev, reads)
        if lines:
            raise UnexpressedDifference(source.shown, target.shown, lines)
        return Plan(changes=(), source=source.shown, target=target.shown, verified=True)
    forward = replace(found, changes=tuple(first) + found.changes)
    # Forward first: a verified forward plan stands even when its reverse cannot be made.
    backward: tuple[Change, ...] = ()
    irreversible = ""
    try:
        backward = differences(target, start, cache=cache).changes + tuple(last)
    except SchemactlError as exc:
        irreversible = f"the rollback cannot be planned: {exc}"
    if not verify:
        return Plan(changes=forward.changes, rollback=backward, source=source.shown, target=target.shown,
                    irreversible=irreversible)
    ws.progress(f"rehearsing {len(forward.changes)} changes on a scratch copy of {source.shown}")
    copy = ws.copy_of(source, "rehearsal", reads)
    # The plan gives objects to the target's roles as the builder: it acts as their member.
    grant_builder(ws.dev().url, [*target.roles, *source.roles])
    # The rollback must return to the source as the copy shows it (a live copy loses owners).
    origin = ws.clone(copy, "origin") if source.live else source
    try:
        apply_changes(copy.url, forward.changes, skip_roles=True)
    except psycopg.Error as exc:
        raise VerificationFailed(f"the plan does not apply cleanly to a copy of {source.shown}: "
                                 f"{' '.join(str(exc).split())}") from None
    after = zero_drift(ws, replace(copy, roles=target.roles), target, reads=reads)
    if not after.zero:
        raise VerificationFailed(
            f"the plan from {source.shown} to {target.shown} does not reach zero drift; what remains "
            f"cannot be expressed by the engine: {_describe(after)}")
    reads.forget(copy.url)
    if not irreversible:
        irreversible = _rehearse_rollback(ws, copy, origin, source, backward, reads)
    return Plan(changes=forward.changes, rollback=() if irreversible else backward, source=source.shown,
                target=target.shown, verified=True, irreversible=irreversible)


def _rehearse_rollback(ws: Workspace, copy: Side, origin: Side, source: Side, backward: tuple[Change, ...],
                       reads: Reads) -> str:
    """Why the rollback does not return the copy to the source ("" when it does)."""
    try:
        apply_changes(copy.url, backward, skip_roles=True)
    except psycopg.Error as exc:
        return f"the rollback does not apply cleanly: {' '.join(str(exc).split())}"
    back = zero_drift(ws, replace(copy, roles=source.roles), replace(origin, roles=source.roles), reads=reads)
    if not back.zero:
        return f"the rollback does not return to {source.shown}: {_describe(back)}"
    return ""


def _renamed(ws: Workspace, source: Side, target: Side) -> tuple[list[Change], list[Change], Side]:
    """The target's rename hints that apply to source: their changes, their reverse, and where to diff from.

    With renames, the diff starts from a scratch copy of source with the renames done, so
    the renamed table or column is compared as itself (no drop and add). The copy has no
    rows; tables that exist in it count as holding rows where source may hold them.
    """
    if not target.renames:
        return [], [], source
    with connect(source.url, autocommit=True) as conn:
        renames = applicable(conn, target.renames)
    if not renames:
        return [], [], source
    first, last = rename_changes(renames)
    ws.progress("renaming " + ", ".join(r.shown for r in renames) + " (schemactl:renamed-from)")
    copy = ws.copy_of(source, "renamed")
    apply_changes(copy.url, first)
    return first, last, replace(copy, roles=source.roles, live=False, assume_rows=source.live or source.assume_rows)


def sources_major(ws: Workspace, *srcs: str) -> int | None:
    """The major version of the first live source, which the dev server must match."""
    for src in srcs:
        if is_url(src):
            return ws.live_major(src)
    return None


def existing_path(src: str) -> str:
    if not is_url(src) and not Path(src).exists():
        raise InputError(f"{src}: no such file or directory")
    return src

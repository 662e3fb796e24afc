"""The runner: applies and rolls back the history on a target and records it there.

Applied migrations are rows of `schemactl.schema_migrations` (the `schemactl` schema may hold
that table and nothing else: toolschema.py reports anything more as drift); each file runs as
`script.run_script` describes, its tracking row written with its last step.

Every runner takes the schema lock that `apply` takes (`schemactl.schemalock`), so two runners,
or a runner and `apply`, never change one database at once: the second one waits, then
reads the tracking table again and finds the migrations applied.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
from pglast import ast
from pglast.enums import AlterTableType, ObjectType
from psycopg import sql

from schemactl.conninfo import connect, mask
from schemactl.errors import InputError, Refused, SchemactlError
from schemactl.migrations.history import Migration, load_history, replay, require_manifest
from schemactl.migrations.manifest import verify_manifest
from schemactl.migrations.script import Record, Script, parse_script, run_script, server_message, split_admin
from schemactl.privilege import Deployer, adopt_tracking, configured_deploy_role, deployer, run_admin_step
from schemactl.schemalock import TRACKING_RELATION, TRACKING_TABLE, ensure_tracking, schema_lock

if TYPE_CHECKING:
    from schemactl.engine import Workspace

__all__ = [
    "AppliedRow",
    "StatusEntry",
    "TRACKING_TABLE",
    "migration_status",
    "migrate_up",
    "migrate_down",
    "migrate_reset",
    "migrate_baseline",
    "data_at_risk",
    "refuse_inconsistent",
]

Progress = Callable[[str], None]



def _quiet(_: str) -> None:
    return None


_TABLE = TRACKING_RELATION


@dataclass(frozen=True)
class AppliedRow:
    """One row of schemactl.schema_migrations."""

    version: str
    name: str
    checksum: str
    applied_at: datetime
    applied_by: str
    duration_ms: int

    @property
    def stem(self) -> str:
        return f"{self.version}_{self.name}"


def _applied(conn: psycopg.Connection) -> dict[str, AppliedRow]:
    exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (TRACKING_TABLE,)).fetchone()[0]
    if not exists:
        return {}
    rows = conn.execute(sql.SQL("SELECT version, name, checksum, applied_at, applied_by, duration_ms "
                                "FROM {} ORDER BY version").format(_TABLE)).fetchall()
    return {row[0]: AppliedRow(*row) for row in rows}


@contextlib.contextmanager
def _database_errors(target: str) -> Iterator[None]:
    """Server errors outside a migration's statements (tracking table, lock) as one line."""
    try:
        yield
    except psycopg.Error as exc:
        raise SchemactlError(f"{mask(target)}: {server_message(exc)}") from None


@dataclass(frozen=True)
class StatusEntry:
    """One line of `migrate status`: applied, pending, changed (since applied) or missing (file)."""

    state: str
    stem: str
    applied: AppliedRow | None = None

    def render(self) -> str:
        line = f"{self.state:8} {self.stem}"
        if self.applied is not None:
            when = self.applied.applied_at.strftime("%Y-%m-%d %H:%M:%S%z")
            line += f"  at {when} by {self.applied.applied_by} ({self.applied.duration_ms} ms)"
        if self.state == "changed":
            line += "  (the file's checksum differs from the applied one)"
        elif self.state == "missing":
            line += "  (applied, but no file in the migrations directory)"
        return line


def _entries(history: list[Migration], applied: dict[str, AppliedRow]) -> list[StatusEntry]:
    entries: list[StatusEntry] = []
    on_disk = {m.version: m for m in history}
    for version in sorted(set(on_disk) | set(applied)):
        migration, row = on_disk.get(version), applied.get(version)
        if migration is None:
            assert row is not None
            entries.append(StatusEntry("missing", row.stem, row))
        elif row is None:
            entries.append(StatusEntry("pending", migration.stem))
        elif row.checksum != migration.checksum or row.name != migration.name:
            entries.append(StatusEntry("changed", migration.stem, row))
        else:
            entries.append(StatusEntry("applied", migration.stem, row))
    return entries


def migration_status(target: str, migrations_dir: Path) -> tuple[list[StatusEntry], list[str]]:
    """Every migration's state on the target, and the manifest's problems (read-only)."""
    history = load_history(migrations_dir)
    problems = verify_manifest(migrations_dir)
    with connect(target, autocommit=True) as conn, _database_errors(target):
        applied = _applied(conn)
    return _entries(history, applied), problems


def refuse_inconsistent(migrations_dir: Path, entries: list[StatusEntry]) -> None:
    for entry in entries:
        if entry.state == "changed":
            raise Refused(f"{migrations_dir / (entry.stem + '.sql')} was changed after it was applied "
                          f"(checksum differs from {TRACKING_TABLE}); restore it from version control and "
                          "write a new migration instead")
        if entry.state == "missing":
            raise Refused(f"migration {entry.stem} is applied on the target but {migrations_dir} has no "
                          f"{entry.stem}.sql; use the migrations directory of the release that applied it")


def _tracking_insert(migration: Migration, started: float) -> Record:
    def record(conn: psycopg.Connection) -> None:
        elapsed = int((time.monotonic() - started) * 1000)
        conn.execute(sql.SQL("INSERT INTO {} (version, name, checksum, duration_ms) VALUES (%s, %s, %s, %s)")
                     .format(_TABLE), (migration.version, migration.name, migration.checksum, elapsed))
    return record


def _tracking_delete(migration: Migration) -> Record:
    def record(conn: psycopg.Connection) -> None:
        conn.execute(sql.SQL("DELETE FROM {} WHERE version = %s").format(_TABLE), (migration.version,))
    return record


class _Runner:
    """Runs files on a target: as the target's user, or (reached as a superuser) as the deploy role, with the
    role and database-privilege statements the tool wrote run in the superuser's session around them."""

    def __init__(self, admin: psycopg.Connection, deploy: Deployer, stack: contextlib.ExitStack) -> None:
        self.admin = admin
        self.deploy = deploy
        self._stack = stack
        self._session: psycopg.Connection | None = None

    def prepare(self, scripts: Iterable[Script]) -> None:
        """Before the schema lock: the role steps that let the deploy role exist and work, and the tracking
        table as its own (the lock is taken in its session, on its table)."""
        if not self.deploy.switching:
            return
        for script in scripts:
            self._admin_steps(script, split_admin(script)[0])
        self.deploy.check_ready(self.admin)
        assert self.deploy.role is not None
        ensure_tracking(self.admin)
        adopt_tracking(self.admin, self.deploy.role)

    def session(self) -> psycopg.Connection:
        """The session that runs the files' statements and writes the tracking rows."""
        if not self.deploy.switching:
            return self.admin
        if self._session is None or self._session.closed:
            self.deploy.check_can_deploy(self.admin)
            self._session = self._stack.enter_context(self.deploy.session())
        return self._session

    def _admin_steps(self, script: Script, steps: list) -> None:
        if steps:
            with self.admin.transaction():
                for step, found in steps:
                    run_admin_step(self.admin, found, script.where(step))

    def run(self, script: Script, *, record: Record | None = None, undo: Script | None = None) -> None:
        if not self.deploy.switching:
            run_script(self.admin, script, record=record, undo=undo)
            return
        before, rest, after = split_admin(script)
        self._admin_steps(script, before)
        run_script(self.session(), rest, record=record, undo=split_admin(undo)[1] if undo else None)
        self._admin_steps(script, after)


@contextlib.contextmanager
def _locked(target: str, migrations_dir: Path, progress: Progress,
            scripts: Callable[[psycopg.Connection], Iterable[Script]]) -> Iterator[tuple[psycopg.Connection, _Runner]]:
    """A session of target's user and the runner, under the schema lock (taken by whoever runs the files).

    scripts: the files that may run, read before the lock, whose role steps are prepared first.
    """
    with connect(target, autocommit=True) as conn, _database_errors(target), contextlib.ExitStack() as stack:
        runner = _Runner(conn, deployer(target, conn, configured_deploy_role(migrations_dir), progress), stack)
        if runner.deploy.switching:
            runner.prepare(scripts(conn))
        with schema_lock(runner.deploy.url(), progress=progress):
            yield conn, runner


def migrate_up(target: str, migrations_dir: Path, *, progress: Progress = _quiet) -> list[tuple[Migration, int]]:
    """Apply every pending migration in order, under the schema lock; (migration, ms) applied."""
    history = load_history(migrations_dir)
    require_manifest(migrations_dir)
    scripts = {m.version: parse_script(m.path) for m in history}
    done: list[tuple[Migration, int]] = []
    def pending_scripts(conn: psycopg.Connection) -> list[Script]:
        applied = _applied(conn)
        return [scripts[m.version] for m in history if m.version not in applied]

    with _locked(target, migrations_dir, progress, pending_scripts) as (conn, runner):
        applied = _applied(conn)
        entries = _entries(history, applied)
        refuse_inconsistent(migrations_dir, entries)
        pending = [m for m in history if m.version not in applied]
        newest = max(applied, default="")
        for migration in pending:
            if migration.version < newest:
                raise Refused(f"{migration.path} is pending but the newer migration {applied[newest].stem} "
                              "is applied already; give it a number after the newest applied one")
        for migration in pending:
            progress(f"applying {migration.stem}")
            started = time.monotonic()
            undo = parse_script(migration.rollback_path) if migration.rollback_path else None
            runner.run(scripts[migration.version], record=_tracking_insert(migration, started), undo=undo)
            elapsed = int((time.monotonic() - started) * 1000)
            progress(f"applied {migration.stem} in {elapsed} ms")
            done.append((migration, elapsed))
    return done


def _dropped_relations(script: Script) -> list[tuple[str, str, str | None]]:
    """(schema, table, column or None) for every table or column the script drops."""
    dropped: list[tuple[str, str, str | None]] = []
    for step in script.steps:
        node = step.node
        if isinstance(node, ast.DropStmt) and node.removeType == ObjectType.OBJECT_TABLE:
            for obj in node.objects or ():
                names = [n.sval for n in obj]
                dropped.append((names[-2] if len(names) > 1 else "public", names[-1], None))
        elif isinstance(node, ast.AlterTableStmt) and node.objtype == ObjectType.OBJECT_TABLE:
            for cmd in node.cmds or ():
                if cmd.subtype == AlterTableType.AT_DropColumn and cmd.name:
                    dropped.append((node.relation.schemaname or "public", node.relation.relname, cmd.name))
    return dropped


def data_at_risk(conn: psycopg.Connection, scripts: Iterable[Script]) -> list[str]:
    """The tables and columns the scripts drop that hold data now, with their row counts."""
    found: list[str] = []
    seen: set[tuple[str, str, str | None]] = set()
    for script in scripts:
        for schema, table, column in _dropped_relations(script):
            if (schema, table, column) in seen:
                continue
            seen.add((schema, table, column))
            relation = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))
            # Only tables are counted: reading a view would run whatever it calls, with this session's rights.
            row = conn.execute("SELECT c.relkind IN ('r', 'p') FROM pg_class c WHERE c.oid = to_regclass(%s)",
                               (relation.as_string(conn),)).fetchone()
            if not (row and row[0]):
                continue
            if column is None:
                count = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(relation)).fetchone()[0]
                if count:
                    found.append(f"table {schema}.{table} ({count} rows)")
                continue
            has_column = conn.execute("SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = %s::regclass "
                                      "AND attname = %s AND NOT attisdropped)",
                                      (relation.as_string(conn), column)).fetchone()[0]
            if not has_column:
                continue
            count = conn.execute(sql.SQL("SELECT count(*) FROM {} WHERE {} IS NOT NULL").format(
                relation, sql.Identifier(column))).fetchone()[0]
            if count:
                found.append(f"column {schema}.{table}.{column} ({count} rows with a value)")
    return found


def _roll_back(target: str, migrations_dir: Path, choose: Callable[[list[Migration]], list[Migration]],
               progress: Progress, *, allow_destructive: bool) -> list[Migration]:
    history = load_history(migrations_dir)
    require_manifest(migrations_dir)
    done: list[Migration] = []
    def chosen_scripts(conn: psycopg.Connection) -> list[Script]:
        applied = _applied(conn)
        try:
            picked = choose([m for m in reversed(history) if m.version in applied])
        except SchemactlError:
            return []  # said again under the lock
        return [parse_script(m.rollback_path) for m in picked if m.rollback_path]

    with _locked(target, migrations_dir, progress, chosen_scripts) as (conn, runner):
        applied = _applied(conn)
        entries = _entries(history, applied)
        refuse_inconsistent(migrations_dir, entries)
        newest_first = [m for m in reversed(history) if m.version in applied]
        chosen = choose(newest_first)
        for migration in chosen:
            if migration.rollback_path is None:
                raise InputError(f"{migration.path}: no rollback file {migration.stem}_rollback.sql; "
                                 "nothing was rolled back")
        if not allow_destructive:
            at_risk = data_at_risk(conn, (parse_script(m.rollback_path) for m in chosen if m.rollback_path))
            if at_risk:
                names = ", ".join(m.stem for m in chosen)
                raise Refused(f"rolling back {names} deletes data: {'; '.join(at_risk)}. Nothing was rolled "
                              "back; re-run with --allow-destructive to accept it")
        for migration in chosen:
            progress(f"rolling back {migration.stem}")
            assert migration.rollback_path is not None
            runner.run(parse_script(migration.rollback_path), record=_tracking_delete(migration),
                       undo=parse_script(migration.path))
            progress(f"rolled back {migration.stem}")
            done.append(migration)
    return done


def migrate_down(target: str, migrations_dir: Path, through: str | None = None, *,
                 allow_destructive: bool = False, progress: Progress = _quiet) -> list[Migration]:
    """Roll back newest-first through the named migration (default: the newest one only).

    Refused when a rollback would drop tables or columns that hold data, unless allowed.
    """

    def choose(newest_first: list[Migration]) -> list[Migration]:
        if through is None:
            return newest_first[:1]
        for number, migration in enumerate(newest_first):
            if migration.matches(through):
                return newest_first[:number + 1]
        raise InputError(f"migration {through} is not applied on the target (see `schemactl migrate status`)")

    return _roll_back(target, migrations_dir, choose, progress, allow_destructive=allow_destructive)


def migrate_reset(target: str, migrations_dir: Path, *, confirmed: bool,
                  progress: Progress = _quiet) -> list[Migration]:
    """Roll back every applied migration; refused unless confirmed."""
    if not confirmed:
        raise Refused("reset rolls back every migration and deletes their data; re-run with --yes to confirm")
    # --yes is the confirmation that the data goes: reset means exactly that.
    return _roll_back(target, migrations_dir, lambda newest_first: newest_first, progress, allow_destructive=True)


def migrate_baseline(ws: Workspace, target: str, migrations_dir: Path, through: str | None = None, *,
                     progress: Progress = _quiet) -> list[Migration]:
    """Record the history (through the named migration) as applied on a database that already matches it.

    As Flyway's baseline: for a database built another way (`apply`, a restore). The target
    must show zero drift against the replayed history by both checks and have no migration
    recorded yet; otherwise it is refused, naming the differences. Nothing but the tracking
    rows is written.
    """
    from schemactl.engine import zero_drift  # noqa: PLC0415

    history = load_history(migrations_dir)
    require_manifest(migrations_dir)
    chosen = history
    if through is not None:
        matching = [number for number, m in enumerate(history) if m.matches(through)]
        if not matching:
            raise InputError(f"{migrations_dir} has no migration {through}")
        chosen = history[:matching[0] + 1]
    if not chosen:
        raise InputError(f"{migrations_dir} holds no migrations to record")
    with _locked(target, migrations_dir, progress, lambda _: ()) as (conn, runner):
        applied = _applied(conn)
        if applied:
            raise Refused(f"{mask(target)} already records {len(applied)} applied migrations (newest "
                          f"{applied[max(applied)].stem}); baseline is for a database without a history: "
                          "use `schemactl migrate up`")
        major = ws.live_major(target)
        ws.dev(major)
        replayed = replay(ws, migrations_dir, chosen)
        actual = ws.open(target, label="target", declared_roles=replayed.roles)
        progress(f"comparing {mask(target)} with the history through {chosen[-1].stem}")
        report = zero_drift(ws, actual, replayed)
        if not report.zero:
            found = [f"{c.action} {c.object}" for c in report.changes]
            found += [f"{t.statements[0].rstrip(';')} ({t.how})" for t in report.tool_schema]
            found += [f"schema dump: {line}" for line in report.dump_lines]
            shown = "; ".join(found[:10]) + (f" and {len(found) - 10} more" if len(found) > 10 else "")
            raise Refused(f"{mask(target)} does not match the history through {chosen[-1].stem}, so it "
                          f"cannot be recorded as applied: to match it, {shown}. Nothing was recorded; "
                          "`schemactl drift` shows the differences in full")
        # The rows are written by whoever runs migrations (a trigger on the table runs with its rights).
        session = runner.session()
        with session.transaction():
            for migration in chosen:
                session.execute(sql.SQL("INSERT INTO {} (version, name, checksum, duration_ms) "
                                        "VALUES (%s, %s, %s, 0)").format(_TABLE),
                                (migration.version, migration.name, migration.checksum))
    return chosen

"""Versioned migrations: the history in generated/migrations, `migrate new`, and the runner.

A migration is a pair of files, `NNN_name.sql` and `NNN_name_rollback.sql`, listed with
their checksums in `schemactl.sum` (see manifest.py). `migrate new` writes the next pair
from the verified plan between the replayed history and schema/; the runner applies and
rolls back pairs on a target and records them in `schemactl.schema_migrations` (the
`schemactl` schema is never reported as drift).

How a file runs (render.script writes this shape; hand-written files may drop the block):
- leading `SET ...` statements are session settings (lock_timeout, statement_timeout);
  they are reset after the file;
- the statements between `BEGIN;` and `COMMIT;` (or, without such a block, every
  statement) run in one transaction together with the file's tracking row, so a failing
  statement leaves the database as it was and the migration unrecorded;
- statements after `COMMIT;` are online steps (CREATE INDEX CONCURRENTLY, VALIDATE
  CONSTRAINT) and run one by one outside a transaction; the tracking row is written only
  once the last of them succeeded. When an online step fails, the indexes the online
  steps were building are dropped (DROP INDEX CONCURRENTLY IF EXISTS) and the pair's other
  file (the rollback for `up`, the migration for `down`) undoes the committed part, so
  the database ends as it was; generated rollbacks drop indexes with IF EXISTS for this.
  If the runner itself dies during the online steps, the migration stays unrecorded while
  its transactional part is in place; the next `up` then stops on "already exists" and the
  operator runs the rollback file or finishes the online steps by hand.

Every runner takes the advisory lock that `apply` takes (SCHEMA_LOCK_KEY), so two runners,
or a runner and `apply`, never change one database at once: the second one waits, then
reads the tracking table again and finds the migrations applied.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
from pglast import ast, parse_sql, split
from pglast.enums import AlterTableType, ObjectType, TransactionStmtKind
from pglast.parser import ParseError
from psycopg import sql

from schemactl.catalog import MANAGED_EXCLUDED_SCHEMAS
from schemactl.conninfo import connect, mask
from schemactl.diff import Side
from schemactl.errors import InputError, Refused, SchemactlError
from schemactl.manifest import MANIFEST_NAME, file_checksum, verify_manifest, write_manifest
from schemactl.plan import Change, Plan, destructive_refusal
from schemactl.roles import Role, roles_from_catalog
from schemactl.validate.gate import require_contained

if TYPE_CHECKING:
    from schemactl.engine import Workspace

__all__ = [
    "Migration",
    "Script",
    "Step",
    "AppliedRow",
    "StatusEntry",
    "NewMigration",
    "MigrationFailed",
    "load_history",
    "parse_script",
    "run_script",
    "history_side",
    "new_migration",
    "migration_status",
    "migrate_up",
    "migrate_down",
    "migrate_reset",
    "migrate_baseline",
    "data_at_risk",
    "refuse_inconsistent",
    "require_manifest",
    "TRACKING_TABLE",
]

Progress = Callable[[str], None]

_FILE_NAME = re.compile(r"^(?P<version>\d{3})_(?P<name>[a-z0-9_]+?)(?P<rollback>_rollback)?\.sql$")
_NEW_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
TRACKING_SCHEMA = MANAGED_EXCLUDED_SCHEMAS[0]
TRACKING_TABLE = f"{TRACKING_SCHEMA}.schema_migrations"


def _quiet(_: str) -> None:
    return None


class MigrationFailed(SchemactlError):
    """A migration or rollback file failed on the server; the message says what was undone."""


# ---------------------------------------------------------------------------------------
# Files: the history on disk and the statements of one file.


@dataclass(frozen=True)
class Migration:
    """One versioned migration on disk: its forward file and (normally) its rollback."""

    version: str
    name: str
    path: Path
    rollback_path: Path | None
    checksum: str

    @property
    def stem(self) -> str:
        return f"{self.version}_{self.name}"

    def matches(self, wanted: str) -> bool:
        """`001_create_x`, `001_create_x.sql`, `001` and `create_x` all name migration 001."""
        wanted = wanted.removesuffix(".sql")
        return wanted in (self.stem, self.version, self.name)


def load_history(migrations_dir: Path, *, must_exist: bool = True) -> list[Migration]:
    """The migrations of a folder in version order; file names and pairs are checked."""
    if not migrations_dir.is_dir():
        if must_exist:
            raise InputError(f"{migrations_dir}: no such migrations directory")
        return []
    forward: dict[str, Path] = {}
    rollback: dict[str, Path] = {}
    for path in sorted(migrations_dir.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise InputError(f"{path}: not a migration file name; expected NNN_name.sql or NNN_name_rollback.sql "
                             "(NNN three digits, name in lower case letters, digits and _)")
        stem = f"{match['version']}_{match['name']}"
        (rollback if match["rollback"] else forward)[stem] = path
    for stem in sorted(set(rollback) - set(forward)):
        raise InputError(f"{rollback[stem]}: a rollback without its migration {stem}.sql")
    migrations: list[Migration] = []
    seen: dict[str, str] = {}
    for stem in sorted(forward):
        version, _, name = stem.partition("_")
        if version in seen:
            raise InputError(f"{migrations_dir}: two migrations share version {version}: {seen[version]}.sql "
                             f"and {stem}.sql")
        seen[version] = stem
        migrations.append(Migration(version=version, name=name, path=forward[stem],
                                    rollback_path=rollback.get(stem), checksum=file_checksum(forward[stem])))
    return migrations


def require_manifest(migrations_dir: Path) -> None:
    """Refuse to use a history whose files do not match schemactl.sum."""
    problems = verify_manifest(migrations_dir)
    if problems:
        raise Refused(f"{migrations_dir / MANIFEST_NAME} does not match the migrations: {'; '.join(problems)}. "
                      "Restore the files from version control; refresh the manifest (`schemactl generate`) "
                      "only for a migration that was never applied anywhere")


@dataclass(frozen=True)
class Step:
    """One statement of a migration file, with its line for error messages."""

    sql: str
    line: int
    node: object = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Script:
    """A migration file split into session settings, one transaction, and online steps."""

    path: Path
    settings: tuple[Step, ...]
    transactional: tuple[Step, ...]
    online: tuple[Step, ...]

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.settings + self.transactional + self.online

    def where(self, step: Step) -> str:
        return f"{self.path}:{step.line}"


def _kind_of(node: object) -> str:
    if isinstance(node, ast.TransactionStmt):
        if node.kind in (TransactionStmtKind.TRANS_STMT_BEGIN, TransactionStmtKind.TRANS_STMT_START):
            return "begin"
        if node.kind == TransactionStmtKind.TRANS_STMT_COMMIT:
            return "commit"
        return "other transaction control"
    if isinstance(node, ast.VariableSetStmt):
        return "set"
    return "statement"


def parse_script(path: Path) -> Script:
    """Split a migration file with the PostgreSQL parser (dollar quotes, comments, …)."""
    text = path.read_text(encoding="utf-8")
    try:
        slices = split(text, only_slices=True)
        nodes = [raw.stmt for raw in parse_sql(text)]
    except ParseError as exc:
        raise InputError(f"{path}: not valid SQL for the PostgreSQL parser: {exc}") from None
    settings: list[Step] = []
    inside: list[Step] = []
    online: list[Step] = []
    block = "none"  # none → open → closed
    for piece, node in zip(slices, nodes, strict=True):
        step = Step(sql=text[piece], line=text.count("\n", 0, piece.start) + 1, node=node)
        kind = _kind_of(node)
        if kind == "begin":
            if block != "none" or inside:
                raise InputError(f"{path}:{step.line}: only one BEGIN ... COMMIT block, before the online steps, "
                                 "is allowed in a migration")
            block = "open"
        elif kind == "commit":
            if block != "open":
                raise InputError(f"{path}:{step.line}: COMMIT without BEGIN")
            block = "closed"
        elif kind == "other transaction control":
            raise InputError(f"{path}:{step.line}: {step.sql.split()[0].upper()} is not allowed in a migration; "
                             "the runner manages the transaction")
        elif block == "open":
            inside.append(step)
        elif block == "closed":
            online.append(step)
        elif kind == "set" and not inside:
            settings.append(step)
        else:
            inside.append(step)
    if block == "open":
        raise InputError(f"{path}: BEGIN without COMMIT")
    # A migration may change data, never reach outside its database (COPY ... PROGRAM, DROP DATABASE).
    require_contained(path, ((step.line, step.node) for step in (*settings, *inside, *online)))
    return Script(path=path, settings=tuple(settings), transactional=tuple(inside), online=tuple(online))


# ---------------------------------------------------------------------------------------
# Running one file.

Record = Callable[[psycopg.Connection], None]


def _reason(exc: psycopg.Error) -> str:
    diag = exc.diag
    text = diag.message_primary or str(exc)
    if diag.message_detail:
        text += f" ({diag.message_detail})"
    return mask(" ".join(text.split()))


def run_script(conn: psycopg.Connection, script: Script, *, record: Record | None = None,
               undo: Script | None = None) -> None:
    """Run a file on an autocommit connection as the module docstring describes.

    record writes the tracking row, inside the file's transaction when it has no online
    steps, else after the last one. undo is the file that reverses this one.
    """
    name = script.path.name
    try:
        for step in script.settings:
            try:
                conn.execute(step.sql, prepare=False)
            except psycopg.Error as exc:
                raise MigrationFailed(f"{script.where(step)}: {_reason(exc)}; nothing of {name} was applied") from None
        with conn.transaction():
            for step in script.transactional:
                try:
                    conn.execute(step.sql, prepare=False)
                except psycopg.Error as exc:
                    raise MigrationFailed(f"{script.where(step)}: {_reason(exc)}; the transaction was rolled "
                                          f"back: nothing of {name} was applied") from None
            if record is not None and not script.online:
                record(conn)
        for number, step in enumerate(script.online):
            try:
                conn.execute(step.sql, prepare=False)
            except psycopg.Error as exc:
                _undo_after_online_failure(conn, script, script.online[:number + 1], undo,
                                           f"{script.where(step)}: online step failed: {_reason(exc)}")
        if record is not None and script.online:
            with conn.transaction():
                record(conn)
    finally:
        # After an interrupted statement the session is not idle; it is closed anyway.
        if not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
            conn.execute("RESET ALL")


def _undo_after_online_failure(conn: psycopg.Connection, script: Script, attempted: tuple[Step, ...],
                               undo: Script | None, failure: str) -> None:
    from schemactl.apply import drop_indexes_built  # noqa: PLC0415

    try:
        drop_indexes_built(conn, (step.node for step in attempted))
    except psycopg.Error as exc:
        raise MigrationFailed(f"{failure}; dropping the index it built failed too ({_reason(exc)}): "
                              f"{script.path.name} is partly applied") from None
    if undo is None:
        raise MigrationFailed(f"{failure}; there is no file to undo its committed part: "
                              f"{script.path.name} is partly applied")
    try:
        run_script(conn, undo)
    except SchemactlError as exc:
        raise MigrationFailed(f"{failure}; undoing it with {undo.path.name} failed too ({exc}): "
                              f"{script.path.name} is partly applied") from None
    raise MigrationFailed(f"{failure}; {script.path.name} was undone with {undo.path.name}: "
                          "the database is as it was")


# ---------------------------------------------------------------------------------------
# The history as a database: `diff --from-history` and `migrate new`.

_ROLE_IN_DO = re.compile(r'(?i)\b(create|drop)\s+(?:role|user)\s+(?:if\s+exists\s+)?("(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)')


def _role_events(nodes: Iterable[object]) -> list[tuple[str, str]]:
    """(create|drop, role) in statement order, also from DO blocks (how role changes are written)."""
    events: list[tuple[str, str]] = []
    for node in nodes:
        if isinstance(node, ast.CreateRoleStmt):
            events.append(("create", node.role))
        elif isinstance(node, ast.DropRoleStmt):
            events.extend(("drop", spec.rolename) for spec in node.roles or () if spec.rolename)
        elif isinstance(node, ast.DoStmt):
            for option in node.args or ():
                if option.defname == "as" and isinstance(option.arg, ast.String):
                    for verb, name in _ROLE_IN_DO.findall(option.arg.sval):
                        plain = name[1:-1].replace('""', '"') if name.startswith('"') else name.lower()
                        events.append((verb.lower(), plain))
    return events


def _history_roles(conn: psycopg.Connection, scripts: Iterable[Script]) -> dict[str, Role]:
    """The roles the history leaves in place, with attributes as the dev server now has them.

    Roles are cluster-wide and the dev server also holds roles of other builds, so which
    roles exist is decided by the history's own CREATE/DROP statements; the catalog only
    supplies their attributes, memberships and comments.
    """
    alive: set[str] = set()
    for script in scripts:
        for verb, name in _role_events(step.node for step in script.steps):
            (alive.add if verb == "create" else alive.discard)(name)
    return roles_from_catalog(conn, alive)


def history_side(ws: Workspace, migrations_dir: Path, *, declared_roles: dict | None = None) -> Side:
    """A scratch database on the dev server with every forward migration replayed in order.

    An empty or absent folder gives an empty database. The manifest must match. The
    history's roles come from its own statements; declared_roles (the other side's roles)
    need no look-up here and are accepted for symmetry with Workspace.open.
    """
    migrations_dir = Path(migrations_dir)
    history = load_history(migrations_dir, must_exist=False)
    if history:
        require_manifest(migrations_dir)
    return _replayed(ws, migrations_dir, history)


def _replayed(ws: Workspace, migrations_dir: Path, history: list[Migration]) -> Side:
    ws.dev()
    url = ws.scratch("history")
    scripts = [parse_script(m.path) for m in history]
    ws.progress(f"replaying {len(history)} migrations from {migrations_dir}")
    with connect(url, autocommit=True) as conn:
        for migration, script in zip(history, scripts, strict=True):
            undo = parse_script(migration.rollback_path) if migration.rollback_path else None
            run_script(conn, script, undo=undo)
        roles = _history_roles(conn, scripts)
    return Side(url=url, roles=roles, label=f"migration history ({migrations_dir})", live=False, assume_rows=True)


@dataclass(frozen=True)
class NewMigration:
    """The outcome of `migrate new`: the files written (none when nothing changed)."""

    plan: Plan
    path: Path | None = None
    rollback_path: Path | None = None
    # Files of the generated folder rewritten beside the pair (schema.sql, erd.md, ...).
    refreshed: tuple[Path, ...] = ()


def refusing_rollback(stem: str, reason: str) -> Change:
    """The rollback of an irreversible migration: it raises, naming why, and changes nothing."""
    from schemactl.quoting import dollar_tag, literal  # noqa: PLC0415

    message = literal(f"{stem} cannot be rolled back: {reason}").replace("%", "%%")
    body = f" BEGIN RAISE EXCEPTION {message}; END "
    tag = dollar_tag(body, "irreversible")
    return Change(sql=f"DO {tag}{body}{tag};", object=f"migration {stem}", action="refuse", origin="schemactl")


def new_migration(ws: Workspace, name: str, *, schema_dir: Path, migrations_dir: Path,
                  allow_destructive: bool = False, irreversible: bool = False) -> NewMigration:
    """Plan history → schema_dir (verified both ways) and write the next numbered pair.

    When name is the newest migration's, that migration is written again from the history
    before it (for a migration not applied anywhere yet: the runner refuses a changed one).
    """
    from schemactl.engine import existing_path, make_plan  # noqa: PLC0415
    from schemactl.render import script  # noqa: PLC0415

    if not _NEW_NAME.match(name) or name.endswith("_rollback"):
        raise InputError(f"migration name {name!r}: use lower case letters, digits and _ "
                         "(starting with a letter, not ending in _rollback)")
    existing_path(str(schema_dir))
    history = load_history(migrations_dir, must_exist=False)
    if history:
        require_manifest(migrations_dir)
    replacing = bool(history) and history[-1].name == name
    base = history[:-1] if replacing else history
    for older in base:
        if older.name == name:
            raise InputError(f"{older.path}: a migration named {name} exists already and is not the newest; "
                             "choose another name")
    number = int(base[-1].version) + 1 if base else 1
    if number > 999:
        raise InputError(f"{migrations_dir}: migration numbers are three digits and 999 is taken")
    stem = f"{number:03d}_{name}"
    ws.dev()
    desired = ws.open(str(schema_dir), label="desired")
    if replacing:
        ws.progress(f"writing {stem} again from the {len(base)} migrations before it")
    source = _replayed(ws, migrations_dir, base)
    ws.progress("planning")
    plan = make_plan(ws, source, desired, verify=True)
    if plan.empty:
        return NewMigration(plan=plan)
    if plan.destructive and not allow_destructive:
        raise Refused(destructive_refusal(plan, outcome="; nothing was written"))
    if plan.irreversible and not irreversible:
        raise SchemactlError(f"the migration has no rollback, nothing was written: {plan.irreversible}. "
                             "Re-run with --irreversible to write a rollback that refuses with this reason")
    migrations_dir.mkdir(parents=True, exist_ok=True)
    forward = migrations_dir / f"{stem}.sql"
    rollback = migrations_dir / f"{stem}_rollback.sql"
    forward.write_text(script(plan.changes, title=f"{stem}: migration history -> {schema_dir.name}/"),
                       encoding="utf-8")
    undo = plan.rollback if not plan.irreversible else (refusing_rollback(stem, plan.irreversible),)
    rollback.write_text(script(undo, title=f"{stem}_rollback: undoes {stem}", lint_waivers=False), encoding="utf-8")
    write_manifest(migrations_dir)
    refreshed = _refresh_generated(schema_dir, migrations_dir)
    return NewMigration(plan=plan, path=forward, rollback_path=rollback, refreshed=tuple(refreshed))


def _refresh_generated(schema_dir: Path, migrations_dir: Path) -> list[Path]:
    """Refresh what `generate --check` covers when the history lives in a generated/ folder."""
    from schemactl import generate  # noqa: PLC0415

    if migrations_dir.name != generate.MIGRATIONS_DIR:
        return []
    return generate.write(generate.load_schema(schema_dir), migrations_dir.parent)


# ---------------------------------------------------------------------------------------
# The runner: tracking table, up, status, down, reset.

_CREATE_TRACKING = [
    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(TRACKING_SCHEMA)),
    sql.SQL("""CREATE TABLE IF NOT EXISTS {}.schema_migrations (
    version text PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text NOT NULL DEFAULT current_user,
    duration_ms integer NOT NULL
)""").format(sql.Identifier(TRACKING_SCHEMA)),
]
_TABLE = sql.SQL("{}.schema_migrations").format(sql.Identifier(TRACKING_SCHEMA))


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
        raise SchemactlError(f"{mask(target)}: {_reason(exc)}") from None


def _ensure_tracking(conn: psycopg.Connection) -> None:
    try:
        with conn.transaction():
            for statement in _CREATE_TRACKING:
                conn.execute(statement)
    except psycopg.Error as exc:
        raise SchemactlError(f"cannot create the tracking table {TRACKING_TABLE}: {_reason(exc)}") from None


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


def migrate_up(target: str, migrations_dir: Path, *, progress: Progress = _quiet) -> list[tuple[Migration, int]]:
    """Apply every pending migration in order, under the schema lock; (migration, ms) applied."""
    from schemactl.apply import SCHEMA_LOCK_KEY  # noqa: PLC0415
    from schemactl.engine import advisory_lock  # noqa: PLC0415

    history = load_history(migrations_dir)
    require_manifest(migrations_dir)
    scripts = {m.version: parse_script(m.path) for m in history}
    done: list[tuple[Migration, int]] = []
    with connect(target, autocommit=True) as conn, _database_errors(target):
        progress(f"waiting for the schema lock on {mask(target)}")
        with advisory_lock(conn, SCHEMA_LOCK_KEY):
            _ensure_tracking(conn)
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
                run_script(conn, scripts[migration.version], record=_tracking_insert(migration, started), undo=undo)
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
            exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL",
                                  (relation.as_string(conn),)).fetchone()[0]
            if not exists:
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
    from schemactl.apply import SCHEMA_LOCK_KEY  # noqa: PLC0415
    from schemactl.engine import advisory_lock  # noqa: PLC0415

    history = load_history(migrations_dir)
    require_manifest(migrations_dir)
    done: list[Migration] = []
    with connect(target, autocommit=True) as conn, _database_errors(target):
        progress(f"waiting for the schema lock on {mask(target)}")
        with advisory_lock(conn, SCHEMA_LOCK_KEY):
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
                run_script(conn, parse_script(migration.rollback_path), record=_tracking_delete(migration),
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
    from schemactl.apply import SCHEMA_LOCK_KEY  # noqa: PLC0415
    from schemactl.engine import advisory_lock, zero_drift  # noqa: PLC0415

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
    with connect(target, autocommit=True) as conn, _database_errors(target):
        progress(f"waiting for the schema lock on {mask(target)}")
        with advisory_lock(conn, SCHEMA_LOCK_KEY):
            applied = _applied(conn)
            if applied:
                raise Refused(f"{mask(target)} already records {len(applied)} applied migrations (newest "
                              f"{applied[max(applied)].stem}); baseline is for a database without a history: "
                              "use `schemactl migrate up`")
            major = ws.live_major(target)
            ws.dev(major)
            replayed = _replayed(ws, migrations_dir, chosen)
            actual = ws.open(target, label="target", declared_roles=replayed.roles)
            progress(f"comparing {mask(target)} with the history through {chosen[-1].stem}")
            report = zero_drift(ws, actual, replayed)
            if not report.zero:
                found = [f"{c.action} {c.object}" for c in report.changes]
                found += [f"schema dump: {line}" for line in report.dump_lines]
                shown = "; ".join(found[:10]) + (f" and {len(found) - 10} more" if len(found) > 10 else "")
                raise Refused(f"{mask(target)} does not match the history through {chosen[-1].stem}, so it "
                              f"cannot be recorded as applied: to match it, {shown}. Nothing was recorded; "
                              "`schemactl drift` shows the differences in full")
            _ensure_tracking(conn)
            with conn.transaction():
                for migration in chosen:
                    conn.execute(sql.SQL("INSERT INTO {} (version, name, checksum, duration_ms) "
                                         "VALUES (%s, %s, %s, 0)").format(_TABLE),
                                 (migration.version, migration.name, migration.checksum))
    return chosen

"""The migration history: the files on disk, replaying them, and `migrate new`.

The history is the folder's `NNN_name.sql` / `NNN_name_rollback.sql` pairs in version order,
checked against the manifest (`schemactl.sum`). Replayed in order on a scratch database of
the dev server it is one side of a plan: `diff --from-history` compares it with schema/, and
`migrate new` writes that plan as the next pair.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
from pglast import ast

from schemactl.build import execute_as_author
from schemactl.conninfo import connect
from schemactl.diff import Side
from schemactl.errors import InputError, Refused, SchemactlError
from schemactl.migrations.manifest import MANIFEST_NAME, file_checksum, verify_manifest, write_manifest
from schemactl.migrations.script import Script, Step, parse_script, run_script
from schemactl.plan import Change, Plan, destructive_refusal
from schemactl.roles import (
    Role,
    conditional_statement_sql,
    emitted_role_statements,
    refuse_dangerous_statement,
    roles_from_catalog,
)

if TYPE_CHECKING:
    from schemactl.engine import Workspace

__all__ = [
    "Migration",
    "NewMigration",
    "load_history",
    "require_manifest",
    "history_side",
    "replay",
    "new_migration",
    "refusing_rollback",
]

_FILE_NAME = re.compile(r"^(?P<version>\d{3})_(?P<name>[a-z0-9_]+?)(?P<rollback>_rollback)?\.sql$")
_NEW_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


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


# ---------------------------------------------------------------------------------------
# Replaying the history into a scratch database: `diff --from-history` and `migrate new`.

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
    return replay(ws, migrations_dir, history)


def _role_names(node: ast.Node) -> list[str]:
    """The roles a role statement names."""
    if isinstance(node, ast.CreateRoleStmt):
        return [node.role]
    if isinstance(node, (ast.AlterRoleStmt, ast.AlterRoleSetStmt)):
        return [node.role.rolename] if node.role is not None and node.role.rolename else []
    if isinstance(node, ast.GrantRoleStmt):
        return [g.priv_name for g in node.granted_roles or ()] + \
            [r.rolename for r in node.grantee_roles or () if r.rolename]
    if isinstance(node, ast.CommentStmt):
        return [node.object.sval]
    return []


def _roles_performed(script: Script, admin_url: str) -> Script:
    """Perform the script's role statements as the dev server's administrator, from their parsed form
    (also inside the DO blocks the tool writes them as), and return the script without them: the rest
    runs as the builder, which may not create or alter roles. Dropping roles is left out: other builds
    of the dev server share them."""
    from schemactl.devserver import admin_execute, grant_builder  # noqa: PLC0415

    kept: dict[str, list[Step]] = {"settings": [], "transactional": [], "online": []}
    touched: list[str] = []
    superusers: frozenset[str] | None = None
    for part in kept:
        for step in getattr(script, part):
            nodes = emitted_role_statements(step.node)
            if nodes is None:
                kept[part].append(step)
                continue
            if superusers is None:
                superusers = frozenset(r[0] for r in admin_execute(
                    admin_url, "SELECT rolname FROM pg_catalog.pg_roles WHERE rolsuper"))
            for node in nodes:
                refuse_dangerous_statement(node, script.where(step), superusers)
                if isinstance(node, ast.DropRoleStmt):
                    continue
                statement = conditional_statement_sql(node)
                if statement is not None:
                    admin_execute(admin_url, statement)
                touched += _role_names(node)
    grant_builder(admin_url, touched)
    return replace(script, settings=tuple(kept["settings"]), transactional=tuple(kept["transactional"]),
                   online=tuple(kept["online"]))


def replay(ws: Workspace, migrations_dir: Path, history: list[Migration]) -> Side:
    """A scratch database on the dev server with the given migrations run in order (no tracking rows)."""
    ws.dev()
    url = ws.scratch("history")
    scripts = [parse_script(m.path) for m in history]
    ws.progress(f"replaying {len(history)} migrations from {migrations_dir}")
    admin_url = ws.dev().url
    with connect(url, autocommit=True) as conn:
        for migration, script in zip(history, scripts, strict=True):
            undo = parse_script(migration.rollback_path) if migration.rollback_path else None
            run_script(conn, _roles_performed(script, admin_url), undo=undo,
                       execute=lambda c, step: execute_as_author(c, step.sql, step.node))
        roles = _history_roles(conn, scripts)
    return Side(url=url, roles=roles, label=f"migration history ({migrations_dir})", live=False, assume_rows=True)


# ---------------------------------------------------------------------------------------
# `migrate new`: the next pair from the plan between the replayed history and schema/.


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
    source = replay(ws, migrations_dir, base)
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

"""`schemactl migrate new | up | status | down | baseline | reset`: the versioned history and its runner."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from schemactl.commands import add_dev_url, add_output
from schemactl.errors import EXIT_DIFFERENCES, EXIT_OK, Refused
from schemactl.progress import Reporter

__all__ = ["register", "run_baseline", "run_down", "run_new", "run_reset", "run_status", "run_up"]


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `migrate` and its actions."""
    migrate = commands.add_parser(
        "migrate", help="versioned migrations: new, up, status, down, baseline, reset",
        description="Versioned migrations in generated/migrations (NNN_name.sql + NNN_name_rollback.sql, "
        "checksums in schemactl.sum), tracked on the target in schemactl.schema_migrations. "
        "`up` and `down` take the schema advisory lock; each migration and its tracking row commit together.")
    actions = migrate.add_subparsers(dest="action", metavar="ACTION", required=True)

    def with_dir(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--migrations-dir", default="generated/migrations", metavar="DIR")
        add_output(parser)

    def with_target(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--target", metavar="URL", help="default: DATABASE_URL, else DB_HOST/DB_PORT/DB_NAME/...")
        with_dir(parser)

    new = actions.add_parser("new", help="write the next migration from the history to schema/",
                             description="Replay the history on the dev server, plan it to schema/ (rehearsed "
                             "both ways), write NNN_NAME.sql and NNN_NAME_rollback.sql and refresh the manifest. "
                             "NAME of the newest migration writes that one again from the history before it "
                             "(only for a migration not applied anywhere yet). Exit 1 when there is nothing "
                             "to migrate.")
    new.add_argument("name", metavar="NAME", help="lower case, e.g. add_asset_tags")
    new.add_argument("--schema-dir", default="schema", metavar="DIR")
    new.add_argument("--allow-destructive", action="store_true", help="accept changes that delete data")
    new.add_argument("--irreversible", action="store_true",
                     help="when no rollback can be made, write one that raises an exception with the reason")
    add_dev_url(new)
    with_dir(new)
    new.set_defaults(handler=run_new)

    up = actions.add_parser("up", help="apply the pending migrations in order")
    with_target(up)
    up.set_defaults(handler=run_up)

    status = actions.add_parser("status", help="applied / pending / changed migrations (exit 1 if any pending)")
    with_target(status)
    status.set_defaults(handler=run_status)

    down = actions.add_parser("down", help="roll back newest-first through NAME (default: the newest only)")
    down.add_argument("migration", nargs="?", metavar="NAME", help="e.g. 001_create_blockchain_tables")
    down.add_argument("--allow-destructive", action="store_true",
                      help="accept dropping tables or columns that hold rows (refused with exit 3 otherwise)")
    with_target(down)
    down.set_defaults(handler=run_down)

    baseline = actions.add_parser(
        "baseline", help="record the history as applied on a database that already matches it",
        description="For a database built another way (apply, a restore): when drift shows it equal to the "
        "replayed history (through NAME, default all), record those migrations as applied without running "
        "them. Refused (exit 3) when it differs, naming the differences, or when it already has a history.")
    baseline.add_argument("migration", nargs="?", metavar="NAME", help="the last migration to record (default: all)")
    add_dev_url(baseline)
    with_target(baseline)
    baseline.set_defaults(handler=run_baseline)

    reset = actions.add_parser("reset", help="roll back every migration (needs --yes)")
    reset.add_argument("--yes", action="store_true", help="confirm: this deletes the migrated objects and data")
    with_target(reset)
    reset.set_defaults(handler=run_reset)


def run_new(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Write the next migration pair; exit 1 when there is nothing to migrate."""
    from schemactl.engine import Workspace  # noqa: PLC0415
    from schemactl.migrations.history import new_migration  # noqa: PLC0415
    from schemactl.migrations.manifest import MANIFEST_NAME  # noqa: PLC0415
    from schemactl.render import plan_text  # noqa: PLC0415

    report = Reporter(err, args.quiet)
    migrations_dir = Path(args.migrations_dir)
    with Workspace(dev_url=args.dev_url, progress=report, project=Path(args.schema_dir)) as ws:
        outcome = new_migration(ws, args.name, schema_dir=Path(args.schema_dir), migrations_dir=migrations_dir,
                                allow_destructive=args.allow_destructive, irreversible=args.irreversible)
    if outcome.path is None:
        print(f"nothing to migrate: {migrations_dir} already matches {args.schema_dir}", file=err)
        return EXIT_DIFFERENCES
    if not args.quiet:
        err.write(plan_text(outcome.plan))
    print(f"wrote {outcome.path}, {outcome.rollback_path} and {migrations_dir / MANIFEST_NAME}", file=out)
    others = [path for path in outcome.refreshed if path.name != MANIFEST_NAME]
    if others:
        print(f"refreshed {', '.join(str(path) for path in others)}", file=out)
    return EXIT_OK


def run_up(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Apply the pending migrations."""
    from schemactl.conninfo import mask, resolve_target  # noqa: PLC0415
    from schemactl.migrations.runner import migrate_up  # noqa: PLC0415

    target = resolve_target(args.target)
    done = migrate_up(target, Path(args.migrations_dir), progress=Reporter(err, args.quiet))
    for migration, elapsed in done:
        print(f"applied {migration.stem} ({elapsed} ms)", file=out)
    if done:
        print(f"{len(done)} applied to {mask(target)}", file=out)
    else:
        print(f"nothing to apply: {mask(target)} is up to date", file=out)
    return EXIT_OK


def run_status(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print each migration's state; exit 1 when some are pending, 3 when an applied one changed."""
    from schemactl.conninfo import resolve_target  # noqa: PLC0415
    from schemactl.migrations.history import require_manifest  # noqa: PLC0415
    from schemactl.migrations.runner import migration_status, refuse_inconsistent  # noqa: PLC0415

    target = resolve_target(args.target)
    migrations_dir = Path(args.migrations_dir)
    entries, problems = migration_status(target, migrations_dir)
    for entry in entries:
        print(entry.render(), file=out)
    counts = {state: sum(e.state == state for e in entries) for state in ("applied", "pending", "changed", "missing")}
    print(", ".join(f"{n} {state}" for state, n in counts.items() if n) or "no migrations", file=out)
    if problems:
        require_manifest(migrations_dir)
    refuse_inconsistent(migrations_dir, entries)
    return EXIT_DIFFERENCES if counts["pending"] else EXIT_OK


def run_down(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Roll back newest-first through NAME."""
    from schemactl.conninfo import resolve_target  # noqa: PLC0415
    from schemactl.migrations.runner import migrate_down  # noqa: PLC0415

    target = resolve_target(args.target)
    done = migrate_down(target, Path(args.migrations_dir), args.migration, allow_destructive=args.allow_destructive,
                        progress=Reporter(err, args.quiet))
    _print_rolled_back([m.stem for m in done], target, out)
    return EXIT_OK


def run_reset(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Roll back every migration; refused without --yes."""
    from schemactl.conninfo import resolve_target  # noqa: PLC0415
    from schemactl.migrations.runner import migrate_reset  # noqa: PLC0415

    if not args.yes:
        raise Refused("reset rolls back every migration and deletes their data; re-run with --yes to confirm")
    target = resolve_target(args.target)
    done = migrate_reset(target, Path(args.migrations_dir), confirmed=args.yes, progress=Reporter(err, args.quiet))
    _print_rolled_back([m.stem for m in done], target, out)
    return EXIT_OK


def run_baseline(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Record the history as applied on a target that matches it; refused when it differs."""
    from schemactl.conninfo import mask, resolve_target  # noqa: PLC0415
    from schemactl.engine import Workspace  # noqa: PLC0415
    from schemactl.migrations.runner import migrate_baseline  # noqa: PLC0415

    target = resolve_target(args.target)
    report = Reporter(err, args.quiet)
    with Workspace(dev_url=args.dev_url, progress=report) as ws:
        done = migrate_baseline(ws, target, Path(args.migrations_dir), args.migration, progress=report)
    for migration in done:
        print(f"recorded {migration.stem} as applied", file=out)
    print(f"{len(done)} recorded on {mask(target)}", file=out)
    return EXIT_OK


def _print_rolled_back(stems: list[str], target: str, out: TextIO) -> None:
    from schemactl.conninfo import mask  # noqa: PLC0415

    for stem in stems:
        print(f"rolled back {stem}", file=out)
    if not stems:
        print(f"nothing to roll back on {mask(target)}", file=out)

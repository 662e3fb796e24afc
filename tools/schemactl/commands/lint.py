"""`schemactl lint`: sqlfluff over the schema sources, squawk over the generated migrations."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from schemactl.commands import add_output
from schemactl.errors import EXIT_DIFFERENCES, EXIT_OK
from schemactl.progress import Reporter

__all__ = ["register", "run"]


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `lint` and its options."""
    parser = commands.add_parser(
        "lint", help="sqlfluff over schema/, squawk over generated/migrations/",
        description="Lint the schema sources with sqlfluff (postgres dialect, the project's .sqlfluff) "
        "and the forward migrations with squawk (.squawk.toml; rollback scripts are not linted). "
        "Findings print as path:line:col: CODE message; exit 1 when there are any, 2 when a linter "
        "is missing.")
    parser.add_argument("--schema-dir", default="schema", metavar="DIR")
    parser.add_argument("--migrations-dir", default="generated/migrations", metavar="DIR")
    parser.add_argument("--sqlfluff-config", default=".sqlfluff", metavar="FILE")
    parser.add_argument("--squawk-config", default=".squawk.toml", metavar="FILE")
    add_output(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print every finding; exit 1 when any is not a warning."""
    from schemactl.lint import migration_files, schema_files, sqlfluff_findings, squawk_findings  # noqa: PLC0415

    progress = Reporter(err, args.quiet)
    schema_dir = Path(args.schema_dir)
    migrations_dir = Path(args.migrations_dir)
    sources = schema_files(schema_dir)
    progress(f"sqlfluff: {len(sources)} files in {schema_dir}")
    findings = sqlfluff_findings(sources, Path(args.sqlfluff_config))
    migrations, rollbacks = migration_files(migrations_dir)
    if migrations:
        skipped = f"; {len(rollbacks)} rollback scripts not linted" if rollbacks else ""
        progress(f"squawk: {len(migrations)} migrations in {migrations_dir}{skipped}")
        findings += squawk_findings(migrations, Path(args.squawk_config), progress=progress)
    else:
        progress(f"squawk: no migrations in {migrations_dir}")
    for finding in findings:
        print(finding.render() + (" (warning)" if finding.warning else ""), file=out)
    failing = [f for f in findings if not f.warning]
    if failing:
        progress(f"{len(failing)} lint findings")
        return EXIT_DIFFERENCES
    progress("lint: clean")
    return EXIT_OK

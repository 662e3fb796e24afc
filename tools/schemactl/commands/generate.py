"""`schemactl generate [--check]`: refresh generated/, or say which files are stale."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from schemactl.commands import add_output
from schemactl.errors import EXIT_DIFFERENCES, EXIT_OK
from schemactl.progress import Reporter

__all__ = ["register", "run"]


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `generate` (offline: it needs no server, so it takes no --dev-url)."""
    parser = commands.add_parser(
        "generate", help="refresh generated/ (rendered schema, ERD, migration manifest)",
        description="Render schema/ into generated/schema.sql (every statement in dependency order, "
        "pretty-printed, with its source file:line) and generated/erd.md (a Mermaid ERD), and refresh "
        "the checksum manifest of generated/migrations. --check writes nothing and exits 1 naming each "
        "stale file.")
    parser.add_argument("--schema-dir", default="schema", metavar="DIR")
    parser.add_argument("--out", default="generated", metavar="DIR", help="output directory (default: generated)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if any generated file is stale")
    add_output(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Write generated/; with --check print each stale file and exit 1."""
    from schemactl.generate import check, load_schema, write  # noqa: PLC0415

    progress = Reporter(err, args.quiet)
    source = load_schema(Path(args.schema_dir))
    out_dir = Path(args.out)
    if args.check:
        problems = check(source, out_dir)
        for problem in problems:
            print(problem, file=out)
        if problems:
            progress(f"{out_dir}: {len(problems)} stale or inconsistent files")
            return EXIT_DIFFERENCES
        progress(f"{out_dir}: up to date")
        return EXIT_OK
    changed = write(source, out_dir, progress=progress)
    progress(f"{out_dir}: {len(changed)} files changed")
    return EXIT_OK

"""`schemactl validate`: the offline rules, and with --build a build on the dev server."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from schemactl.commands import add_dev_url, add_output
from schemactl.errors import EXIT_DIFFERENCES, EXIT_OK
from schemactl.progress import Reporter

__all__ = ["register", "run"]


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `validate` and its options."""
    parser = commands.add_parser("validate", help="check schema/ offline with pglast; --build also builds it",
                                 description="Parse every file with pglast and apply the schema rules; "
                                 "findings print as path:line:col: CODE message.")
    parser.add_argument("--schema-dir", default="schema", metavar="DIR")
    parser.add_argument("--build", action="store_true", help="also build on the dev server")
    add_dev_url(parser)
    add_output(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print each finding; exit 1 when there are any."""
    from schemactl.validate import validate_dir  # noqa: PLC0415

    report = Reporter(err, args.quiet)
    findings = validate_dir(Path(args.schema_dir))
    for finding in findings:
        print(finding.render(), file=out)
    if findings:
        print(f"{len(findings)} findings in {args.schema_dir}", file=err)
        return EXIT_DIFFERENCES
    if args.build:
        from schemactl.engine import Workspace  # noqa: PLC0415

        with Workspace(dev_url=args.dev_url, progress=report, project=Path(args.schema_dir)) as ws:
            ws.dev()
            ws.open(args.schema_dir, label="validate")
        report("built on the dev server without errors")
    print(f"{args.schema_dir}: ok", file=err)
    return EXIT_OK

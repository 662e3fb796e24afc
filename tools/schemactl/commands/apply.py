"""`schemactl apply`: bring a live database to schema/ in one verified transaction."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from schemactl.commands import add_dev_url, add_output
from schemactl.errors import EXIT_DIFFERENCES, EXIT_OK
from schemactl.progress import Reporter

__all__ = ["register", "run"]


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `apply` and its options."""
    parser = commands.add_parser("apply", help="bring a live database to schema/",
                                 description="Plan, rehearse, take an advisory lock, apply in one transaction "
                                 "(online steps after it), and verify zero drift. A failure leaves the target "
                                 "as it was.")
    parser.add_argument("--target", metavar="URL")
    parser.add_argument("--schema-dir", default="schema", metavar="DIR")
    parser.add_argument("--allow-destructive", action="store_true")
    parser.add_argument("--dry-run", action="store_true", help="print the script, change nothing")
    # -q quiets the change list and the closing line too; --dry-run still prints its script.
    add_dev_url(parser)
    add_output(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Apply (or with --dry-run print) the plan to the target."""
    from schemactl.apply import apply_schema  # noqa: PLC0415
    from schemactl.conninfo import mask, resolve_target  # noqa: PLC0415
    from schemactl.render import plan_text, script  # noqa: PLC0415

    report = Reporter(err, args.quiet)
    target = resolve_target(args.target)
    outcome = apply_schema(target, Path(args.schema_dir), dev_url=args.dev_url, dry_run=args.dry_run,
                           allow_destructive=args.allow_destructive, progress=report)
    if args.dry_run:
        out.write(script(outcome.plan.changes, title=f"migration: {outcome.plan.source} -> {outcome.plan.target}"))
        return EXIT_DIFFERENCES if not outcome.plan.empty else EXIT_OK
    if not args.quiet:
        # -q: nothing but errors (the exit code says it worked).
        err.write(plan_text(outcome.plan))
        print(f"applied {len(outcome.plan.changes)} changes to {mask(target)}; zero drift verified", file=out)
    return EXIT_OK
